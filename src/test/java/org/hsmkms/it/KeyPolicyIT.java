package org.hsmkms.it;

import static org.hsmkms.it.KmsTesting.assertAwsError;
import static org.hsmkms.it.KmsTesting.keyArn;
import static org.hsmkms.it.KmsTesting.newKey;
import static org.hsmkms.it.KmsTesting.newKeyWithAlias;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.hsmkms.it.KmsTesting.KeyIdForm;
import org.hsmkms.it.KmsTesting.TestKey;
import org.hsmkms.testing.TestServer;
import org.hsmkms.testing.TestServer.RawResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.GetKeyPolicyResponse;
import software.amazon.awssdk.services.kms.model.LimitExceededException;
import software.amazon.awssdk.services.kms.model.ListKeyPoliciesResponse;
import software.amazon.awssdk.services.kms.model.MalformedPolicyDocumentException;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.kms.model.PutKeyPolicyResponse;

/**
 * GetKeyPolicy, ListKeyPolicies and PutKeyPolicy through the AWS SDK: a policy is returned exactly
 * as CreateKey or PutKeyPolicy got it, a key created without one has the default policy, the one
 * policy name is {@code default}, policies are checked alike on both ways in, and PutKeyPolicy is a
 * management operation (caller's account only, not while the key is pending deletion).
 */
class KeyPolicyIT {
  /** Spacing, key order and escapes a re-serialisation would change. */
  private static final String POLICY =
      "{\n  \"Version\":\"2012-10-17\",  \"Id\" : \"it-policy\",\n"
          + "\t\"Statement\":[{\"Sid\":\"Enable IAM \\u0055ser\",\"Effect\":\"Allow\","
          + "\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},"
          + "\"Action\":\"kms:*\",\"Resource\":\"*\"}]}\r\n";

  /** Another valid policy; the caller's account root may still change it. */
  private static final String OTHER_POLICY =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Admins\",\"Effect\":\"Allow\","
          + "\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},"
          + "\"Action\":[\"kms:PutKeyPolicy\",\"kms:GetKeyPolicy\"],\"Resource\":\"*\"}]}";

  /** A policy that lets only another principal change it: it would lock the caller out. */
  private static final String LOCKOUT_POLICY =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Admins\",\"Effect\":\"Allow\","
          + "\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:user/admin\"},"
          + "\"Action\":[\"kms:PutKeyPolicy\",\"kms:GetKeyPolicy\"],\"Resource\":\"*\"}]}";

  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();

  // --- GetKeyPolicy and ListKeyPolicies
  // -----------------------------------------------------------

  @Test
  void createKey_withPolicy_getKeyPolicyReturnsItByteForByte() {
    String keyId = kms.createKey(b -> b.policy(POLICY)).keyMetadata().keyId();

    GetKeyPolicyResponse got = kms.getKeyPolicy(b -> b.keyId(keyId).policyName("default"));

    assertEquals(POLICY, got.policy());
    assertEquals("default", got.policyName());
  }

  @Test
  void createKey_withoutPolicy_hasTheDefaultPolicyGivingTheAccountRootAllOfKms() {
    String keyId = newKey(kms);

    GetKeyPolicyResponse got = kms.getKeyPolicy(b -> b.keyId(keyId));

    assertEquals("default", got.policyName());
    JsonNode policy = KmsTesting.parse(got.policy());
    assertEquals("2012-10-17", policy.get("Version").asText());
    JsonNode statement = policy.get("Statement").get(0);
    assertEquals(1, policy.get("Statement").size());
    assertEquals("Allow", statement.get("Effect").asText());
    assertEquals(
        "arn:aws:iam::" + TestServer.ACCOUNT + ":root",
        statement.get("Principal").get("AWS").asText());
    assertEquals("kms:*", statement.get("Action").asText());
    assertEquals("*", statement.get("Resource").asText());
  }

  @ParameterizedTest
  @EnumSource(KeyIdForm.class)
  void getKeyPolicy_byEachKeyIdForm_findsTheKey(KeyIdForm form) {
    TestKey key = newKeyWithAlias(kms);
    kms.putKeyPolicy(b -> b.keyId(key.keyId()).policy(OTHER_POLICY));

    assertEquals(OTHER_POLICY, kms.getKeyPolicy(b -> b.keyId(form.of(key))).policy());
  }

  @Test
  void listKeyPolicies_namesDefaultOnly() {
    String keyId = newKey(kms);

    ListKeyPoliciesResponse list = kms.listKeyPolicies(b -> b.keyId(keyId));

    assertEquals(List.of("default"), list.policyNames());
    assertFalse(list.truncated());
    assertNull(list.nextMarker());
  }

  @Test
  void listKeyPolicies_withLimitOne_stillFitsAndIsNotTruncated() {
    String keyId = newKey(kms);

    ListKeyPoliciesResponse list = kms.listKeyPolicies(b -> b.keyId(keyId).limit(1));

    assertEquals(List.of("default"), list.policyNames());
    assertFalse(list.truncated());
  }

  @Test
  void listKeyPolicies_withAMarkerOfAnotherListing_isInvalidMarkerException() {
    String keyId = newKey(kms);
    String keysMarker = kms.listKeys(b -> b.limit(1)).nextMarker();

    assertAwsError(
        "InvalidMarkerException",
        () -> kms.listKeyPolicies(b -> b.keyId(keyId).marker(keysMarker)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"Default", "custom", "key_policy_2"})
  void policyNameOtherThanDefault_isNotFoundException(String name) {
    String keyId = newKey(kms);

    assertThrows(
        NotFoundException.class, () -> kms.getKeyPolicy(b -> b.keyId(keyId).policyName(name)));
    assertThrows(
        NotFoundException.class,
        () -> kms.putKeyPolicy(b -> b.keyId(keyId).policyName(name).policy(OTHER_POLICY)));
    assertEquals(
        defaultPolicy(),
        kms.getKeyPolicy(b -> b.keyId(keyId)).policy(),
        "the refused PutKeyPolicy changed nothing");
  }

  @Test
  void policyNameNotAWord_isValidationException() {
    String keyId = newKey(kms);

    assertAwsError(
        "ValidationException", () -> kms.getKeyPolicy(b -> b.keyId(keyId).policyName("de-fault")));
  }

  // --- PutKeyPolicy ------------------------------------------------------------------------------

  @Test
  void putKeyPolicy_thenGetKeyPolicyReturnsTheNewPolicy() {
    String keyId = kms.createKey(b -> b.policy(POLICY)).keyMetadata().keyId();

    kms.putKeyPolicy(b -> b.keyId(keyId).policyName("default").policy(OTHER_POLICY));

    assertEquals(OTHER_POLICY, kms.getKeyPolicy(b -> b.keyId(keyId)).policy());
  }

  @Test
  void putKeyPolicy_withoutPolicyName_replacesTheDefaultPolicy() {
    String keyId = newKey(kms);

    kms.putKeyPolicy(b -> b.keyId(keyId).policy(OTHER_POLICY));

    assertEquals(
        OTHER_POLICY, kms.getKeyPolicy(b -> b.keyId(keyId).policyName("default")).policy());
  }

  @Test
  void aPolicyThatWouldLockTheCallerOut_isRefused_unlessTheCheckIsBypassed() {
    String keyId = newKey(kms);
    String before = kms.getKeyPolicy(b -> b.keyId(keyId)).policy();

    MalformedPolicyDocumentException e =
        assertThrows(
            MalformedPolicyDocumentException.class,
            () -> kms.putKeyPolicy(b -> b.keyId(keyId).policy(LOCKOUT_POLICY)));
    assertEquals(
        "The new key policy will not allow you to update the key policy in the future.",
        e.awsErrorDetails().errorMessage());
    assertThrows(
        MalformedPolicyDocumentException.class, () -> kms.createKey(b -> b.policy(LOCKOUT_POLICY)));
    assertEquals(before, kms.getKeyPolicy(b -> b.keyId(keyId)).policy());

    kms.putKeyPolicy(
        b -> b.keyId(keyId).policy(LOCKOUT_POLICY).bypassPolicyLockoutSafetyCheck(true));
    // Bypassed, the check was right: the caller can no longer read or change the policy.
    assertAccessDenied("kms:GetKeyPolicy", () -> kms.getKeyPolicy(b -> b.keyId(keyId)));
    assertAccessDenied(
        "kms:PutKeyPolicy", () -> kms.putKeyPolicy(b -> b.keyId(keyId).policy(OTHER_POLICY)));
    String created =
        kms.createKey(b -> b.policy(LOCKOUT_POLICY).bypassPolicyLockoutSafetyCheck(true))
            .keyMetadata()
            .keyId();
    assertAccessDenied("kms:GetKeyPolicy", () -> kms.getKeyPolicy(b -> b.keyId(created)));
  }

  private static void assertAccessDenied(String action, Executable call) {
    software.amazon.awssdk.services.kms.model.KmsException e =
        assertThrows(software.amazon.awssdk.services.kms.model.KmsException.class, call);
    assertEquals("AccessDeniedException", e.awsErrorDetails().errorCode());
    assertEquals(400, e.statusCode());
    assertTrue(
        e.awsErrorDetails()
            .errorMessage()
            .startsWith(
                "User: " + TestServer.PRINCIPAL + " is not authorized to perform: " + action),
        e.awsErrorDetails().errorMessage());
  }

  @Test
  void aPolicyThatIsNotAKeyPolicy_isMalformedPolicyDocumentException_sayingWhy() {
    String keyId = newKey(kms);
    String noPrincipal =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";

    MalformedPolicyDocumentException e =
        assertThrows(
            MalformedPolicyDocumentException.class,
            () -> kms.putKeyPolicy(b -> b.keyId(keyId).policy(noPrincipal)));
    assertTrue(e.awsErrorDetails().errorMessage().contains("Principal"), e.getMessage());
  }

  @Test
  void putKeyPolicy_onADisabledKey_isAllowed() {
    String keyId = newKey(kms);
    kms.disableKey(b -> b.keyId(keyId));

    kms.putKeyPolicy(b -> b.keyId(keyId).policy(OTHER_POLICY));

    assertEquals(OTHER_POLICY, kms.getKeyPolicy(b -> b.keyId(keyId)).policy());
  }

  @Test
  void putKeyPolicy_onAKeyPendingDeletion_replacesThePolicy_andGetAnswersIt() {
    String keyId = newKey(kms);
    kms.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7));

    // AWS's key state table: PutKeyPolicy, GetKeyPolicy and ListKeyPolicies in every key state.
    kms.putKeyPolicy(b -> b.keyId(keyId).policy(OTHER_POLICY));

    // (OTHER_POLICY allows the caller only GetKeyPolicy and PutKeyPolicy.)
    assertEquals(OTHER_POLICY, kms.getKeyPolicy(b -> b.keyId(keyId)).policy());
  }

  @Test
  void keyOfAnotherAccount_isNotFoundByKeyId_andRefusedByArn_forAllThree() {
    String keyId = newKey(kms);
    KmsClient other = server.otherAccountClient();
    String arn = keyArn(keyId);

    assertThrows(NotFoundException.class, () -> other.getKeyPolicy(b -> b.keyId(keyId)));
    assertThrows(NotFoundException.class, () -> other.listKeyPolicies(b -> b.keyId(keyId)));
    assertThrows(
        NotFoundException.class,
        () -> other.putKeyPolicy(b -> b.keyId(keyId).policy(OTHER_POLICY)));
    // By ARN the key is found, but AWS never allows these three across accounts.
    for (Executable call :
        List.<Executable>of(
            () -> other.getKeyPolicy(b -> b.keyId(arn)),
            () -> other.listKeyPolicies(b -> b.keyId(arn)),
            () -> other.putKeyPolicy(b -> b.keyId(arn).policy(OTHER_POLICY)))) {
      software.amazon.awssdk.services.kms.model.KmsException e =
          assertThrows(software.amazon.awssdk.services.kms.model.KmsException.class, call);
      assertEquals("AccessDeniedException", e.awsErrorDetails().errorCode());
    }
    assertEquals(defaultPolicy(), kms.getKeyPolicy(b -> b.keyId(keyId)).policy());
  }

  @Test
  void unknownKey_isNotFoundException() {
    String missing = "00000000-0000-4000-8000-00000000dead";

    assertThrows(NotFoundException.class, () -> kms.getKeyPolicy(b -> b.keyId(missing)));
    assertThrows(
        NotFoundException.class, () -> kms.putKeyPolicy(b -> b.keyId(missing).policy("{}")));
  }

  // --- Policy checks, shared by CreateKey and PutKeyPolicy
  // ----------------------------------------

  @ParameterizedTest
  @ValueSource(
      strings = {
        "not a policy",
        "{\"Version\":",
        "[]",
        "\"a string\"",
        "42",
        "{} {}",
        "{\"Version\":\"2012-10-17\",\"Version\":\"2008-10-17\"}",
        "{'Version':'2012-10-17'}"
      })
  void malformedOrNotAnObject_isMalformedPolicyDocumentException(String policy) {
    String keyId = newKey(kms);

    assertThrows(
        MalformedPolicyDocumentException.class,
        () -> kms.putKeyPolicy(b -> b.keyId(keyId).policy(policy)));
    assertThrows(
        MalformedPolicyDocumentException.class, () -> kms.createKey(b -> b.policy(policy)));
    assertEquals(defaultPolicy(), kms.getKeyPolicy(b -> b.keyId(keyId)).policy());
  }

  @Test
  void policyOf32KiB_isStored_andOneByteMore_isLimitExceededException() {
    String keyId = newKey(kms);
    String exactly = policyOfBytes(32 * 1024);
    String tooLarge = policyOfBytes(32 * 1024 + 1);

    kms.putKeyPolicy(b -> b.keyId(keyId).policy(exactly));
    assertEquals(exactly, kms.getKeyPolicy(b -> b.keyId(keyId)).policy());

    // The key policy document size is a resource quota: LimitExceededException.
    LimitExceededException e =
        assertThrows(
            LimitExceededException.class,
            () -> kms.putKeyPolicy(b -> b.keyId(keyId).policy(tooLarge)));
    assertTrue(e.awsErrorDetails().errorMessage().contains("32768"), e.getMessage());
    assertThrows(LimitExceededException.class, () -> kms.createKey(b -> b.policy(tooLarge)));
    assertEquals(exactly, kms.getKeyPolicy(b -> b.keyId(keyId)).policy());
  }

  @Test
  void policyCountsBytes_notCharacters() {
    // U+00E9 is one character and two UTF-8 bytes; the model's pattern allows it.
    String keyId = newKey(kms);
    String padding = "\u00e9".repeat(16 * 1024);
    String policy = "{\"Id\":\"" + padding + "\"}";

    assertThrows(
        LimitExceededException.class, () -> kms.putKeyPolicy(b -> b.keyId(keyId).policy(policy)));
  }

  @Test
  void policyWithACharacterTheModelForbids_isValidationException() {
    String keyId = newKey(kms);

    assertAwsError(
        "ValidationException",
        () -> kms.putKeyPolicy(b -> b.keyId(keyId).policy("{\"Id\":\"\u20ac\"}")));
  }

  @Test
  void emptyPolicy_isValidationException() {
    String keyId = newKey(kms);

    assertAwsError("ValidationException", () -> kms.putKeyPolicy(b -> b.keyId(keyId).policy("")));
  }

  // --- Audit
  // ---------------------------------------------------------------------------------------

  @Test
  void putKeyPolicy_isAuditedWithItsKey() {
    String keyId = newKey(kms);

    PutKeyPolicyResponse r = kms.putKeyPolicy(b -> b.keyId(keyId).policy(OTHER_POLICY));

    JsonNode a = auditRecord(r.responseMetadata().requestId());
    assertEquals("PutKeyPolicy", a.get("operation").asText());
    assertEquals(keyArn(keyId), a.get("keyArns").get(0).asText());
    assertFalse(a.toString().contains("\"Admins\""), "the policy text is not audited");
    assertEquals(
        "kms:PutKeyPolicy on "
            + keyArn(keyId)
            + ": allowed by identity policy statement \"Statement[0]\"",
        a.get("authorization").get(0).asText());
  }

  @Test
  void getKeyPolicy_onTheWire_hasAwsShape() {
    String keyId = kms.createKey(b -> b.policy(POLICY)).keyMetadata().keyId();

    RawResponse r = server.post("TrentService.GetKeyPolicy", "{\"KeyId\":\"" + keyId + "\"}");

    assertEquals(200, r.status(), r.body());
    JsonNode body = KmsTesting.parse(r.body());
    assertEquals(POLICY, body.get("Policy").asText());
    assertEquals("default", body.get("PolicyName").asText());
    assertEquals(2, body.size(), r.body());
  }

  /** A JSON object of exactly {@code bytes} ASCII bytes. */
  private static String policyOfBytes(int bytes) {
    String head = "{\"Version\":\"2012-10-17\",\"Id\":\"";
    String tail =
        "\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"111122223333\"},"
            + "\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";
    return head + "x".repeat(bytes - head.length() - tail.length()) + tail;
  }

  /** The default policy of the client's account, as another key without a policy shows it. */
  private String defaultPolicy() {
    String fresh = newKey(kms);
    return kms.getKeyPolicy(b -> b.keyId(fresh)).policy();
  }

  private JsonNode auditRecord(String requestId) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    do {
      for (String l : server.auditLines()) {
        if (l.contains("\"requestId\":\"" + requestId + "\"")) {
          return KmsTesting.parse(l);
        }
      }
    } while (System.nanoTime() < deadline);
    throw new AssertionError("no audit record for request " + requestId);
  }
}
