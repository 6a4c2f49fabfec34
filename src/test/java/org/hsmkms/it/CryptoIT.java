package org.hsmkms.it;

import static org.hsmkms.it.KmsTesting.assertAwsError;
import static org.hsmkms.it.KmsTesting.keyArn;
import static org.hsmkms.it.KmsTesting.newKey;
import static org.hsmkms.it.KmsTesting.newKeyWithAlias;
import static org.hsmkms.it.KmsTesting.parse;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.hsmkms.it.KmsTesting.KeyIdForm;
import org.hsmkms.it.KmsTesting.TestKey;
import org.hsmkms.testing.TestServer;
import org.hsmkms.testing.TestServer.RawResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.DryRunOperationException;
import software.amazon.awssdk.services.kms.model.EncryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptionAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyWithoutPlaintextResponse;
import software.amazon.awssdk.services.kms.model.IncorrectKeyException;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.InvalidKeyUsageException;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.ReEncryptResponse;

/**
 * The data plane: Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext), GenerateRandom,
 * DryRun, and how bad ciphertexts fail.
 */
class CryptoIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Map<String, String> CONTEXT = Map.of("purpose", "invoice", "tenant", "acme");

  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();

  // --- Encrypt / Decrypt -------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(ints = {1, 16, 4095, 4096})
  void encryptThenDecrypt_ofSize_returnsPlaintextAndKeyArn(int size) {
    String keyId = newKey(kms);
    byte[] plaintext = randomBytes(size);

    EncryptResponse e = kms.encrypt(b -> b.keyId(keyId).plaintext(bytes(plaintext)));
    DecryptResponse d = kms.decrypt(b -> b.ciphertextBlob(e.ciphertextBlob()));

    assertEquals(keyArn(keyId), e.keyId());
    assertEquals(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT, e.encryptionAlgorithm());
    assertFalse(Arrays.equals(plaintext, e.ciphertextBlob().asByteArray()));
    assertArrayEquals(plaintext, d.plaintext().asByteArray());
    assertEquals(keyArn(keyId), d.keyId());
    assertEquals(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT, d.encryptionAlgorithm());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 4097})
  void encrypt_plaintextOutside1To4096Bytes_isValidationException(int size) {
    String keyId = newKey(kms);

    String message =
        assertAwsError(
                "ValidationException",
                () -> kms.encrypt(b -> b.keyId(keyId).plaintext(bytes(new byte[size]))))
            .awsErrorDetails()
            .errorMessage();

    assertTrue(
        message.startsWith(
            "1 validation error detected: Value at"
                + " 'plaintext' failed to satisfy constraint: Member must have length "),
        message);
  }

  @Test
  void encrypt_twiceWithSamePlaintext_givesDifferentBlobs() {
    String keyId = newKey(kms);
    SdkBytes plaintext = SdkBytes.fromUtf8String("same");

    SdkBytes a = kms.encrypt(b -> b.keyId(keyId).plaintext(plaintext)).ciphertextBlob();
    SdkBytes c = kms.encrypt(b -> b.keyId(keyId).plaintext(plaintext)).ciphertextBlob();

    assertFalse(Arrays.equals(a.asByteArray(), c.asByteArray()));
  }

  @ParameterizedTest
  @EnumSource(KeyIdForm.class)
  void encrypt_byEachKeyIdForm_answersKeyArn(KeyIdForm form) {
    TestKey key = newKeyWithAlias(kms);

    EncryptResponse e = kms.encrypt(b -> b.keyId(form.of(key)).plaintext(bytes(new byte[] {1})));

    assertEquals(key.arn(), e.keyId());
  }

  @ParameterizedTest
  @EnumSource(KeyIdForm.class)
  void decrypt_withTheRightKeyIdInEachForm_returnsPlaintext(KeyIdForm form) {
    TestKey key = newKeyWithAlias(kms);
    SdkBytes blob =
        kms.encrypt(b -> b.keyId(key.keyId()).plaintext(bytes(new byte[] {7}))).ciphertextBlob();

    DecryptResponse d = kms.decrypt(b -> b.ciphertextBlob(blob).keyId(form.of(key)));

    assertArrayEquals(new byte[] {7}, d.plaintext().asByteArray());
    assertEquals(key.arn(), d.keyId());
  }

  @ParameterizedTest
  @EnumSource(KeyIdForm.class)
  void decrypt_withAnotherKeysId_isIncorrectKeyException(KeyIdForm form) {
    String keyId = newKey(kms);
    TestKey other = newKeyWithAlias(kms);
    SdkBytes blob =
        kms.encrypt(b -> b.keyId(keyId).plaintext(bytes(new byte[] {7}))).ciphertextBlob();

    assertThrows(
        IncorrectKeyException.class,
        () -> kms.decrypt(b -> b.ciphertextBlob(blob).keyId(form.of(other))));
  }

  @Test
  void encrypt_withAsymmetricAlgorithmOnSymmetricKey_isInvalidKeyUsageException() {
    String keyId = newKey(kms);

    assertThrows(
        InvalidKeyUsageException.class,
        () ->
            kms.encrypt(
                b ->
                    b.keyId(keyId)
                        .plaintext(bytes(new byte[] {1}))
                        .encryptionAlgorithm(EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256)));
  }

  @Test
  void decrypt_withAsymmetricAlgorithmOnSymmetricKey_isInvalidKeyUsageException() {
    String keyId = newKey(kms);
    SdkBytes blob =
        kms.encrypt(b -> b.keyId(keyId).plaintext(bytes(new byte[] {1}))).ciphertextBlob();

    assertThrows(
        InvalidKeyUsageException.class,
        () ->
            kms.decrypt(
                b ->
                    b.ciphertextBlob(blob)
                        .encryptionAlgorithm(EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256)));
  }

  @Test
  void encryptionContext_sameContextInAnyOrder_roundTrips() {
    String keyId = newKey(kms);
    Map<String, String> forward = new LinkedHashMap<>();
    forward.put("a", "1");
    forward.put("b", "2");
    Map<String, String> backward = new LinkedHashMap<>();
    backward.put("b", "2");
    backward.put("a", "1");
    SdkBytes blob =
        kms.encrypt(
                b ->
                    b.keyId(keyId)
                        .plaintext(SdkBytes.fromUtf8String("ctx"))
                        .encryptionContext(forward))
            .ciphertextBlob();

    assertEquals(
        "ctx",
        kms.decrypt(b -> b.ciphertextBlob(blob).encryptionContext(backward))
            .plaintext()
            .asUtf8String());
  }

  static Stream<Arguments> wrongContexts() {
    return Stream.of(
        Arguments.of(CONTEXT, Map.of()),
        Arguments.of(CONTEXT, Map.of("purpose", "invoice")),
        Arguments.of(CONTEXT, Map.of("purpose", "invoice", "tenant", "acmE")),
        Arguments.of(CONTEXT, Map.of("purpose", "invoice", "Tenant", "acme")),
        Arguments.of(CONTEXT, Map.of("purpose", "invoice", "tenant", "acme", "x", "y")),
        Arguments.of(Map.of(), CONTEXT),
        // The canonical form is unambiguous: these two must not authenticate each other.
        Arguments.of(Map.of("ab", "c"), Map.of("a", "bc")),
        Arguments.of(Map.of("a", "bc"), Map.of("ab", "c")));
  }

  @ParameterizedTest
  @MethodSource("wrongContexts")
  void decrypt_withWrongOrMissingContext_isInvalidCiphertextException(
      Map<String, String> encryptedWith, Map<String, String> decryptedWith) {
    String keyId = newKey(kms);
    SdkBytes blob =
        kms.encrypt(
                b ->
                    b.keyId(keyId)
                        .plaintext(SdkBytes.fromUtf8String("secret"))
                        .encryptionContext(encryptedWith))
            .ciphertextBlob();

    InvalidCiphertextException e =
        assertThrows(
            InvalidCiphertextException.class,
            () -> kms.decrypt(b -> b.ciphertextBlob(blob).encryptionContext(decryptedWith)));
    assertNull(e.awsErrorDetails().errorMessage());
  }

  @Test
  void decrypt_ofRandomBlob_isInvalidCiphertextExceptionWithoutDetail() {
    byte[] junk = randomBytes(100);

    InvalidCiphertextException e =
        assertThrows(
            InvalidCiphertextException.class,
            () -> kms.decrypt(b -> b.ciphertextBlob(bytes(junk))));

    assertNull(e.awsErrorDetails().errorMessage());
    assertEquals(400, e.statusCode());
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 17, 33, 45, 60, -1})
  void decrypt_ofTruncatedBlob_isInvalidCiphertextExceptionWithoutDetail(int keep) {
    String keyId = newKey(kms);
    byte[] blob =
        kms.encrypt(b -> b.keyId(keyId).plaintext(bytes(new byte[] {1, 2, 3})))
            .ciphertextBlob()
            .asByteArray();
    byte[] truncated =
        Arrays.copyOf(blob, keep > 0 ? Math.min(keep, blob.length - 1) : blob.length + keep);

    InvalidCiphertextException e =
        assertThrows(
            InvalidCiphertextException.class,
            () -> kms.decrypt(b -> b.ciphertextBlob(bytes(truncated))));

    assertNull(e.awsErrorDetails().errorMessage());
  }

  @Test
  void decrypt_ofRandomBlob_rawBodyIsBareInvalidCiphertextException() {
    String blob = Base64.getEncoder().encodeToString(randomBytes(100));

    RawResponse r = server.post("TrentService.Decrypt", "{\"CiphertextBlob\":\"" + blob + "\"}");

    assertEquals(400, r.status());
    JsonNode body = parse(r.body());
    assertEquals("InvalidCiphertextException", body.get("__type").asText());
    assertTrue(!body.has("message") || body.get("message").isNull(), r.body());
  }

  @Test
  void decrypt_ofInvalidBase64_isSerializationException() {
    RawResponse r = server.post("TrentService.Decrypt", "{\"CiphertextBlob\":\"not*base64!\"}");

    assertEquals(400, r.status());
    assertEquals("SerializationException", parse(r.body()).get("__type").asText());
  }

  // --- ReEncrypt ---------------------------------------------------------------------------------

  @Test
  void reEncrypt_toAnotherKeyAndContext_thenDecryptsWithTheNewContext() {
    String source = newKey(kms);
    TestKey destination = newKeyWithAlias(kms);
    Map<String, String> newContext = Map.of("purpose", "archive");
    byte[] plaintext = randomBytes(100);
    SdkBytes blob =
        kms.encrypt(b -> b.keyId(source).plaintext(bytes(plaintext)).encryptionContext(CONTEXT))
            .ciphertextBlob();

    ReEncryptResponse re =
        kms.reEncrypt(
            b ->
                b.ciphertextBlob(blob)
                    .sourceEncryptionContext(CONTEXT)
                    .destinationKeyId(destination.aliasName())
                    .destinationEncryptionContext(newContext));

    assertEquals(keyArn(source), re.sourceKeyId());
    assertEquals(destination.arn(), re.keyId());
    assertEquals(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT, re.sourceEncryptionAlgorithm());
    assertEquals(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT, re.destinationEncryptionAlgorithm());
    DecryptResponse d =
        kms.decrypt(b -> b.ciphertextBlob(re.ciphertextBlob()).encryptionContext(newContext));
    assertArrayEquals(plaintext, d.plaintext().asByteArray());
    assertEquals(destination.arn(), d.keyId());
    assertThrows(
        InvalidCiphertextException.class,
        () -> kms.decrypt(b -> b.ciphertextBlob(re.ciphertextBlob()).encryptionContext(CONTEXT)));
    assertThrows(
        IncorrectKeyException.class,
        () ->
            kms.decrypt(
                b ->
                    b.ciphertextBlob(re.ciphertextBlob())
                        .encryptionContext(newContext)
                        .keyId(source)));
  }

  @Test
  void reEncrypt_withWrongSourceContext_isInvalidCiphertextException() {
    String source = newKey(kms);
    String destination = newKey(kms);
    SdkBytes blob =
        kms.encrypt(
                b ->
                    b.keyId(source)
                        .plaintext(SdkBytes.fromUtf8String("x"))
                        .encryptionContext(CONTEXT))
            .ciphertextBlob();

    assertThrows(
        InvalidCiphertextException.class,
        () ->
            kms.reEncrypt(
                b ->
                    b.ciphertextBlob(blob)
                        .sourceEncryptionContext(Map.of("purpose", "other"))
                        .destinationKeyId(destination)));
  }

  @Test
  void reEncrypt_withWrongSourceKeyId_isIncorrectKeyException() {
    String source = newKey(kms);
    String other = newKey(kms);
    SdkBytes blob =
        kms.encrypt(b -> b.keyId(source).plaintext(SdkBytes.fromUtf8String("x"))).ciphertextBlob();

    assertThrows(
        IncorrectKeyException.class,
        () ->
            kms.reEncrypt(b -> b.ciphertextBlob(blob).sourceKeyId(other).destinationKeyId(other)));
  }

  @Test
  void reEncrypt_toDisabledKey_isDisabledException() {
    String source = newKey(kms);
    String destination = newKey(kms);
    kms.disableKey(b -> b.keyId(destination));
    SdkBytes blob =
        kms.encrypt(b -> b.keyId(source).plaintext(SdkBytes.fromUtf8String("x"))).ciphertextBlob();

    assertThrows(
        DisabledException.class,
        () -> kms.reEncrypt(b -> b.ciphertextBlob(blob).destinationKeyId(destination)));
  }

  // --- GenerateDataKey ---------------------------------------------------------------------------

  static Stream<Arguments> dataKeySizes() {
    return Stream.of(
        Arguments.of(DataKeySpec.AES_128, null, 16),
        Arguments.of(DataKeySpec.AES_256, null, 32),
        Arguments.of(null, 1, 1),
        Arguments.of(null, 64, 64),
        Arguments.of(null, 1024, 1024));
  }

  @ParameterizedTest
  @MethodSource("dataKeySizes")
  void generateDataKey_withKeySpecOrNumberOfBytes_returnsThatManyBytesAndABlobThatDecrypts(
      DataKeySpec spec, Integer numberOfBytes, int expectedLength) {
    String keyId = newKey(kms);

    GenerateDataKeyResponse dk =
        kms.generateDataKey(
            b ->
                b.keyId(keyId)
                    .keySpec(spec)
                    .numberOfBytes(numberOfBytes)
                    .encryptionContext(CONTEXT));

    assertEquals(expectedLength, dk.plaintext().asByteArray().length);
    assertEquals(keyArn(keyId), dk.keyId());
    DecryptResponse d =
        kms.decrypt(b -> b.ciphertextBlob(dk.ciphertextBlob()).encryptionContext(CONTEXT));
    assertArrayEquals(dk.plaintext().asByteArray(), d.plaintext().asByteArray());
    assertThrows(
        InvalidCiphertextException.class,
        () -> kms.decrypt(b -> b.ciphertextBlob(dk.ciphertextBlob())));
  }

  @Test
  void generateDataKey_twice_givesDifferentKeys() {
    String keyId = newKey(kms);

    byte[] a =
        kms.generateDataKey(b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256))
            .plaintext()
            .asByteArray();
    byte[] c =
        kms.generateDataKey(b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256))
            .plaintext()
            .asByteArray();

    assertFalse(Arrays.equals(a, c));
  }

  @Test
  void generateDataKey_with1025Bytes_isValidationExceptionInAwsWording() {
    String keyId = newKey(kms);

    KmsException e =
        assertAwsError(
            "ValidationException",
            () -> kms.generateDataKey(b -> b.keyId(keyId).numberOfBytes(1025)));

    assertEquals(
        "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy"
            + " constraint: Member must have value less than or equal to 1024",
        e.awsErrorDetails().errorMessage());
    assertEquals(400, e.statusCode());
  }

  @Test
  void generateDataKey_with0Bytes_isValidationException() {
    String keyId = newKey(kms);

    KmsException e =
        assertAwsError(
            "ValidationException", () -> kms.generateDataKey(b -> b.keyId(keyId).numberOfBytes(0)));

    assertEquals(
        "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy"
            + " constraint: Member must have value greater than or equal to 1",
        e.awsErrorDetails().errorMessage());
  }

  @Test
  void generateDataKey_withNeitherKeySpecNorNumberOfBytes_isValidationException() {
    String keyId = newKey(kms);

    assertAwsError("ValidationException", () -> kms.generateDataKey(b -> b.keyId(keyId)));
    assertAwsError(
        "ValidationException", () -> kms.generateDataKeyWithoutPlaintext(b -> b.keyId(keyId)));
  }

  @Test
  void generateDataKey_withBothKeySpecAndNumberOfBytes_isValidationException() {
    String keyId = newKey(kms);

    assertAwsError(
        "ValidationException",
        () ->
            kms.generateDataKey(
                b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256).numberOfBytes(32)));
    assertAwsError(
        "ValidationException",
        () ->
            kms.generateDataKeyWithoutPlaintext(
                b -> b.keyId(keyId).keySpec(DataKeySpec.AES_128).numberOfBytes(16)));
  }

  @ParameterizedTest
  @EnumSource(KeyIdForm.class)
  void generateDataKeyWithoutPlaintext_byEachKeyIdForm_givesBlobOf32BytesAndNoPlaintext(
      KeyIdForm form) {
    TestKey key = newKeyWithAlias(kms);

    GenerateDataKeyWithoutPlaintextResponse dk =
        kms.generateDataKeyWithoutPlaintext(
            b -> b.keyId(form.of(key)).keySpec(DataKeySpec.AES_256));

    assertEquals(key.arn(), dk.keyId());
    DecryptResponse d = kms.decrypt(b -> b.ciphertextBlob(dk.ciphertextBlob()));
    assertEquals(32, d.plaintext().asByteArray().length);
  }

  @Test
  void generateDataKeyWithoutPlaintext_rawResponseHasNoPlaintextField() {
    String keyId = newKey(kms);

    RawResponse r =
        server.post(
            "TrentService.GenerateDataKeyWithoutPlaintext",
            "{\"KeyId\":\"" + keyId + "\",\"KeySpec\":\"AES_256\"}");

    assertEquals(200, r.status(), r.body());
    JsonNode body = parse(r.body());
    assertFalse(body.has("Plaintext"), r.body());
    assertTrue(body.get("CiphertextBlob").isTextual());
    assertEquals(keyArn(keyId), body.get("KeyId").asText());
  }

  // --- GenerateRandom ----------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 16, 32, 1023, 1024})
  void generateRandom_ofLength_returnsThatManyBytes(int n) {
    assertEquals(n, kms.generateRandom(b -> b.numberOfBytes(n)).plaintext().asByteArray().length);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1025, -1})
  void generateRandom_lengthOutside1To1024_isValidationException(int n) {
    String message =
        assertAwsError("ValidationException", () -> kms.generateRandom(b -> b.numberOfBytes(n)))
            .awsErrorDetails()
            .errorMessage();

    assertTrue(
        message.startsWith(
            "1 validation error detected: Value '"
                + n
                + "' at 'numberOfBytes' failed to satisfy constraint: Member must have value "),
        message);
  }

  @Test
  void generateRandom_withoutNumberOfBytes_isValidationException_inAwsWords() {
    software.amazon.awssdk.services.kms.model.KmsException e =
        assertThrows(
            software.amazon.awssdk.services.kms.model.KmsException.class,
            () -> kms.generateRandom(b -> {}));

    assertEquals("ValidationException", e.awsErrorDetails().errorCode());
    assertEquals(400, e.statusCode());
    assertEquals("NumberOfBytes is required.", e.awsErrorDetails().errorMessage());
  }

  @Test
  void generateRandom_twice_differs() {
    byte[] a = kms.generateRandom(b -> b.numberOfBytes(32)).plaintext().asByteArray();
    byte[] c = kms.generateRandom(b -> b.numberOfBytes(32)).plaintext().asByteArray();

    assertFalse(Arrays.equals(a, c));
  }

  // --- DryRun ------------------------------------------------------------------------------------

  /** A DryRun request against a fresh key, built from a blob made under that key. */
  @FunctionalInterface
  interface DryRunCall {
    void call(KmsClient kms, String keyId, SdkBytes blob);
  }

  static Stream<Arguments> dryRunCalls() {
    return Stream.of(
        Arguments.of(
            "Encrypt",
            (DryRunCall)
                (kms, key, blob) ->
                    kms.encrypt(
                        b -> b.keyId(key).plaintext(SdkBytes.fromUtf8String("x")).dryRun(true))),
        Arguments.of(
            "Decrypt",
            (DryRunCall) (kms, key, blob) -> kms.decrypt(b -> b.ciphertextBlob(blob).dryRun(true))),
        Arguments.of(
            "GenerateDataKey",
            (DryRunCall)
                (kms, key, blob) ->
                    kms.generateDataKey(
                        b -> b.keyId(key).keySpec(DataKeySpec.AES_256).dryRun(true))),
        Arguments.of(
            "GenerateDataKeyWithoutPlaintext",
            (DryRunCall)
                (kms, key, blob) ->
                    kms.generateDataKeyWithoutPlaintext(
                        b -> b.keyId(key).numberOfBytes(16).dryRun(true))),
        Arguments.of(
            "ReEncrypt",
            (DryRunCall)
                (kms, key, blob) ->
                    kms.reEncrypt(b -> b.ciphertextBlob(blob).destinationKeyId(key).dryRun(true))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dryRunCalls")
  void dryRun_onUsableKey_isDryRunOperationExceptionWithHttp400(String name, DryRunCall call) {
    String keyId = newKey(kms);
    SdkBytes blob =
        kms.encrypt(b -> b.keyId(keyId).plaintext(SdkBytes.fromUtf8String("x"))).ciphertextBlob();

    DryRunOperationException e =
        assertThrows(DryRunOperationException.class, () -> call.call(kms, keyId, blob));

    assertEquals(400, e.statusCode());
    assertEquals("DryRunOperationException", e.awsErrorDetails().errorCode());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dryRunCalls")
  void dryRun_onDisabledKey_reportsTheRealError(String name, DryRunCall call) {
    // DryRun answers whether the request would succeed; it would not, so the real error shows.
    String keyId = newKey(kms);
    SdkBytes blob =
        kms.encrypt(b -> b.keyId(keyId).plaintext(SdkBytes.fromUtf8String("x"))).ciphertextBlob();
    kms.disableKey(b -> b.keyId(keyId));

    assertThrows(DisabledException.class, () -> call.call(kms, keyId, blob));
  }

  static Stream<Arguments> rawDryRuns() {
    return Stream.of(
        Arguments.of("Encrypt", "{\"KeyId\":\"%1$s\",\"Plaintext\":\"eA==\",\"DryRun\":true}"),
        Arguments.of("Decrypt", "{\"CiphertextBlob\":\"%2$s\",\"DryRun\":true}"),
        Arguments.of(
            "GenerateDataKey", "{\"KeyId\":\"%1$s\",\"KeySpec\":\"AES_256\",\"DryRun\":true}"),
        Arguments.of(
            "ReEncrypt",
            "{\"CiphertextBlob\":\"%2$s\",\"DestinationKeyId\":\"%1$s\",\"DryRun\":true}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rawDryRuns")
  void dryRun_rawResponseIs400ErrorWithoutAnyKeyOrCiphertext(String operation, String template) {
    String keyId = newKey(kms);
    String blob =
        Base64.getEncoder()
            .encodeToString(
                kms.encrypt(b -> b.keyId(keyId).plaintext(SdkBytes.fromUtf8String("x")))
                    .ciphertextBlob()
                    .asByteArray());

    RawResponse r = server.post("TrentService." + operation, String.format(template, keyId, blob));

    assertEquals(400, r.status(), r.body());
    JsonNode body = parse(r.body());
    assertEquals("DryRunOperationException", body.get("__type").asText());
    assertFalse(body.has("Plaintext") || body.has("CiphertextBlob"), r.body());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"Decrypt", "ReEncrypt"})
  void dryRunIgnoringCiphertext_withoutBlob_isDryRunOperationException(String operation) {
    // The model: CiphertextBlob "is required in all cases except when DryRun is true and
    // DryRunModifiers is set to IGNORE_CIPHERTEXT"; the KeyId then names the key. (The SDK used
    // here predates DryRunModifiers, hence raw HTTP.)
    String keyId = newKey(kms);
    String body =
        operation.equals("Decrypt")
            ? "{\"KeyId\":\""
                + keyId
                + "\",\"DryRun\":true,"
                + "\"DryRunModifiers\":[\"IGNORE_CIPHERTEXT\"]}"
            : "{\"SourceKeyId\":\""
                + keyId
                + "\",\"DestinationKeyId\":\""
                + keyId
                + "\","
                + "\"DryRun\":true,\"DryRunModifiers\":[\"IGNORE_CIPHERTEXT\"]}";

    RawResponse r = server.post("TrentService." + operation, body);

    assertEquals(400, r.status(), r.body());
    assertEquals("DryRunOperationException", parse(r.body()).get("__type").asText());
  }

  @Test
  void decrypt_withoutCiphertextBlob_isValidationException() {
    // Required in all cases but a DryRun with IGNORE_CIPHERTEXT (the model's documentation).
    String message =
        assertAwsError("ValidationException", () -> kms.decrypt(b -> {}))
            .awsErrorDetails()
            .errorMessage();

    assertTrue(message.contains("'ciphertextBlob'"), message);
  }

  @Test
  void reEncrypt_withoutCiphertextBlob_isValidationException() {
    String keyId = newKey(kms);

    String message =
        assertAwsError("ValidationException", () -> kms.reEncrypt(b -> b.destinationKeyId(keyId)))
            .awsErrorDetails()
            .errorMessage();

    assertTrue(message.contains("'ciphertextBlob'"), message);
  }

  private static SdkBytes bytes(byte[] b) {
    return SdkBytes.fromByteArray(b);
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
