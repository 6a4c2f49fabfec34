package org.hsmkms.kms;

import static org.hsmkms.kms.StoredKeys.caller;
import static org.hsmkms.kms.TokenServices.ENCRYPT_DECRYPT;
import static org.hsmkms.kms.TokenServices.GENERATE_VERIFY_MAC;
import static org.hsmkms.kms.TokenServices.KEY_AGREEMENT;
import static org.hsmkms.kms.TokenServices.SIGN_VERIFY;
import static org.hsmkms.kms.TokenServices.refusal;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.hsmkms.crypto.CiphertextBlob;
import org.hsmkms.crypto.EncryptionContext;
import org.hsmkms.crypto.SecretBytes;
import org.hsmkms.store.KeyRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * GenerateDataKey, GenerateDataKeyWithoutPlaintext and GenerateRandom on {@link CryptoOperations}
 * over the test token: exactly one of KeySpec and NumberOfBytes, the length each gives, a blob that
 * decrypts to the data key under its context only, and data keys only under symmetric encryption
 * keys.
 */
class GenerateDataKeyTest {
  private static final EncryptionContext CONTEXT = EncryptionContext.of(Map.of("file", "a.txt"));

  @RegisterExtension static final TokenFixture TOKEN = TokenFixture.perClass();

  private static TokenServices services;
  private static CryptoOperations crypto;
  private static KeyRecord key;
  private final RequestContext ctx = caller();

  @BeforeAll
  static void open() {
    services = TOKEN.services();
    crypto = services.crypto;
    key = services.symmetricKey();
  }

  private CryptoOperations.DataKey generate(String keySpec, Integer numberOfBytes) {
    return crypto.generateDataKey(ctx, key.keyId(), keySpec, numberOfBytes, CONTEXT, true, false);
  }

  private byte[] decrypt(byte[] blob, EncryptionContext context) {
    try (SecretBytes plaintext =
        crypto.decrypt(ctx, blob, context, null, null, false, false).plaintext()) {
      return plaintext.copy();
    }
  }

  @ParameterizedTest
  @CsvSource({"AES_128, 16", "AES_256, 32"})
  void generateDataKey_withKeySpec_givesAKeyOfItsLength_andABlobThatDecryptsToIt(
      String keySpec, int length) {
    CryptoOperations.DataKey dataKey = generate(keySpec, null);

    assertEquals(length, dataKey.plaintext().length());
    assertArrayEquals(dataKey.plaintext().copy(), decrypt(dataKey.ciphertextBlob(), CONTEXT));
    assertEquals(ctx.keyArn(key.keyId()), dataKey.keyArn());
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 17, 64, 1024})
  void generateDataKey_withNumberOfBytes_givesThatManyBytes_andABlobThatDecryptsToThem(int n) {
    CryptoOperations.DataKey dataKey = generate(null, n);

    assertEquals(n, dataKey.plaintext().length());
    assertEquals(CiphertextBlob.OVERHEAD + n, dataKey.ciphertextBlob().length);
    assertArrayEquals(dataKey.plaintext().copy(), decrypt(dataKey.ciphertextBlob(), CONTEXT));
  }

  @Test
  void generateDataKey_blob_doesNotDecryptUnderAnotherContext() {
    byte[] blob = generate("AES_256", null).ciphertextBlob();

    CryptoOperationsTest.assertBareInvalidCiphertext(
        () -> decrypt(blob, EncryptionContext.of(Map.of("file", "b.txt"))));
  }

  @Test
  void generateDataKey_twice_givesDifferentKeys() {
    assertFalse(
        Arrays.equals(
            generate("AES_256", null).plaintext().copy(),
            generate("AES_256", null).plaintext().copy()));
  }

  @Test
  void generateDataKeyWithoutPlaintext_givesNoPlaintext_andABlobThatDecryptsToAKey() {
    CryptoOperations.DataKey dataKey =
        crypto.generateDataKey(ctx, key.keyId(), "AES_256", null, CONTEXT, false, false);

    assertNull(dataKey.plaintext());
    assertEquals(32, decrypt(dataKey.ciphertextBlob(), CONTEXT).length);
  }

  static Stream<Arguments> neitherOrBoth() {
    return Stream.of(Arguments.of(null, null), Arguments.of("AES_256", 32));
  }

  @ParameterizedTest
  @MethodSource("neitherOrBoth")
  void generateDataKey_withNeitherOrBothOfKeySpecAndNumberOfBytes_isValidationException(
      String keySpec, Integer numberOfBytes) {
    for (boolean withPlaintext : new boolean[] {true, false}) {
      KmsException e =
          assertThrows(
              KmsException.class,
              () ->
                  crypto.generateDataKey(
                      ctx, key.keyId(), keySpec, numberOfBytes, CONTEXT, withPlaintext, false));

      assertEquals(ErrorCode.VALIDATION, e.code());
      assertEquals("Please specify either number of bytes or key spec.", e.getMessage());
    }
  }

  /** Keys that cannot make data keys, and the InvalidKeyUsage message's reason. */
  static Stream<Arguments> keysNotForDataKeys() {
    return Stream.of(
        Arguments.of("HMAC_256", GENERATE_VERIFY_MAC, "key usage is GENERATE_VERIFY_MAC"),
        Arguments.of("ECC_NIST_P256", SIGN_VERIFY, "key usage is SIGN_VERIFY"),
        Arguments.of("ECC_NIST_P256", KEY_AGREEMENT, "key usage is KEY_AGREEMENT"),
        Arguments.of("RSA_2048", ENCRYPT_DECRYPT, "key spec is RSA_2048"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("keysNotForDataKeys")
  void generateDataKey_underAKeyThatIsNotASymmetricEncryptionKey_isInvalidKeyUsageException(
      String spec, String usage, String reason) {
    KeyRecord other = services.create(spec, usage);
    String arn = ctx.keyArn(other.keyId());

    KmsException with =
        assertThrows(
            KmsException.class,
            () ->
                crypto.generateDataKey(ctx, other.keyId(), "AES_256", null, CONTEXT, true, false));
    KmsException without =
        assertThrows(
            KmsException.class,
            () -> crypto.generateDataKey(ctx, other.keyId(), null, 32, CONTEXT, false, false));

    assertEquals(ErrorCode.INVALID_KEY_USAGE, with.code());
    assertEquals(
        arn + " " + reason + " which is not valid for GenerateDataKey.", with.getMessage());
    assertEquals(ErrorCode.INVALID_KEY_USAGE, without.code());
    assertEquals(
        arn + " " + reason + " which is not valid for GenerateDataKeyWithoutPlaintext.",
        without.getMessage());
  }

  @Test
  void generateDataKey_dryRun_isDryRunOperationException() {
    assertEquals(
        ErrorCode.DRY_RUN_OPERATION,
        refusal(() -> crypto.generateDataKey(ctx, key.keyId(), null, 16, CONTEXT, true, true)));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 32, 1024})
  void generateRandom_givesThatManyBytes_andNotTheSameTwice(int n) {
    try (SecretBytes first = crypto.generateRandom(n);
        SecretBytes second = crypto.generateRandom(n)) {
      assertEquals(n, first.length());
      assertEquals(n, second.length());
      if (n >= 16) {
        assertFalse(Arrays.equals(first.copy(), second.copy()));
      }
    }
  }
}
