package org.hsmkms.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The condition keys a request gives by itself (AWS "AWS KMS condition keys" and IAM's global
 * condition keys): the caller's, the connection's, the time, and those each operation takes from
 * its fields, with AWS's defaults for the fields a request leaves out.
 */
class RequestConditionsTest {
  private static final String ACCOUNT = "111122223333";
  private static final String ALICE = "arn:aws:iam::111122223333:user/alice";
  private static final Instant NOW = Instant.parse("2025-06-07T08:09:10Z");
  private static final String KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";

  /** The condition keys of {@code operation} with body {@code json}, asked by Alice over HTTP. */
  private static Map<String, List<String>> of(String operation, String json) {
    return RequestConditions.of(ALICE, ACCOUNT, "192.0.2.7", false, NOW, operation, parse(json));
  }

  private static com.fasterxml.jackson.databind.JsonNode parse(String json) {
    try {
      return Json.MAPPER.readTree(json.replace('\'', '"'));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  // --- The caller, the connection, the time --------------------------------------------------

  @Test
  void requestWithoutFields_hasExactlyTheCallersConnectionsAndTimesKeys() {
    assertEquals(
        Map.of(
            "aws:PrincipalArn", List.of(ALICE),
            "aws:PrincipalAccount", List.of(ACCOUNT),
            "kms:CallerAccount", List.of(ACCOUNT),
            "aws:PrincipalType", List.of("User"),
            "aws:username", List.of("alice"),
            "aws:SourceIp", List.of("192.0.2.7"),
            "aws:SecureTransport", List.of("false"),
            "aws:CurrentTime", List.of("2025-06-07T08:09:10Z"),
            "aws:EpochTime", List.of(Long.toString(NOW.getEpochSecond()))),
        of("ListKeys", "{}"));
  }

  @Test
  void secureTransport_isTrue_forARequestOverTls() {
    Map<String, List<String>> keys =
        RequestConditions.of(ALICE, ACCOUNT, "192.0.2.7", true, NOW, "ListKeys", parse("{}"));

    assertEquals(List.of("true"), keys.get("aws:SecureTransport"));
  }

  @Test
  void sourceIp_isAbsent_whenTheAddressIsUnknown() {
    Map<String, List<String>> keys =
        RequestConditions.of(ALICE, ACCOUNT, null, false, NOW, "ListKeys", parse("{}"));

    assertFalse(keys.containsKey("aws:SourceIp"), keys.toString());
  }

  @ParameterizedTest(name = "{0}: {1}, username {2}")
  @CsvSource(
      nullValues = "-",
      value = {
        "arn:aws:iam::111122223333:user/alice, User, alice",
        "arn:aws:iam::111122223333:user/division/team/bob, User, bob",
        "arn:aws:iam::111122223333:root, Account, -",
        "arn:aws:sts::111122223333:assumed-role/Admin/session-1, AssumedRole, -",
        "arn:aws:iam::111122223333:role/Admin, User, -"
      })
  void principalType_andUsername_followThePrincipalsArn(
      String principal, String type, String username) {
    Map<String, List<String>> keys =
        RequestConditions.of(principal, ACCOUNT, null, false, NOW, "ListKeys", parse("{}"));

    assertEquals(List.of(type), keys.get("aws:PrincipalType"));
    assertEquals(List.of(principal), keys.get("aws:PrincipalArn"));
    // aws:username: only for an IAM user, its friendly name (the last segment of its path).
    assertEquals(username == null ? null : List.of(username), keys.get("aws:username"));
  }

  // --- Encryption context and algorithms -----------------------------------------------------

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Encrypt",
        "Decrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext"
      })
  void encryptionContext_givesOneKeyPerPair_withTheCaseKept_andTheListOfItsKeys(String operation) {
    Map<String, List<String>> keys =
        of(
            operation,
            "{'KeyId':'" + KEY_ID + "','EncryptionContext':{'Department':'IT','project':'Alpha'}}");

    assertEquals(List.of("IT"), keys.get("kms:EncryptionContext:Department"));
    assertEquals(List.of("Alpha"), keys.get("kms:EncryptionContext:project"));
    assertNull(keys.get("kms:EncryptionContext:department"));
    assertEquals(List.of("Department", "project"), keys.get("kms:EncryptionContextKeys"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"Encrypt", "Decrypt", "GenerateDataKey", "GenerateDataKeyPair"})
  void noEncryptionContext_givesNoContextKeys_butTheDefaultAlgorithm(String operation) {
    Map<String, List<String>> keys = of(operation, "{'KeyId':'" + KEY_ID + "'}");

    assertFalse(keys.containsKey("kms:EncryptionContextKeys"), keys.toString());
    assertFalse(
        keys.keySet().stream().anyMatch(k -> k.startsWith("kms:EncryptionContext:")),
        keys.toString());
    assertEquals(List.of("SYMMETRIC_DEFAULT"), keys.get("kms:EncryptionAlgorithm"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"Encrypt", "Decrypt"})
  void encryptionAlgorithm_isTheRequestsOne_whenGiven(String operation) {
    Map<String, List<String>> keys =
        of(operation, "{'KeyId':'" + KEY_ID + "','EncryptionAlgorithm':'RSAES_OAEP_SHA_256'}");

    assertEquals(List.of("RSAES_OAEP_SHA_256"), keys.get("kms:EncryptionAlgorithm"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext"})
  void dataKeyPair_givesItsPairSpec(String operation) {
    Map<String, List<String>> keys =
        of(operation, "{'KeyId':'" + KEY_ID + "','KeyPairSpec':'ECC_NIST_P384'}");

    assertEquals(List.of("ECC_NIST_P384"), keys.get("kms:DataKeyPairSpec"));
    assertEquals(List.of("SYMMETRIC_DEFAULT"), keys.get("kms:EncryptionAlgorithm"));
  }

  @Test
  void reEncrypt_givesBothContexts_andBothAlgorithms() {
    Map<String, List<String>> keys =
        of(
            "ReEncrypt",
            "{'DestinationKeyId':'"
                + KEY_ID
                + "','SourceEncryptionContext':{'Stage':'old','From':'a'},"
                + "'DestinationEncryptionContext':{'Stage':'new','To':'b'},"
                + "'DestinationEncryptionAlgorithm':'RSAES_OAEP_SHA_1'}");

    assertEquals(List.of("old", "new"), keys.get("kms:EncryptionContext:Stage"));
    assertEquals(List.of("a"), keys.get("kms:EncryptionContext:From"));
    assertEquals(List.of("b"), keys.get("kms:EncryptionContext:To"));
    assertEquals(List.of("Stage", "From", "To"), keys.get("kms:EncryptionContextKeys"));
    // The source algorithm left out is AWS's default.
    assertEquals(
        List.of("SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1"), keys.get("kms:EncryptionAlgorithm"));
  }

  @Test
  void reEncrypt_withoutAlgorithms_givesTheDefaultOnce() {
    Map<String, List<String>> keys = of("ReEncrypt", "{'DestinationKeyId':'" + KEY_ID + "'}");

    assertEquals(List.of("SYMMETRIC_DEFAULT"), keys.get("kms:EncryptionAlgorithm"));
  }

  // --- Signatures, MACs, key agreement -------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"Sign", "Verify"})
  void signAndVerify_giveTheSigningAlgorithm_andMessageTypeRawByDefault(String operation) {
    Map<String, List<String>> keys =
        of(operation, "{'KeyId':'" + KEY_ID + "','SigningAlgorithm':'ECDSA_SHA_256'}");

    assertEquals(List.of("ECDSA_SHA_256"), keys.get("kms:SigningAlgorithm"));
    assertEquals(List.of("RAW"), keys.get("kms:MessageType"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"Sign", "Verify"})
  void signAndVerify_giveTheRequestsMessageType(String operation) {
    Map<String, List<String>> keys =
        of(
            operation,
            "{'KeyId':'"
                + KEY_ID
                + "','SigningAlgorithm':'RSASSA_PSS_SHA_256','MessageType':'DIGEST'}");

    assertEquals(List.of("DIGEST"), keys.get("kms:MessageType"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"GenerateMac", "VerifyMac"})
  void macOperations_giveTheMacAlgorithm(String operation) {
    Map<String, List<String>> keys =
        of(operation, "{'KeyId':'" + KEY_ID + "','MacAlgorithm':'HMAC_SHA_384'}");

    assertEquals(List.of("HMAC_SHA_384"), keys.get("kms:MacAlgorithm"));
  }

  @Test
  void deriveSharedSecret_givesTheKeyAgreementAlgorithm() {
    Map<String, List<String>> keys =
        of("DeriveSharedSecret", "{'KeyId':'" + KEY_ID + "','KeyAgreementAlgorithm':'ECDH'}");

    assertEquals(List.of("ECDH"), keys.get("kms:KeyAgreementAlgorithm"));
  }

  // --- CreateKey, policies, tags ---------------------------------------------------------------

  @Test
  void createKey_withoutFields_givesAwsDefaults() {
    Map<String, List<String>> keys = of("CreateKey", "{}");

    assertEquals(List.of("SYMMETRIC_DEFAULT"), keys.get("kms:KeySpec"));
    assertEquals(List.of("ENCRYPT_DECRYPT"), keys.get("kms:KeyUsage"));
    assertEquals(List.of("AWS_KMS"), keys.get("kms:KeyOrigin"));
    assertEquals(List.of("false"), keys.get("kms:MultiRegion"));
    assertEquals(List.of("false"), keys.get("kms:BypassPolicyLockoutSafetyCheck"));
    assertFalse(keys.containsKey("aws:TagKeys"), keys.toString());
  }

  @Test
  void createKey_givesTheRequestsProperties() {
    Map<String, List<String>> keys =
        of(
            "CreateKey",
            "{'KeySpec':'ECC_NIST_P256','KeyUsage':'SIGN_VERIFY','Origin':'EXTERNAL',"
                + "'MultiRegion':true,'BypassPolicyLockoutSafetyCheck':true}");

    assertEquals(List.of("ECC_NIST_P256"), keys.get("kms:KeySpec"));
    assertEquals(List.of("SIGN_VERIFY"), keys.get("kms:KeyUsage"));
    assertEquals(List.of("EXTERNAL"), keys.get("kms:KeyOrigin"));
    assertEquals(List.of("true"), keys.get("kms:MultiRegion"));
    assertEquals(List.of("true"), keys.get("kms:BypassPolicyLockoutSafetyCheck"));
  }

  @Test
  void createKey_withTheDeprecatedCustomerMasterKeySpec_givesItAsKeySpec() {
    Map<String, List<String>> keys = of("CreateKey", "{'CustomerMasterKeySpec':'RSA_2048'}");

    assertEquals(List.of("RSA_2048"), keys.get("kms:KeySpec"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"CreateKey", "TagResource"})
  void tags_giveARequestTagPerTag_andTheListOfTagKeys(String operation) {
    Map<String, List<String>> keys =
        of(
            operation,
            "{'KeyId':'"
                + KEY_ID
                + "','Tags':[{'TagKey':'Project','TagValue':'Alpha'},"
                + "{'TagKey':'cost-center','TagValue':'42'}]}");

    assertEquals(List.of("Alpha"), keys.get("aws:RequestTag/Project"));
    assertEquals(List.of("42"), keys.get("aws:RequestTag/cost-center"));
    assertEquals(List.of("Project", "cost-center"), keys.get("aws:TagKeys"));
  }

  @Test
  void untagResource_givesTheTagKeys_andNoRequestTag() {
    Map<String, List<String>> keys =
        of("UntagResource", "{'KeyId':'" + KEY_ID + "','TagKeys':['Project','Owner']}");

    assertEquals(List.of("Project", "Owner"), keys.get("aws:TagKeys"));
    assertFalse(
        keys.keySet().stream().anyMatch(k -> k.startsWith("aws:RequestTag/")), keys.toString());
  }

  @ParameterizedTest
  @CsvSource({"true, true", "false, false"})
  void putKeyPolicy_givesTheBypassFlag(boolean bypass, String expected) {
    Map<String, List<String>> keys =
        of(
            "PutKeyPolicy",
            "{'KeyId':'"
                + KEY_ID
                + "','Policy':'{}','BypassPolicyLockoutSafetyCheck':"
                + bypass
                + "}");

    assertEquals(List.of(expected), keys.get("kms:BypassPolicyLockoutSafetyCheck"));
  }

  @Test
  void putKeyPolicy_withoutTheBypassFlag_givesFalse() {
    assertEquals(
        List.of("false"),
        of("PutKeyPolicy", "{'KeyId':'" + KEY_ID + "','Policy':'{}'}")
            .get("kms:BypassPolicyLockoutSafetyCheck"));
  }

  @ParameterizedTest
  @CsvSource(
      nullValues = "-",
      value = {
        "EnableKeyRotation, RotationPeriodInDays, kms:RotationPeriodInDays, 90, 90",
        "EnableKeyRotation, RotationPeriodInDays, kms:RotationPeriodInDays, -, 365",
        "ScheduleKeyDeletion, PendingWindowInDays, kms:ScheduleKeyDeletionPendingWindowInDays, 7, 7",
        "ScheduleKeyDeletion, PendingWindowInDays, kms:ScheduleKeyDeletionPendingWindowInDays, -, 30"
      })
  void periods_areTheRequestsOrAwsDefault(
      String operation, String field, String conditionKey, String given, String expected) {
    String body =
        "{'KeyId':'" + KEY_ID + "'" + (given == null ? "" : ",'" + field + "':" + given) + "}";

    assertEquals(List.of(expected), of(operation, body).get(conditionKey));
  }

  // --- Grants ----------------------------------------------------------------------------------

  @Test
  void createGrant_givesItsPrincipals_operations_constraintTypes_andConstraintContext() {
    Map<String, List<String>> keys =
        of(
            "CreateGrant",
            "{'KeyId':'"
                + KEY_ID
                + "','GranteePrincipal':'arn:aws:iam::111122223333:role/app',"
                + "'RetiringPrincipal':'arn:aws:iam::111122223333:user/ops',"
                + "'Operations':['Decrypt','Encrypt','RetireGrant'],"
                + "'Constraints':{'EncryptionContextSubset':{'Department':'IT'}}}");

    assertEquals(List.of("arn:aws:iam::111122223333:role/app"), keys.get("kms:GranteePrincipal"));
    assertEquals(List.of("arn:aws:iam::111122223333:user/ops"), keys.get("kms:RetiringPrincipal"));
    assertEquals(List.of("Decrypt", "Encrypt", "RetireGrant"), keys.get("kms:GrantOperations"));
    assertEquals(List.of("EncryptionContextSubset"), keys.get("kms:GrantConstraintType"));
    assertEquals(List.of("IT"), keys.get("kms:EncryptionContext:Department"));
    assertEquals(List.of("Department"), keys.get("kms:EncryptionContextKeys"));
    assertEquals(List.of("false"), keys.get("kms:GrantIsForAWSResource"));
  }

  @Test
  void createGrant_withBothConstraints_givesBothTypes() {
    Map<String, List<String>> keys =
        of(
            "CreateGrant",
            "{'KeyId':'"
                + KEY_ID
                + "','GranteePrincipal':'arn:aws:iam::111122223333:role/app',"
                + "'Operations':['Decrypt'],"
                + "'Constraints':{'EncryptionContextEquals':{'a':'1'},"
                + "'EncryptionContextSubset':{'b':'2'}}}");

    assertEquals(
        List.of("EncryptionContextEquals", "EncryptionContextSubset"),
        keys.get("kms:GrantConstraintType"));
    assertEquals(List.of("a", "b"), keys.get("kms:EncryptionContextKeys"));
  }

  @Test
  void createGrant_withoutConstraintsOrRetiringPrincipal_givesNeither() {
    Map<String, List<String>> keys =
        of(
            "CreateGrant",
            "{'KeyId':'"
                + KEY_ID
                + "','GranteePrincipal':'arn:aws:iam::111122223333:role/app',"
                + "'Operations':['Decrypt']}");

    assertFalse(keys.containsKey("kms:GrantConstraintType"), keys.toString());
    assertFalse(keys.containsKey("kms:RetiringPrincipal"), keys.toString());
    assertFalse(keys.containsKey("kms:EncryptionContextKeys"), keys.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ListGrants", "RevokeGrant"})
  void listAndRevokeGrants_sayTheGrantIsNotForAnAwsResource(String operation) {
    assertEquals(
        List.of("false"),
        of(operation, "{'KeyId':'" + KEY_ID + "','GrantId':'g'}").get("kms:GrantIsForAWSResource"));
  }

  // --- kms:RequestAlias ------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"alias/app-key", "arn:aws:kms:us-east-1:111122223333:alias/app-key"})
  void keyNamedByAliasNameOrAliasArn_givesTheAliasName(String keyId) {
    Map<String, List<String>> keys = of("Encrypt", "{'KeyId':'" + keyId + "'}");

    assertEquals(List.of("alias/app-key"), keys.get("kms:RequestAlias"));
  }

  @ParameterizedTest
  @ValueSource(strings = {KEY_ID, "arn:aws:kms:us-east-1:111122223333:key/" + KEY_ID})
  void keyNamedByKeyIdOrKeyArn_givesNoRequestAlias(String keyId) {
    Map<String, List<String>> keys = of("Encrypt", "{'KeyId':'" + keyId + "'}");

    assertFalse(keys.containsKey("kms:RequestAlias"), keys.toString());
  }

  @Test
  void reEncrypt_givesTheAliasesOfBothKeys() {
    Map<String, List<String>> keys =
        of(
            "ReEncrypt",
            "{'SourceKeyId':'alias/old','DestinationKeyId':"
                + "'arn:aws:kms:us-east-1:111122223333:alias/new'}");

    assertEquals(List.of("alias/old", "alias/new"), keys.get("kms:RequestAlias"));
  }
}
