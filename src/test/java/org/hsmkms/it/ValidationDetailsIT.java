package org.hsmkms.it;

import static org.hsmkms.it.KmsTesting.aliasArn;
import static org.hsmkms.it.KmsTesting.allKeyIds;
import static org.hsmkms.it.KmsTesting.assertAwsError;
import static org.hsmkms.it.KmsTesting.newKey;
import static org.hsmkms.it.KmsTesting.parse;
import static org.hsmkms.it.KmsTesting.uniqueAliasName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.hsmkms.testing.TestServer;
import org.hsmkms.testing.TestServer.RawResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.CustomKeyStoreNotFoundException;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.UnsupportedOperationException;

/**
 * Issue 14, item 6: the answers a peer's KMS test suite expects, each pinned with its error type,
 * HTTP status and exact message, through the AWS SDK (raw HTTP where the body itself matters).
 */
class ValidationDetailsIT {
  private static final String PREFIX_MESSAGE =
      "Alias must start with the prefix \"alias/\". Please see"
          + " https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html";

  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();

  // --- Sensitive members and blobs are named without a value -------------------------------------

  @Test
  void encrypt_emptyPlaintext_namesPlaintextWithoutItsValue() {
    String keyId = newKey(kms);

    assertValidation(
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member"
            + " must have length greater than or equal to 1",
        () -> kms.encrypt(b -> b.keyId(keyId).plaintext(SdkBytes.fromByteArray(new byte[0]))));
  }

  @Test
  void encrypt_tooMuchPlaintext_namesPlaintextWithoutItsValue() {
    String keyId = newKey(kms);

    assertValidation(
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member"
            + " must have length less than or equal to 4096",
        () -> kms.encrypt(b -> b.keyId(keyId).plaintext(SdkBytes.fromByteArray(new byte[4097]))));
  }

  @Test
  void decrypt_emptyCiphertextBlob_isNamedWithoutAValue() {
    assertValidation(
        "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint:"
            + " Member must have length greater than or equal to 1",
        () -> kms.decrypt(b -> b.ciphertextBlob(SdkBytes.fromByteArray(new byte[0]))));
  }

  // --- The model's patterns
  // -----------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"alias/semi;colon", "alias/new\nline", "alias/trailing\n"})
  void createAlias_nameOutsideThePattern_isValidationException(String name) {
    String keyId = newKey(kms);

    assertValidation(
        "1 validation error detected: Value '"
            + name
            + "' at 'aliasName' failed to satisfy constraint: Member must satisfy regular"
            + " expression pattern: ^[a-zA-Z0-9:/_-]+$",
        () -> kms.createAlias(b -> b.aliasName(name).targetKeyId(keyId)));
    assertFalse(aliasNames().contains(name));
  }

  @Test
  void getKeyPolicy_policyNameOutsideItsPattern_isValidationException() {
    String keyId = newKey(kms);

    assertValidation(
        "1 validation error detected: Value 'not default' at 'policyName' failed to satisfy"
            + " constraint: Member must satisfy regular expression pattern: [\\w]+",
        () -> kms.getKeyPolicy(b -> b.keyId(keyId).policyName("not default")));
  }

  // --- CreateAlias, UpdateAlias, DeleteAlias
  // --------------------------------------------------------

  @Test
  void createAlias_withColon_containsInvalidCharacters() {
    String keyId = newKey(kms);

    assertValidation(
        "alias/my:alias contains invalid characters for an alias",
        () -> kms.createAlias(b -> b.aliasName("alias/my:alias").targetKeyId(keyId)));
  }

  @Test
  void createAlias_andDeleteAlias_withoutAliasPrefix_areValidationException() {
    String keyId = newKey(kms);

    assertValidation(
        PREFIX_MESSAGE, () -> kms.createAlias(b -> b.aliasName("my-alias").targetKeyId(keyId)));
    assertValidation(PREFIX_MESSAGE, () -> kms.deleteAlias(b -> b.aliasName("my-alias")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"CreateAlias", "UpdateAlias", "DeleteAlias"})
  void reservedAliasAwsName_isNotAuthorizedException_withoutMessage(String operation) {
    String keyId = newKey(kms);
    String body =
        "DeleteAlias".equals(operation)
            ? "{\"AliasName\":\"alias/aws/ebs\"}"
            : "{\"AliasName\":\"alias/aws/ebs\",\"TargetKeyId\":\"" + keyId + "\"}";

    RawResponse r = server.post("TrentService." + operation, body);

    assertEquals(400, r.status());
    JsonNode error = parse(r.body());
    assertEquals("NotAuthorizedException", error.get("__type").asText());
    assertFalse(error.has("message"), r.body());
    assertAwsError(
        "NotAuthorizedException",
        () -> kms.createAlias(b -> b.aliasName("alias/aws/s3").targetKeyId(keyId)));
  }

  @Test
  void createAlias_andUpdateAlias_toAnAlias_areValidationException() {
    String keyId = newKey(kms);
    String existing = uniqueAliasName();
    kms.createAlias(b -> b.aliasName(existing).targetKeyId(keyId));
    String other = uniqueAliasName();
    String message = "Aliases must refer to keys. Not aliases";

    assertValidation(message, () -> kms.createAlias(b -> b.aliasName(other).targetKeyId(existing)));
    assertValidation(
        message,
        () ->
            kms.createAlias(
                b -> b.aliasName(other).targetKeyId(aliasArn(KmsTesting.REGION, existing))));
    assertValidation(
        message, () -> kms.updateAlias(b -> b.aliasName(existing).targetKeyId(existing)));
    assertFalse(aliasNames().contains(other));
  }

  // --- CreateKey's XksKeyId and custom key stores
  // ---------------------------------------------------

  @Test
  void createKey_xksKeyIdWithoutExternalKeyStoreOrigin_isValidationException() {
    List<String> before = allKeyIds(kms);

    assertValidation(
        "XksKeyId is valid only for KMS keys with an Origin of EXTERNAL_KEY_STORE.",
        () -> kms.createKey(b -> b.xksKeyId("external-key-1")));
    assertValidation(
        "XksKeyId is valid only for KMS keys with an Origin of EXTERNAL_KEY_STORE.",
        () -> kms.createKey(b -> b.origin("AWS_KMS").xksKeyId("external-key-1")));
    assertEquals(before, allKeyIds(kms));
  }

  @Test
  void createKey_externalKeyStoreOriginWithoutXksKeyId_isValidationException() {
    assertValidation(
        "XksKeyId is required for KMS keys with an Origin of EXTERNAL_KEY_STORE.",
        () ->
            kms.createKey(
                b -> b.origin("EXTERNAL_KEY_STORE").customKeyStoreId("cks-1234567890abcdef0")));
  }

  @Test
  void createKey_inACustomKeyStore_isCustomKeyStoreNotFoundException() {
    CustomKeyStoreNotFoundException e =
        assertThrows(
            CustomKeyStoreNotFoundException.class,
            () ->
                kms.createKey(
                    b ->
                        b.origin("EXTERNAL_KEY_STORE")
                            .customKeyStoreId("cks-1234567890abcdef0")
                            .xksKeyId("external-key-1")));

    assertEquals(400, e.statusCode());
    assertEquals(
        "Custom key store cks-1234567890abcdef0 does not exist.",
        e.awsErrorDetails().errorMessage());
  }

  @Test
  void createKey_cloudHsmOriginWithoutCustomKeyStore_isUnsupportedOperationException() {
    UnsupportedOperationException e =
        assertThrows(
            UnsupportedOperationException.class,
            () -> kms.createKey(b -> b.origin("AWS_CLOUDHSM")));

    assertEquals(400, e.statusCode());
    assertEquals(
        "Origin AWS_CLOUDHSM is not supported by this service.",
        e.awsErrorDetails().errorMessage());
  }

  // --- helpers -----------------------------------------------------------------------------------

  private static void assertValidation(String message, Executable call) {
    KmsException e = assertAwsError("ValidationException", call);
    assertEquals(400, e.statusCode());
    assertEquals(message, e.awsErrorDetails().errorMessage());
  }

  private List<String> aliasNames() {
    return kms.listAliasesPaginator(b -> b.limit(100)).aliases().stream()
        .map(a -> a.aliasName())
        .toList();
  }
}
