package org.hsmkms.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.hsmkms.authz.KmsActions.Entry;
import org.hsmkms.authz.KmsActions.Permission;
import org.hsmkms.authz.KmsActions.Resource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The action table against the bundled AWS KMS model and against AWS's "AWS KMS permissions"
 * reference (kms-api-permissions-reference.html).
 */
class KmsActionsTest {

  static Set<String> modelOperations() throws IOException {
    try (InputStream in = KmsActionsTest.class.getResourceAsStream("/aws/kms-2014-11-01.json")) {
      JsonNode operations = new ObjectMapper().readTree(in).get("operations");
      Set<String> names = new TreeSet<>();
      operations.fieldNames().forEachRemaining(names::add);
      return names;
    }
  }

  private static Entry entry(String operation) {
    return KmsActions.of(operation)
        .orElseThrow(() -> new AssertionError("no entry for " + operation));
  }

  @Test
  void everyOperationOfTheModel_hasAnEntry() throws IOException {
    Set<String> missing = new TreeSet<>(modelOperations());
    missing.removeAll(KmsActions.operations());

    assertEquals(Set.of(), missing);
  }

  @Test
  void noEntry_namesAnOperationTheModelLacks() throws IOException {
    Set<String> extra = new TreeSet<>(KmsActions.operations());
    extra.removeAll(modelOperations());

    assertEquals(Set.of(), extra);
  }

  @Test
  void unknownOperation_hasNoEntry() {
    assertTrue(KmsActions.of("Nope").isEmpty());
    assertTrue(KmsActions.of("decrypt").isEmpty());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modelOperations")
  void everyEntry_isConsistent(String operation) {
    Entry e = entry(operation);

    assertEquals(operation, e.operation());
    assertFalse(e.permissions().isEmpty());
    for (Permission p : e.permissions()) {
      assertTrue(p.action().matches("kms:[A-Z][A-Za-z]+"), p.action());
    }
    // AWS: only operations on a key can be allowed to another account; "*" never is.
    if (e.crossAccount()) {
      assertTrue(e.keyLevel(), operation + " is cross-account but not on a key");
      assertTrue(
          e.permissions().stream().allMatch(p -> p.resource().isKey()),
          operation + " is cross-account but needs an account-level action");
    }
    // AWS's "Conditions for KMS key operations" apply to every action on a key.
    if (e.keyLevel()) {
      assertTrue(
          e.conditionKeys()
              .containsAll(
                  List.of(
                      "kms:CallerAccount",
                      "kms:ViaService",
                      "kms:ResourceAliases",
                      "aws:ResourceTag/")),
          operation + ": " + e.conditionKeys());
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // operation, key-level, cross-account (AWS's "Policy type" and "Cross-account use" columns)
    "Decrypt, true, true",
    "Encrypt, true, true",
    "GenerateDataKey, true, true",
    "GenerateDataKeyPairWithoutPlaintext, true, true",
    "Sign, true, true",
    "VerifyMac, true, true",
    "DeriveSharedSecret, true, true",
    "DescribeKey, true, true",
    "GetPublicKey, true, true",
    "CreateGrant, true, true",
    "RevokeGrant, true, true",
    "GetKeyRotationStatus, true, true",
    "PutKeyPolicy, true, false",
    "ScheduleKeyDeletion, true, false",
    "TagResource, true, false",
    "EnableKeyRotation, true, false",
    "CreateKey, false, false",
    "ListKeys, false, false",
    "ListAliases, false, false",
    "ListRetirableGrants, false, false",
    "GenerateRandom, false, false",
    "CreateCustomKeyStore, false, false",
    "DescribeCustomKeyStores, false, false"
  })
  void levelAndCrossAccount_areAwsDocumented(
      String operation, boolean keyLevel, boolean crossAccount) {
    Entry e = entry(operation);

    assertEquals(keyLevel, e.keyLevel(), "key-level");
    assertEquals(crossAccount, e.crossAccount(), "cross-account");
  }

  @Test
  void decrypt_isCheckedOnItsKey_withEncryptionContextConditions() {
    Entry e = entry("Decrypt");

    assertEquals(List.of(new Permission("kms:Decrypt", Resource.KEY)), e.permissions());
    assertTrue(
        e.conditionKeys()
            .containsAll(
                List.of(
                    "kms:EncryptionContext:",
                    "kms:EncryptionContextKeys",
                    "kms:EncryptionAlgorithm")));
  }

  @Test
  void createKey_isCheckedOnTheAccount_withKeySpecUsageAndRequestTags() {
    Entry e = entry("CreateKey");

    assertEquals(List.of(new Permission("kms:CreateKey", Resource.ACCOUNT)), e.permissions());
    assertTrue(
        e.conditionKeys()
            .containsAll(
                List.of(
                    "kms:KeySpec",
                    "kms:KeyUsage",
                    "kms:KeyOrigin",
                    "kms:BypassPolicyLockoutSafetyCheck",
                    "aws:RequestTag/",
                    "aws:TagKeys")));
    // A key that does not exist yet has no tags or aliases to test.
    assertFalse(e.conditionKeys().contains("aws:ResourceTag/"));
    assertFalse(e.conditionKeys().contains("kms:ResourceAliases"));
  }

  @Test
  void putKeyPolicy_isCheckedOnItsKey_withTheLockoutBypass() {
    Entry e = entry("PutKeyPolicy");

    assertEquals(List.of(new Permission("kms:PutKeyPolicy", Resource.KEY)), e.permissions());
    assertTrue(e.conditionKeys().contains("kms:BypassPolicyLockoutSafetyCheck"));
  }

  @Test
  void reEncrypt_isTwoActions_fromTheSourceKey_toTheDestinationKey() {
    Entry e = entry("ReEncrypt");

    assertEquals(
        List.of(
            new Permission("kms:ReEncryptFrom", Resource.SOURCE_KEY),
            new Permission("kms:ReEncryptTo", Resource.DESTINATION_KEY)),
        e.permissions());
    assertEquals(List.of("kms:ReEncryptFrom", "kms:ReEncryptTo"), e.actions());
    assertTrue(e.crossAccount());
    assertTrue(e.conditionKeys().contains("kms:ReEncryptOnSameKey"));
  }

  @Test
  void generateRandom_isCheckedOnTheAccountOnly() {
    Entry e = entry("GenerateRandom");

    assertEquals(List.of(new Permission("kms:GenerateRandom", Resource.ACCOUNT)), e.permissions());
    assertFalse(e.keyLevel());
  }

  @Test
  void aliasOperations_needTheActionOnTheAliasAndOnEachKey() {
    assertEquals(
        List.of(
            new Permission("kms:CreateAlias", Resource.ALIAS),
            new Permission("kms:CreateAlias", Resource.TARGET_KEY)),
        entry("CreateAlias").permissions());
    assertEquals(
        List.of(
            new Permission("kms:UpdateAlias", Resource.ALIAS),
            new Permission("kms:UpdateAlias", Resource.ALIAS_KEY),
            new Permission("kms:UpdateAlias", Resource.TARGET_KEY)),
        entry("UpdateAlias").permissions());
    assertFalse(Resource.ALIAS.isKey());
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
    "Encrypt, kms:EncryptionContext:",
    "GenerateDataKeyWithoutPlaintext, kms:EncryptionContextKeys",
    "GenerateDataKeyPair, kms:DataKeyPairSpec",
    "Sign, kms:SigningAlgorithm",
    "Verify, kms:MessageType",
    "GenerateMac, kms:MacAlgorithm",
    "VerifyMac, kms:MacAlgorithm",
    "DeriveSharedSecret, kms:KeyAgreementAlgorithm",
    "CreateGrant, kms:GrantOperations",
    "CreateGrant, kms:GranteePrincipal",
    "CreateGrant, kms:RetiringPrincipal",
    "CreateGrant, kms:GrantConstraintType",
    "CreateGrant, kms:GrantIsForAWSResource",
    "ListGrants, kms:GrantIsForAWSResource",
    "EnableKeyRotation, kms:RotationPeriodInDays",
    "ScheduleKeyDeletion, kms:ScheduleKeyDeletionPendingWindowInDays",
    "TagResource, aws:RequestTag/",
    "UntagResource, aws:TagKeys",
    "DescribeKey, kms:KeySpec",
    "ConnectCustomKeyStore, kms:CallerAccount"
  })
  void conditionKey_isDocumentedFor(String operation, String conditionKey) {
    assertTrue(entry(operation).conditionKeys().contains(conditionKey));
  }

  @ParameterizedTest(name = "{0}: not {1}")
  @CsvSource({
    "Encrypt, kms:SigningAlgorithm",
    "Sign, kms:EncryptionContext:",
    "DescribeKey, kms:EncryptionContext:",
    "UntagResource, aws:RequestTag/",
    "ListKeys, kms:KeySpec"
  })
  void conditionKey_isNotDocumentedFor(String operation, String conditionKey) {
    assertFalse(entry(operation).conditionKeys().contains(conditionKey));
  }
}
