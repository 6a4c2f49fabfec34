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

  /**
   * Every operation of the model, as AWS documents it: "Policy type" (key policy: key-level; IAM
   * policy: account-level) and "Cross-account use" in kms-api-permissions-reference.html, and the
   * same in each operation's API reference ("Cross-account use: Yes|No", "Required permissions:
   * kms:X (key policy|IAM policy)"). RetireGrant is "IAM policy" on a KMS key: key-level here,
   * since a key is its resource. ListRetirableGrants: "The specified principal must be in the local
   * account"; GenerateRandom: "N/A".
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // operation, key-level, cross-account
    "CancelKeyDeletion, true, false",
    "ConnectCustomKeyStore, false, false",
    "CreateAlias, true, false",
    "CreateCustomKeyStore, false, false",
    "CreateGrant, true, true",
    "CreateKey, false, false",
    "Decrypt, true, true",
    "DeleteAlias, true, false",
    "DeleteCustomKeyStore, false, false",
    "DeleteImportedKeyMaterial, true, false",
    "DeriveSharedSecret, true, true",
    "DescribeCustomKeyStores, false, false",
    "DescribeKey, true, true",
    "DisableKey, true, false",
    "DisableKeyRotation, true, false",
    "DisconnectCustomKeyStore, false, false",
    "EnableKey, true, false",
    "EnableKeyRotation, true, false",
    "Encrypt, true, true",
    "GenerateDataKey, true, true",
    "GenerateDataKeyPair, true, true",
    "GenerateDataKeyPairWithoutPlaintext, true, true",
    "GenerateDataKeyWithoutPlaintext, true, true",
    "GenerateMac, true, true",
    "GenerateRandom, false, false",
    "GetKeyLastUsage, true, false",
    "GetKeyPolicy, true, false",
    "GetKeyRotationStatus, true, true",
    "GetParametersForImport, true, false",
    "GetPublicKey, true, true",
    "ImportKeyMaterial, true, false",
    "ListAliases, false, false",
    "ListGrants, true, true",
    "ListKeyPolicies, true, false",
    "ListKeyRotations, true, false",
    "ListKeys, false, false",
    "ListResourceTags, true, false",
    "ListRetirableGrants, false, false",
    "PutKeyPolicy, true, false",
    "ReEncrypt, true, true",
    "ReplicateKey, true, false",
    "RetireGrant, true, true",
    "RevokeGrant, true, true",
    "RotateKeyOnDemand, true, false",
    "ScheduleKeyDeletion, true, false",
    "Sign, true, true",
    "TagResource, true, false",
    "UntagResource, true, false",
    "UpdateAlias, true, false",
    "UpdateCustomKeyStore, false, false",
    "UpdateKeyDescription, true, false",
    "UpdatePrimaryRegion, true, false",
    "Verify, true, true",
    "VerifyMac, true, true"
  })
  void levelAndCrossAccount_areAwsDocumented(
      String operation, boolean keyLevel, boolean crossAccount) {
    Entry e = entry(operation);

    assertEquals(keyLevel, e.keyLevel(), "key-level");
    assertEquals(crossAccount, e.crossAccount(), "cross-account");
  }

  @Test
  void theFactsAbove_coverEveryOperationOfTheModel() throws IOException {
    // The CsvSource above has one row per operation: keep it so when the model grows.
    assertEquals(54, modelOperations().size());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // The operations AWS checks against the account ("*"), by an IAM policy only.
    "ConnectCustomKeyStore",
    "CreateCustomKeyStore",
    "CreateKey",
    "DeleteCustomKeyStore",
    "DescribeCustomKeyStores",
    "DisconnectCustomKeyStore",
    "GenerateRandom",
    "ListAliases",
    "ListKeys",
    "ListRetirableGrants",
    "UpdateCustomKeyStore"
  })
  void accountLevelOperation_isOneActionOnTheAccount(String operation) {
    assertEquals(
        List.of(new Permission("kms:" + operation, Resource.ACCOUNT)),
        entry(operation).permissions());
  }

  @Test
  void retireGrant_isCheckedOnTheKey_withTheShortListOfConditionKeys() {
    Entry e = entry("RetireGrant");

    // AWS: "IAM policy (This permission is not effective in a key policy.)", resource KMS key.
    assertEquals(List.of(new Permission("kms:RetireGrant", Resource.KEY)), e.permissions());
    assertEquals(
        java.util.Set.of(
            "kms:EncryptionContext:",
            "kms:EncryptionContextKeys",
            "kms:GrantConstraintType",
            "kms:CallerAccount",
            "kms:ResourceAliases",
            "aws:ResourceTag/",
            "kms:ViaService"),
        e.conditionKeys());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"CreateKey", "ReplicateKey"})
  void tags_needTagResource_onCreateKeyAndReplicateKey(String operation) {
    assertEquals(
        java.util.Optional.of(new Permission("kms:TagResource", Resource.ACCOUNT)),
        KmsActions.tagPermission(operation));
  }

  @Test
  void tags_needNothingMore_elsewhere() {
    assertTrue(KmsActions.tagPermission("TagResource").isEmpty());
    assertTrue(KmsActions.tagPermission("Encrypt").isEmpty());
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
    // AWS's page lists aws:ResourceTag/ for CreateKey too (always absent: no key exists yet), but
    // not kms:ResourceAliases.
    assertTrue(e.conditionKeys().contains("aws:ResourceTag/"));
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
    "ConnectCustomKeyStore, kms:CallerAccount",
    // kms:RequestAlias: "Cryptographic operations, DescribeKey, GetPublicKey".
    "Decrypt, kms:RequestAlias",
    "Encrypt, kms:RequestAlias",
    "GenerateDataKey, kms:RequestAlias",
    "GenerateDataKeyPair, kms:RequestAlias",
    "GenerateDataKeyPairWithoutPlaintext, kms:RequestAlias",
    "GenerateDataKeyWithoutPlaintext, kms:RequestAlias",
    "ReEncrypt, kms:RequestAlias",
    "Sign, kms:RequestAlias",
    "Verify, kms:RequestAlias",
    "GenerateMac, kms:RequestAlias",
    "VerifyMac, kms:RequestAlias",
    "DeriveSharedSecret, kms:RequestAlias",
    "DescribeKey, kms:RequestAlias",
    "GetPublicKey, kms:RequestAlias",
    "ReEncrypt, kms:ReEncryptOnSameKey",
    "CreateGrant, kms:GrantConstraintSourceArn",
    "CreateGrant, kms:GranteeServicePrincipal",
    "CreateGrant, kms:RetiringServicePrincipal",
    "RevokeGrant, kms:GrantIsForAWSResource",
    "PutKeyPolicy, kms:BypassPolicyLockoutSafetyCheck",
    "CreateKey, kms:BypassPolicyLockoutSafetyCheck",
    "DisableKey, kms:TrailingDaysWithoutKeyUsage",
    "ScheduleKeyDeletion, kms:TrailingDaysWithoutKeyUsage",
    "GetParametersForImport, kms:WrappingAlgorithm",
    "GetParametersForImport, kms:WrappingKeySpec",
    "ImportKeyMaterial, kms:ExpirationModel",
    "ImportKeyMaterial, kms:ValidTo",
    "ReplicateKey, kms:ReplicaRegion",
    "UpdatePrimaryRegion, kms:PrimaryRegion",
    "Decrypt, kms:RecipientAttestation:ImageSha384",
    "GenerateRandom, kms:RecipientAttestation:PCR",
    "UpdateCustomKeyStore, kms:CallerAccount"
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
    "ListKeys, kms:KeySpec",
    // kms:RequestAlias is for the operations that use a key by the KeyId of the request.
    "CreateGrant, kms:RequestAlias",
    "ListGrants, kms:RequestAlias",
    "ScheduleKeyDeletion, kms:RequestAlias",
    "CreateAlias, kms:RequestAlias",
    "GenerateRandom, kms:RequestAlias",
    "Encrypt, kms:ReEncryptOnSameKey",
    "DisableKeyRotation, kms:TrailingDaysWithoutKeyUsage",
    "RetireGrant, kms:KeySpec",
    "GenerateDataKeyPairWithoutPlaintext, kms:RecipientAttestation:PCR",
    "ListAliases, kms:CallerAccount"
  })
  void conditionKey_isNotDocumentedFor(String operation, String conditionKey) {
    assertFalse(entry(operation).conditionKeys().contains(conditionKey));
  }
}
