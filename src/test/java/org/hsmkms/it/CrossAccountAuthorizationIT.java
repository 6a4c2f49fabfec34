package org.hsmkms.it;

import static org.hsmkms.it.KeyPolicyEnforcementIT.deniedOnKey;
import static org.hsmkms.testing.AccessDenied.assertDenied;
import static org.hsmkms.testing.AccessDenied.noResourcePolicyAllows;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.hsmkms.testing.Policies;
import org.hsmkms.testing.TestPrincipals;
import org.hsmkms.testing.TestPrincipals.Principal;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/**
 * AWS's "Allowing users in other accounts to use a KMS key": a key of account A (111122223333)
 * whose policy allows account B's root (444455556666), used by a principal of B whose identity
 * policy allows it, naming the key by its ARN. Only the cryptographic operations and DescribeKey
 * cross accounts, never the management ones; both policies must allow.
 */
class CrossAccountAuthorizationIT {
  private static final String A = TestServer.ACCOUNT;
  private static final String B = TestServer.OTHER_ACCOUNT;
  private static final SdkBytes PLAINTEXT = SdkBytes.fromUtf8String("across accounts");

  /** B's identity policy: A's keys, for use and (to show it does not help) for management. */
  private static final String B_USES_A_KEYS =
      Policies.document(
          Policies.allow("UseKeysOfAccountA")
              .actions(
                  "kms:Encrypt",
                  "kms:Decrypt",
                  "kms:GenerateDataKey",
                  "kms:DescribeKey",
                  "kms:DisableKey",
                  "kms:PutKeyPolicy",
                  "kms:ScheduleKeyDeletion")
              .resource("arn:aws:kms:*:" + A + ":key/*"));

  private static TestServer server;
  private static KmsClient adminA;
  private static Principal bApp;
  private static Principal bWithoutPolicy;

  @BeforeAll
  static void start() {
    server = TestServer.start(TestServer.newDataDir());
    TestPrincipals principals = new TestPrincipals(server);
    principals.makeTestPrincipalsAdmins();
    adminA = server.client();
    bApp = principals.user(B, "b-app", B_USES_A_KEYS);
    bWithoutPolicy = principals.user(B, "b-no-identity-policy", null);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /**
   * A's key; its policy: A's root, and (AWS's example) account B's root for the key users' actions.
   */
  private static KeyMetadata keySharedWithB() {
    return adminA
        .createKey(
            b ->
                b.policy(
                    Policies.document(
                        Policies.enableIamPolicies(A),
                        Policies.allow("Allow an external account to use this KMS key")
                            .principals("arn:aws:iam::" + B + ":root")
                            .actions(Policies.KEY_USER_ACTIONS))))
        .keyMetadata();
  }

  @Test
  void principalOfB_usesTheKeyOfA_byItsArn() {
    KeyMetadata key = keySharedWithB();
    KmsClient b = bApp.client();

    SdkBytes blob = b.encrypt(r -> r.keyId(key.arn()).plaintext(PLAINTEXT)).ciphertextBlob();
    SdkBytes back = b.decrypt(r -> r.ciphertextBlob(blob)).plaintext();
    SdkBytes again = b.decrypt(r -> r.ciphertextBlob(blob).keyId(key.arn())).plaintext();
    var dataKey = b.generateDataKey(r -> r.keyId(key.arn()).keySpec(DataKeySpec.AES_256));
    KeyMetadata described = b.describeKey(r -> r.keyId(key.arn())).keyMetadata();

    assertArrayEquals(PLAINTEXT.asByteArray(), back.asByteArray());
    assertArrayEquals(PLAINTEXT.asByteArray(), again.asByteArray());
    assertEquals(key.arn(), dataKey.keyId());
    assertEquals(A, described.awsAccountId());
    assertArrayEquals(
        PLAINTEXT.asByteArray(),
        adminA.decrypt(r -> r.ciphertextBlob(blob)).plaintext().asByteArray(),
        "A decrypts what B encrypted under A's key");
  }

  @Test
  void keyOfA_byBareKeyIdOrAliasOfA_isNotFoundForB() {
    KeyMetadata key = keySharedWithB();
    String alias = "alias/shared-" + key.keyId();
    adminA.createAlias(r -> r.aliasName(alias).targetKeyId(key.keyId()));
    KmsClient b = bApp.client();

    assertThrows(
        NotFoundException.class, () -> b.encrypt(r -> r.keyId(key.keyId()).plaintext(PLAINTEXT)));
    assertThrows(NotFoundException.class, () -> b.describeKey(r -> r.keyId(key.keyId())));
    assertThrows(
        NotFoundException.class, () -> b.encrypt(r -> r.keyId(alias).plaintext(PLAINTEXT)));
  }

  @Test
  void managementOperations_neverCrossAccounts_evenWhenBothPoliciesAllowThem() {
    KeyMetadata key =
        adminA
            .createKey(
                r ->
                    r.policy(
                        Policies.document(
                            Policies.enableIamPolicies(A),
                            Policies.allow("AccountBMayDoAnything")
                                .principals("arn:aws:iam::" + B + ":root")
                                .actions("kms:*"))))
            .keyMetadata();
    KmsClient b = bApp.client();
    String arn = key.arn();
    String policy = Policies.document(Policies.enableIamPolicies(B));

    assertRefused(() -> b.disableKey(r -> r.keyId(arn)));
    assertRefused(() -> b.putKeyPolicy(r -> r.keyId(arn).policy(policy)));
    assertRefused(() -> b.scheduleKeyDeletion(r -> r.keyId(arn).pendingWindowInDays(7)));

    KeyMetadata after = adminA.describeKey(r -> r.keyId(arn)).keyMetadata();
    assertEquals(KeyState.ENABLED, after.keyState());
    assertTrue(adminA.getKeyPolicy(r -> r.keyId(arn)).policy().contains("AccountBMayDoAnything"));
    // The cryptographic operations do cross: the refusals above are for management only.
    b.encrypt(r -> r.keyId(arn).plaintext(PLAINTEXT));
  }

  @Test
  void principalOfB_withoutAnIdentityPolicy_isRefused() {
    KeyMetadata key = keySharedWithB();
    KmsClient b = bWithoutPolicy.client();

    assertDenied(
        deniedOnKey(bWithoutPolicy, "Encrypt", key.arn()),
        () -> b.encrypt(r -> r.keyId(key.arn()).plaintext(PLAINTEXT)));
    assertDenied(
        deniedOnKey(bWithoutPolicy, "DescribeKey", key.arn()),
        () -> b.describeKey(r -> r.keyId(key.arn())));
  }

  @Test
  void keyWhosePolicyDoesNotNameB_isRefusedToB_despiteItsIdentityPolicy() {
    KeyMetadata key = adminA.createKey(r -> {}).keyMetadata();
    KmsClient b = bApp.client();
    SdkBytes blob = adminA.encrypt(r -> r.keyId(key.keyId()).plaintext(PLAINTEXT)).ciphertextBlob();

    assertDenied(
        noResourcePolicyAllows(bApp.arn(), "kms:Encrypt", key.arn()),
        () -> b.encrypt(r -> r.keyId(key.arn()).plaintext(PLAINTEXT)));
    assertDenied(
        noResourcePolicyAllows(bApp.arn(), "kms:Decrypt", key.arn()),
        () -> b.decrypt(r -> r.ciphertextBlob(blob).keyId(key.arn())));
    assertDenied(
        noResourcePolicyAllows(bApp.arn(), "kms:GenerateDataKey", key.arn()),
        () -> b.generateDataKey(r -> r.keyId(key.arn()).keySpec(DataKeySpec.AES_256)));
  }

  /**
   * A management operation on another account's key is refused. AWS documents that these operations
   * do not cross accounts, not which error refuses them: AccessDeniedException or NotFoundException
   * (the key is not found among the caller's own).
   */
  private static void assertRefused(Executable call) {
    KmsException e = assertThrows(KmsException.class, call);
    assertTrue(
        Set.of("AccessDeniedException", "NotFoundException")
            .contains(e.awsErrorDetails().errorCode()),
        () -> e.awsErrorDetails().errorCode() + ": " + e.awsErrorDetails().errorMessage());
  }
}
