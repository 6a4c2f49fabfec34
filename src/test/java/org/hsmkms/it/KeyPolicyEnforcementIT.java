package org.hsmkms.it;

import static org.hsmkms.testing.AccessDenied.accountLevel;
import static org.hsmkms.testing.AccessDenied.assertDenied;
import static org.hsmkms.testing.AccessDenied.noIdentityPolicyAllows;
import static org.hsmkms.testing.AccessDenied.viaCiphertext;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.hsmkms.testing.Policies;
import org.hsmkms.testing.TestPrincipals;
import org.hsmkms.testing.TestPrincipals.Principal;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyState;

/**
 * Separation of duties as AWS's key policies give it (issue 13, "Done when": "a key whose policy
 * lets one principal use it and another manage it behaves exactly so"), and the default key policy,
 * under which the account's identity policies decide.
 *
 * <p>The key policy is the one AWS's console writes ("Default key policy": "Allows access to the
 * AWS account and enables IAM policies", "Allows key administrators to administer the KMS key",
 * "Allows key users to use the KMS key"). The key user and the key administrator have no identity
 * policy: the key policy alone allows them, each only their half.
 */
class KeyPolicyEnforcementIT {
  private static final SdkBytes PLAINTEXT = SdkBytes.fromUtf8String("separation of duties");

  private static TestServer server;
  private static TestPrincipals principals;
  private static KmsClient admin;
  private static Principal keyAdmin;
  private static Principal keyUser;
  private static Principal encryptor;
  private static Principal nobody;

  @BeforeAll
  static void start() {
    server = TestServer.start(TestServer.newDataDir());
    principals = new TestPrincipals(server);
    principals.makeTestPrincipalsAdmins();
    admin = server.client();
    keyAdmin = principals.user(TestServer.ACCOUNT, "key-admin", null);
    keyUser = principals.user(TestServer.ACCOUNT, "key-user", null);
    encryptor = principals.user(TestServer.ACCOUNT, "encryptor", null);
    nobody = principals.user(TestServer.ACCOUNT, "nobody", null);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** AWS's console default key policy with one key administrator and one key user. */
  static String separationOfDuties(Principal administrator, Principal user) {
    return Policies.document(
        Policies.enableIamPolicies(TestServer.ACCOUNT),
        Policies.allow("Allow access for Key Administrators")
            .principals(administrator.arn())
            .actions(Policies.KEY_ADMINISTRATOR_ACTIONS),
        Policies.allow("Allow use of the key")
            .principals(user.arn())
            .actions(Policies.KEY_USER_ACTIONS));
  }

  private static KeyMetadata separatedKey() {
    return admin.createKey(b -> b.policy(separationOfDuties(keyAdmin, keyUser))).keyMetadata();
  }

  // --- Key users use the key -------------------------------------------------------------------

  @Test
  void keyUser_encryptsDecryptsGeneratesDataKeysAndDescribes() {
    KeyMetadata key = separatedKey();
    KmsClient user = keyUser.client();

    SdkBytes blob = user.encrypt(b -> b.keyId(key.arn()).plaintext(PLAINTEXT)).ciphertextBlob();
    SdkBytes back = user.decrypt(b -> b.ciphertextBlob(blob)).plaintext();
    var dataKey = user.generateDataKey(b -> b.keyId(key.keyId()).keySpec(DataKeySpec.AES_256));
    KeyMetadata described = user.describeKey(b -> b.keyId(key.keyId())).keyMetadata();

    assertArrayEquals(PLAINTEXT.asByteArray(), back.asByteArray());
    assertEquals(32, dataKey.plaintext().asByteArray().length);
    assertEquals(key.arn(), described.arn());
  }

  @Test
  void keyUser_cannotManageTheKey() {
    KeyMetadata key = separatedKey();
    KmsClient user = keyUser.client();
    String id = key.keyId();
    String arn = key.arn();
    String policy = separationOfDuties(keyUser, keyUser);

    assertDenied(deniedOnKey(keyUser, "DisableKey", arn), () -> user.disableKey(b -> b.keyId(id)));
    assertDenied(deniedOnKey(keyUser, "EnableKey", arn), () -> user.enableKey(b -> b.keyId(id)));
    assertDenied(
        deniedOnKey(keyUser, "PutKeyPolicy", arn),
        () -> user.putKeyPolicy(b -> b.keyId(id).policy(policy)));
    assertDenied(
        deniedOnKey(keyUser, "GetKeyPolicy", arn), () -> user.getKeyPolicy(b -> b.keyId(id)));
    assertDenied(
        deniedOnKey(keyUser, "TagResource", arn),
        () -> user.tagResource(b -> b.keyId(id).tags(t -> t.tagKey("Owner").tagValue("me"))));
    assertDenied(
        deniedOnKey(keyUser, "ScheduleKeyDeletion", arn),
        () -> user.scheduleKeyDeletion(b -> b.keyId(id).pendingWindowInDays(7)));
    assertDenied(
        deniedOnKey(keyUser, "UpdateKeyDescription", arn),
        () -> user.updateKeyDescription(b -> b.keyId(id).description("mine")));

    // Nothing of it happened.
    assertEquals(KeyState.ENABLED, admin.describeKey(b -> b.keyId(id)).keyMetadata().keyState());
    assertEquals(List.of(), admin.listResourceTags(b -> b.keyId(id)).tags());
    assertEquals(
        separationOfDuties(keyAdmin, keyUser), admin.getKeyPolicy(b -> b.keyId(id)).policy());
  }

  @Test
  void keyUser_cannotCancelADeletionTheAdministratorScheduled() {
    KeyMetadata key = separatedKey();
    keyAdmin.client().scheduleKeyDeletion(b -> b.keyId(key.keyId()).pendingWindowInDays(7));

    assertDenied(
        deniedOnKey(keyUser, "CancelKeyDeletion", key.arn()),
        () -> keyUser.client().cancelKeyDeletion(b -> b.keyId(key.keyId())));
    assertEquals(
        KeyState.PENDING_DELETION,
        admin.describeKey(b -> b.keyId(key.keyId())).keyMetadata().keyState());
  }

  // --- Key administrators manage it --------------------------------------------------------------

  @Test
  void keyAdministrator_managesTheKey() {
    KeyMetadata key = separatedKey();
    KmsClient kadmin = keyAdmin.client();
    String id = key.keyId();
    String policy = separationOfDuties(keyAdmin, keyUser);

    assertEquals(key.arn(), kadmin.describeKey(b -> b.keyId(id)).keyMetadata().arn());
    kadmin.disableKey(b -> b.keyId(id));
    kadmin.enableKey(b -> b.keyId(id));
    kadmin.tagResource(b -> b.keyId(id).tags(t -> t.tagKey("Owner").tagValue("security")));
    kadmin.putKeyPolicy(b -> b.keyId(id).policy(policy));
    assertEquals(policy, kadmin.getKeyPolicy(b -> b.keyId(id)).policy());
    kadmin.scheduleKeyDeletion(b -> b.keyId(id).pendingWindowInDays(7));
    kadmin.cancelKeyDeletion(b -> b.keyId(id));

    KeyMetadata after = admin.describeKey(b -> b.keyId(id)).keyMetadata();
    assertEquals(KeyState.DISABLED, after.keyState(), "CancelKeyDeletion leaves a key disabled");
    assertEquals("security", admin.listResourceTags(b -> b.keyId(id)).tags().get(0).tagValue());
  }

  @Test
  void keyAdministrator_cannotUseTheKey() {
    KeyMetadata key = separatedKey();
    KmsClient kadmin = keyAdmin.client();
    String arn = key.arn();
    SdkBytes blob =
        keyUser.client().encrypt(b -> b.keyId(arn).plaintext(PLAINTEXT)).ciphertextBlob();

    assertDenied(
        deniedOnKey(keyAdmin, "Encrypt", arn),
        () -> kadmin.encrypt(b -> b.keyId(arn).plaintext(PLAINTEXT)));
    assertDenied(
        viaCiphertext(deniedOnKey(keyAdmin, "Decrypt", arn)),
        () -> kadmin.decrypt(b -> b.ciphertextBlob(blob)));
    assertDenied(
        deniedOnKey(keyAdmin, "Decrypt", arn),
        () -> kadmin.decrypt(b -> b.ciphertextBlob(blob).keyId(key.keyId())));
    assertDenied(
        deniedOnKey(keyAdmin, "GenerateDataKey", arn),
        () -> kadmin.generateDataKey(b -> b.keyId(arn).keySpec(DataKeySpec.AES_256)));
    assertDenied(
        deniedOnKey(keyAdmin, "GenerateDataKeyWithoutPlaintext", arn),
        () ->
            kadmin.generateDataKeyWithoutPlaintext(b -> b.keyId(arn).keySpec(DataKeySpec.AES_256)));
    // ReEncrypt checks its destination key first (kms:ReEncryptTo), before opening the source.
    assertDenied(
        deniedOnKey(keyAdmin, "ReEncryptTo", arn),
        () -> kadmin.reEncrypt(b -> b.ciphertextBlob(blob).destinationKeyId(arn)));
  }

  @Test
  void neitherKeyUserNorKeyAdministrator_mayDoAccountLevelActions_withoutAnIdentityPolicy() {
    for (Principal p : List.of(keyUser, keyAdmin)) {
      KmsClient c = p.client();
      assertDenied(accountLevel(p.arn(), "kms:CreateKey"), () -> c.createKey(b -> {}));
      assertDenied(accountLevel(p.arn(), "kms:ListKeys"), () -> c.listKeys(b -> {}));
      assertDenied(accountLevel(p.arn(), "kms:ListAliases"), () -> c.listAliases(b -> {}));
      assertDenied(
          accountLevel(p.arn(), "kms:GenerateRandom"),
          () -> c.generateRandom(b -> b.numberOfBytes(16)));
    }
  }

  // --- The default key policy: the account's identity policies decide ---------------------------

  @Test
  void defaultKeyPolicy_identityPolicyAllowingEncryptOnTheKey_allowsEncryptOnly() {
    KeyMetadata key = admin.createKey(b -> {}).keyMetadata();
    KeyMetadata otherKey = admin.createKey(b -> {}).keyMetadata();
    principals.setPolicy(
        encryptor.arn(),
        Policies.document(
            Policies.allow("EncryptWithOneKey").actions("kms:Encrypt").resource(key.arn())));
    KmsClient c = encryptor.client();

    SdkBytes blob = c.encrypt(b -> b.keyId(key.keyId()).plaintext(PLAINTEXT)).ciphertextBlob();

    assertDenied(
        viaCiphertext(deniedOnKey(encryptor, "Decrypt", key.arn())),
        () -> c.decrypt(b -> b.ciphertextBlob(blob)));
    assertDenied(
        deniedOnKey(encryptor, "Encrypt", otherKey.arn()),
        () -> c.encrypt(b -> b.keyId(otherKey.keyId()).plaintext(PLAINTEXT)));
    assertDenied(
        deniedOnKey(encryptor, "DescribeKey", key.arn()),
        () -> c.describeKey(b -> b.keyId(key.keyId())));
    assertDenied(accountLevel(encryptor.arn(), "kms:ListKeys"), () -> c.listKeys(b -> {}));
    assertArrayEquals(
        PLAINTEXT.asByteArray(),
        admin.decrypt(b -> b.ciphertextBlob(blob)).plaintext().asByteArray(),
        "the ciphertext is good: only its use by the encryptor is refused");
  }

  @Test
  void defaultKeyPolicy_principalWithoutIdentityPolicy_canDoNothing() {
    KeyMetadata key = admin.createKey(b -> {}).keyMetadata();
    KmsClient c = nobody.client();
    String arn = key.arn();

    assertDenied(
        deniedOnKey(nobody, "Encrypt", arn),
        () -> c.encrypt(b -> b.keyId(arn).plaintext(PLAINTEXT)));
    assertDenied(deniedOnKey(nobody, "DescribeKey", arn), () -> c.describeKey(b -> b.keyId(arn)));
    assertDenied(deniedOnKey(nobody, "DisableKey", arn), () -> c.disableKey(b -> b.keyId(arn)));
    assertDenied(accountLevel(nobody.arn(), "kms:ListKeys"), () -> c.listKeys(b -> {}));
    assertDenied(accountLevel(nobody.arn(), "kms:CreateKey"), () -> c.createKey(b -> {}));
    assertTrue(
        admin.describeKey(b -> b.keyId(arn)).keyMetadata().enabled(), "the key is unchanged");
  }

  /** The implicit deny of {@code kms:<operation>} on a key the key policy does not open. */
  static String deniedOnKey(Principal p, String action, String keyArn) {
    // The key policies here trust the account (the root statement): what the caller misses is
    // an identity policy or a statement naming it, and AWS names the identity-based side.
    return noIdentityPolicyAllows(p.arn(), "kms:" + action, keyArn);
  }
}
