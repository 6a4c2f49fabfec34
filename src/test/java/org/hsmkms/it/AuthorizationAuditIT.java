package org.hsmkms.it;

import static org.hsmkms.it.KeyPolicyEnforcementIT.separationOfDuties;
import static org.hsmkms.testing.AuditedDecisions.assertAllowedBy;
import static org.hsmkms.testing.AuditedDecisions.assertDeniedBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import org.hsmkms.testing.AuditedDecisions;
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
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * Every audit record says whether its request was allowed or denied, and by what (issue 13, item
 * 6): the key-policy statement (by its Sid), the identity policy, or an explicit or implicit deny.
 * The record's field is read through {@link AuditedDecisions}.
 */
class AuthorizationAuditIT {
  private static final SdkBytes PLAINTEXT = SdkBytes.fromUtf8String("audited decisions");

  private static TestServer server;
  private static KmsClient admin;
  private static Principal keyAdmin;
  private static Principal keyUser;
  private static Principal encryptor;
  private static Principal denyDecrypt;

  @BeforeAll
  static void start() {
    server = TestServer.start(TestServer.newDataDir());
    TestPrincipals principals = new TestPrincipals(server);
    principals.makeTestPrincipalsAdmins();
    admin = server.client();
    keyAdmin = principals.user(TestServer.ACCOUNT, "key-admin", null);
    keyUser = principals.user(TestServer.ACCOUNT, "key-user", null);
    encryptor =
        principals.user(
            TestServer.ACCOUNT,
            "encryptor",
            Policies.document(Policies.allow("EncryptOnly").actions("kms:Encrypt")));
    denyDecrypt =
        principals.user(
            TestServer.ACCOUNT,
            "deny-decrypt",
            Policies.document(
                Policies.allow("Everything").actions("kms:*"),
                Policies.deny("NeverDecrypt").actions("kms:Decrypt")));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void decryptNamingItsKey_isDecidedOnce_andWithoutKeyId_too() {
    KeyMetadata key =
        admin.createKey(b -> b.policy(separationOfDuties(keyAdmin, keyUser))).keyMetadata();
    SdkBytes blob =
        keyUser.client().encrypt(b -> b.keyId(key.keyId()).plaintext(PLAINTEXT)).ciphertextBlob();

    for (String keyId : java.util.Arrays.asList(key.keyId(), null)) {
      String requestId =
          keyUser
              .client()
              .decrypt(b -> b.ciphertextBlob(blob).keyId(keyId))
              .responseMetadata()
              .requestId();

      JsonNode decisions = AuditedDecisions.record(server, requestId).get("authorization");
      assertEquals(1, decisions.size(), decisions.toString());
      assertEquals(
          "kms:Decrypt on "
              + key.arn()
              + ": allowed by key policy statement \"Allow use of the key\"",
          decisions.get(0).asText());
    }
  }

  @Test
  void allowedByAKeyPolicyStatement_namesItsSid() {
    KeyMetadata key =
        admin.createKey(b -> b.policy(separationOfDuties(keyAdmin, keyUser))).keyMetadata();

    String requestId =
        keyUser
            .client()
            .encrypt(b -> b.keyId(key.keyId()).plaintext(PLAINTEXT))
            .responseMetadata()
            .requestId();

    JsonNode record = AuditedDecisions.record(server, requestId);
    assertEquals(keyUser.arn(), record.get("principal").asText());
    assertAllowedBy(record, "Allow use of the key");
  }

  @Test
  void allowedThroughTheAccountRootAndAnIdentityPolicy_saysIdentityPolicy() {
    KeyMetadata key = admin.createKey(b -> {}).keyMetadata();

    String requestId =
        encryptor
            .client()
            .encrypt(b -> b.keyId(key.keyId()).plaintext(PLAINTEXT))
            .responseMetadata()
            .requestId();

    assertAllowedBy(AuditedDecisions.record(server, requestId), "identity");
  }

  @Test
  void accountLevelActionAllowedByTheIdentityPolicy_saysIdentityPolicy() {
    String requestId = admin.listKeys(b -> {}).responseMetadata().requestId();

    assertAllowedBy(AuditedDecisions.record(server, requestId), "identity");
  }

  @Test
  void implicitDenyOnAKey_saysDeniedImplicitly() {
    KeyMetadata key =
        admin.createKey(b -> b.policy(separationOfDuties(keyAdmin, keyUser))).keyMetadata();

    JsonNode record =
        deniedRecord(
            () -> keyAdmin.client().encrypt(b -> b.keyId(key.keyId()).plaintext(PLAINTEXT)));

    assertEquals(keyAdmin.arn(), record.get("principal").asText());
    assertEquals(key.arn(), record.get("keyArns").get(0).asText());
    assertDeniedBy(record, "implicit");
  }

  @Test
  void implicitDenyOfAnAccountLevelAction_saysDeniedImplicitly() {
    assertDeniedBy(deniedRecord(() -> keyUser.client().createKey(b -> {})), "implicit");
  }

  @Test
  void explicitDenyInTheKeyPolicy_namesTheStatement() {
    KeyMetadata key =
        admin
            .createKey(
                b ->
                    b.policy(
                        Policies.document(
                            Policies.enableIamPolicies(TestServer.ACCOUNT),
                            Policies.deny("NoEncryptForTheEncryptor")
                                .principals(encryptor.arn())
                                .actions("kms:Encrypt"))))
            .keyMetadata();

    JsonNode record =
        deniedRecord(
            () -> encryptor.client().encrypt(b -> b.keyId(key.keyId()).plaintext(PLAINTEXT)));

    assertDeniedBy(record, "explicit", "NoEncryptForTheEncryptor");
  }

  @Test
  void explicitDenyInTheIdentityPolicy_saysIdentityPolicy() {
    KeyMetadata key = admin.createKey(b -> {}).keyMetadata();
    SdkBytes blob =
        denyDecrypt
            .client()
            .encrypt(b -> b.keyId(key.keyId()).plaintext(PLAINTEXT))
            .ciphertextBlob();

    JsonNode record = deniedRecord(() -> denyDecrypt.client().decrypt(b -> b.ciphertextBlob(blob)));

    assertDeniedBy(record, "explicit", "identity");
  }

  /** The audit record of a call that must fail with AccessDeniedException. */
  private static JsonNode deniedRecord(Executable call) {
    KmsException e = assertThrows(KmsException.class, call);
    assertEquals("AccessDeniedException", e.awsErrorDetails().errorCode(), e.getMessage());
    return AuditedDecisions.record(server, e.requestId());
  }
}
