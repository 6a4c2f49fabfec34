package org.hsmkms.kms;

import static org.hsmkms.kms.StoredKeys.ACCOUNT;
import static org.hsmkms.kms.StoredKeys.OTHER_ACCOUNT;
import static org.hsmkms.kms.StoredKeys.OTHER_REGION;
import static org.hsmkms.kms.StoredKeys.REGION;
import static org.hsmkms.kms.StoredKeys.caller;
import static org.hsmkms.kms.TokenServices.ENCRYPT_DECRYPT;
import static org.hsmkms.kms.TokenServices.GENERATE_VERIFY_MAC;
import static org.hsmkms.kms.TokenServices.SIGN_VERIFY;
import static org.hsmkms.kms.TokenServices.SYMMETRIC_DEFAULT;
import static org.hsmkms.kms.TokenServices.refusal;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.hsmkms.crypto.CiphertextBlob;
import org.hsmkms.crypto.EncryptionContext;
import org.hsmkms.crypto.SecretBytes;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.store.KeyRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Encrypt, Decrypt and ReEncrypt under symmetric keys, called on {@link CryptoOperations} over the
 * test token: key usage and algorithm checks, and that every ciphertext that is not exactly what
 * this key made under this context (a flipped byte, another context, a blob of another account or
 * region, of an unknown key, or sealed under a material the key does not have) is the same bare
 * InvalidCiphertextException. Key states: {@link CryptoStatesTest}.
 */
class CryptoOperationsTest {
  private static final byte[] PLAINTEXT = "crypto operations".getBytes(StandardCharsets.UTF_8);
  private static final EncryptionContext CONTEXT =
      EncryptionContext.of(Map.of("purpose", "test", "tenant", "a"));

  @RegisterExtension static final TokenFixture TOKEN = TokenFixture.perClass();

  private static TokenServices services;
  private static CryptoOperations crypto;
  private static KeyRecord key;
  private static KeyRecord other;
  private static KeyRecord hmac;
  private static KeyRecord signing;
  private final RequestContext ctx = caller();

  @BeforeAll
  static void open() {
    services = TOKEN.services();
    crypto = services.crypto;
    key = services.symmetricKey();
    other = services.symmetricKey();
    hmac = services.create("HMAC_256", GENERATE_VERIFY_MAC);
    signing = services.create("ECC_NIST_P256", SIGN_VERIFY);
  }

  private byte[] encrypt(KeyRecord k, EncryptionContext context) {
    return crypto.encrypt(ctx, k.keyId(), PLAINTEXT, context, null, false).ciphertextBlob();
  }

  private byte[] decrypt(byte[] blob, EncryptionContext context) {
    try (SecretBytes plaintext =
        crypto.decrypt(ctx, blob, context, null, null, false, false).plaintext()) {
      return plaintext.copy();
    }
  }

  /** The same bare InvalidCiphertextException for every cause: no message, no cause. */
  static void assertBareInvalidCiphertext(Executable call) {
    KmsException e = assertThrows(KmsException.class, call);
    assertEquals(ErrorCode.INVALID_CIPHERTEXT, e.code());
    assertNull(e.getMessage());
    assertNull(e.getCause());
  }

  private String arn(KeyRecord k) {
    return ctx.keyArn(k.keyId());
  }

  // --- Round trips ---------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(ints = {1, 32, 4096})
  void encryptThenDecrypt_returnsThePlaintext_andTheKeyArn(int size) {
    byte[] plaintext = new byte[size];
    Arrays.fill(plaintext, (byte) size);

    CryptoOperations.Encrypted sealed =
        crypto.encrypt(ctx, key.keyId(), plaintext, CONTEXT, null, false);
    CryptoOperations.Decrypted opened =
        crypto.decrypt(ctx, sealed.ciphertextBlob(), CONTEXT, null, null, false, false);

    assertEquals(arn(key), sealed.keyArn());
    assertEquals(SYMMETRIC_DEFAULT, sealed.algorithm());
    assertEquals(arn(key), opened.keyArn());
    assertArrayEquals(plaintext, opened.plaintext().copy());
    assertEquals(CiphertextBlob.OVERHEAD + size, sealed.ciphertextBlob().length);
  }

  @Test
  void encrypt_writesABlobNamingTheKeyAndItsCurrentMaterial() {
    CiphertextBlob blob = CiphertextBlob.parse(encrypt(key, CONTEXT)).orElseThrow();

    assertEquals(UUID.fromString(key.keyId()), blob.keyId());
    assertArrayEquals(services.material(key).bytes(), blob.materialId());
  }

  @Test
  void encrypt_twice_givesDifferentBlobs() {
    assertFalse(Arrays.equals(encrypt(key, CONTEXT), encrypt(key, CONTEXT)));
  }

  @Test
  void encryptionContext_inAnyOrder_decrypts() {
    byte[] blob = encrypt(key, EncryptionContext.of(Map.of("a", "1", "b", "2")));

    LinkedHashMap<String, String> reversed = new LinkedHashMap<>();
    reversed.put("b", "2");
    reversed.put("a", "1");
    assertArrayEquals(PLAINTEXT, decrypt(blob, EncryptionContext.of(reversed)));
  }

  // --- Every wrong ciphertext is the same bare InvalidCiphertextException --------------------

  /** Ways a Decrypt's context can differ from the Encrypt's. */
  enum ContextChange {
    NONE_GIVEN(Map.of()),
    A_PAIR_MISSING(Map.of("purpose", "test")),
    A_PAIR_EXTRA(Map.of("purpose", "test", "tenant", "a", "x", "y")),
    ANOTHER_VALUE(Map.of("purpose", "test", "tenant", "b")),
    ANOTHER_CASE(Map.of("purpose", "test", "Tenant", "a")),
    PAIRS_SWAPPED(Map.of("purpose", "a", "tenant", "test"));

    final EncryptionContext context;

    ContextChange(Map<String, String> pairs) {
      this.context = EncryptionContext.of(pairs);
    }
  }

  @ParameterizedTest
  @EnumSource(ContextChange.class)
  void decrypt_withAnEncryptionContextThatDiffers_isABareInvalidCiphertextException(
      ContextChange change) {
    byte[] blob = encrypt(key, CONTEXT);

    assertBareInvalidCiphertext(() -> decrypt(blob, change.context));
  }

  @Test
  void decrypt_withAContext_ofABlobMadeWithout_isABareInvalidCiphertextException() {
    byte[] blob = encrypt(key, EncryptionContext.empty());

    assertBareInvalidCiphertext(() -> decrypt(blob, CONTEXT));
  }

  @Test
  void decrypt_ofABlobWithAnyOneByteFlipped_isABareInvalidCiphertextException() {
    byte[] blob = encrypt(key, CONTEXT);
    for (int i = 0; i < blob.length; i++) {
      byte[] flipped = blob.clone();
      flipped[i] ^= 0x01;

      assertBareInvalidCiphertext(() -> decrypt(flipped, CONTEXT));
    }
    assertArrayEquals(PLAINTEXT, decrypt(blob, CONTEXT), "the blob itself decrypts");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 33, CiphertextBlob.OVERHEAD - 1, CiphertextBlob.OVERHEAD})
  void decrypt_ofATruncatedBlob_isABareInvalidCiphertextException(int keep) {
    byte[] blob = Arrays.copyOf(encrypt(key, CONTEXT), keep);

    assertBareInvalidCiphertext(() -> decrypt(blob, CONTEXT));
  }

  @ParameterizedTest
  @ValueSource(strings = {OTHER_ACCOUNT + "/" + REGION, ACCOUNT + "/" + OTHER_REGION})
  void decrypt_ofABlobOfAKeyOfAnotherAccountOrRegion_isABareInvalidCiphertextException(
      String accountRegion) {
    String[] parts = accountRegion.split("/");
    RequestContext owner = caller(parts[0], parts[1]);
    KeyRecord theirs = services.create(owner, SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT);
    byte[] blob =
        crypto.encrypt(owner, theirs.keyId(), PLAINTEXT, CONTEXT, null, false).ciphertextBlob();
    assertArrayEquals(
        PLAINTEXT,
        crypto.decrypt(owner, blob, CONTEXT, null, null, false, false).plaintext().copy());

    assertBareInvalidCiphertext(() -> decrypt(blob, CONTEXT));
  }

  @Test
  void decrypt_ofABlobNamingAnUnknownKey_isABareInvalidCiphertextException() {
    byte[] blob = encrypt(key, CONTEXT);
    UUID unknown = UUID.randomUUID();
    ByteBuffer.wrap(blob, 1, 16)
        .putLong(unknown.getMostSignificantBits())
        .putLong(unknown.getLeastSignificantBits());

    assertBareInvalidCiphertext(() -> decrypt(blob, CONTEXT));
  }

  /** A blob naming {@code named} and {@code material}, sealed in the HSM under that material. */
  private static byte[] sealedUnder(KeyRecord named, MaterialId material) {
    UUID id = UUID.fromString(named.keyId());
    byte[] aad = CiphertextBlob.aad(id, material.bytes(), CONTEXT);
    return CiphertextBlob.encode(
        id, material.bytes(), TOKEN.hsm().symmetric().encrypt(material, PLAINTEXT, aad));
  }

  @Test
  void sealedUnder_theKeysOwnMaterial_decrypts_soTheTestsBelowCanFail() {
    assertArrayEquals(PLAINTEXT, decrypt(sealedUnder(key, services.material(key)), CONTEXT));
  }

  @Test
  void decrypt_ofABlobSealedUnderAMaterialTheKeyDoesNotHave_isABareInvalidCiphertextException() {
    byte[] blob = sealedUnder(key, services.material(other));

    assertBareInvalidCiphertext(() -> decrypt(blob, CONTEXT));
  }

  @Test
  void decrypt_ofABlobNamingAKeyThatIsNotSymmetric_isABareInvalidCiphertextException() {
    byte[] blob = sealedUnder(key, services.material(key));
    UUID hmacId = UUID.fromString(hmac.keyId());
    byte[] renamed =
        CiphertextBlob.encode(
            hmacId,
            services.material(hmac).bytes(),
            Arrays.copyOfRange(blob, CiphertextBlob.HEADER_LENGTH, blob.length));

    assertBareInvalidCiphertext(() -> decrypt(renamed, CONTEXT));
  }

  // --- Key usage, key id and algorithm ---------------------------------------------------------

  @Test
  void decrypt_namingAnotherSymmetricKey_isIncorrectKeyException() {
    byte[] blob = encrypt(key, CONTEXT);

    KmsException e =
        assertThrows(
            KmsException.class,
            () -> crypto.decrypt(ctx, blob, CONTEXT, other.keyId(), null, false, false));

    assertEquals(ErrorCode.INCORRECT_KEY, e.code());
    assertEquals(
        "The key ID in the request does not identify a CMK that can perform this operation.",
        e.getMessage());
  }

  @Test
  void decrypt_namingTheKeyThatMadeTheBlob_decrypts() {
    byte[] blob = encrypt(key, CONTEXT);

    assertArrayEquals(
        PLAINTEXT,
        crypto.decrypt(ctx, blob, CONTEXT, arn(key), null, false, false).plaintext().copy());
  }

  @ParameterizedTest
  @ValueSource(strings = {"Encrypt", "Decrypt"})
  void encryptOrDecrypt_withAKeyNotForEncryption_isInvalidKeyUsageException(String operation) {
    byte[] blob = encrypt(key, CONTEXT);
    // Decrypt naming an HMAC key is IncorrectKeyException (HmacKeysIT), as AWS answers it.
    KeyRecord[] keys =
        operation.equals("Encrypt") ? new KeyRecord[] {hmac, signing} : new KeyRecord[] {signing};
    for (KeyRecord k : keys) {
      Executable call =
          operation.equals("Encrypt")
              ? () -> crypto.encrypt(ctx, k.keyId(), PLAINTEXT, CONTEXT, null, false)
              : () -> crypto.decrypt(ctx, blob, CONTEXT, k.keyId(), null, false, false);

      KmsException e = assertThrows(KmsException.class, call);

      assertEquals(ErrorCode.INVALID_KEY_USAGE, e.code());
      assertEquals(
          arn(k) + " key usage is " + k.keyUsage() + " which is not valid for " + operation + ".",
          e.getMessage());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE"})
  void encryptOrDecrypt_withAnAsymmetricAlgorithm_underASymmetricKey_isInvalidKeyUsage(
      String algorithm) {
    byte[] blob = encrypt(key, CONTEXT);
    String message =
        "The encryption algorithm " + algorithm + " is not valid for " + arn(key) + ".";

    KmsException onEncrypt =
        assertThrows(
            KmsException.class,
            () -> crypto.encrypt(ctx, key.keyId(), PLAINTEXT, CONTEXT, algorithm, false));
    KmsException onDecrypt =
        assertThrows(
            KmsException.class,
            () -> crypto.decrypt(ctx, blob, CONTEXT, null, algorithm, false, false));

    assertEquals(ErrorCode.INVALID_KEY_USAGE, onEncrypt.code());
    assertEquals(message, onEncrypt.getMessage());
    assertEquals(ErrorCode.INVALID_KEY_USAGE, onDecrypt.code());
    assertEquals(message, onDecrypt.getMessage());
  }

  @Test
  void encryptAndDecrypt_namingSymmetricDefault_work() {
    byte[] blob =
        crypto
            .encrypt(ctx, key.keyId(), PLAINTEXT, CONTEXT, SYMMETRIC_DEFAULT, false)
            .ciphertextBlob();

    assertArrayEquals(
        PLAINTEXT,
        crypto
            .decrypt(ctx, blob, CONTEXT, null, SYMMETRIC_DEFAULT, false, false)
            .plaintext()
            .copy());
  }

  // --- ReEncrypt ---------------------------------------------------------------------------------

  private static final EncryptionContext NEW_CONTEXT = EncryptionContext.of(Map.of("new", "1"));

  private CryptoOperations.ReEncrypted reEncrypt(
      byte[] blob, EncryptionContext source, String sourceKeyId, KeyRecord destination) {
    return crypto.reEncrypt(
        ctx, blob, source, sourceKeyId, null, destination.keyId(), NEW_CONTEXT, null, false, false);
  }

  @Test
  void reEncrypt_toAnotherKeyAndContext_givesABlobOnlyTheNewKeyAndContextOpen() {
    byte[] blob = encrypt(key, CONTEXT);

    CryptoOperations.ReEncrypted moved = reEncrypt(blob, CONTEXT, null, other);

    assertEquals(arn(key), moved.sourceKeyArn());
    assertEquals(arn(other), moved.keyArn());
    assertEquals(SYMMETRIC_DEFAULT, moved.sourceAlgorithm());
    assertEquals(SYMMETRIC_DEFAULT, moved.destinationAlgorithm());
    assertArrayEquals(PLAINTEXT, decrypt(moved.ciphertextBlob(), NEW_CONTEXT));
    assertBareInvalidCiphertext(() -> decrypt(moved.ciphertextBlob(), CONTEXT));
  }

  @Test
  void reEncrypt_withTheWrongSourceContext_isABareInvalidCiphertextException() {
    byte[] blob = encrypt(key, CONTEXT);

    assertBareInvalidCiphertext(() -> reEncrypt(blob, NEW_CONTEXT, null, other));
  }

  @Test
  void reEncrypt_namingAnotherSourceKey_isIncorrectKeyException() {
    byte[] blob = encrypt(key, CONTEXT);

    assertEquals(
        ErrorCode.INCORRECT_KEY, refusal(() -> reEncrypt(blob, CONTEXT, other.keyId(), other)));
  }

  @Test
  void reEncrypt_toAKeyNotForEncryption_isInvalidKeyUsageException() {
    byte[] blob = encrypt(key, CONTEXT);

    KmsException e = assertThrows(KmsException.class, () -> reEncrypt(blob, CONTEXT, null, hmac));

    assertEquals(ErrorCode.INVALID_KEY_USAGE, e.code());
    assertEquals(
        arn(hmac) + " key usage is GENERATE_VERIFY_MAC which is not valid for ReEncrypt.",
        e.getMessage());
  }

  @Test
  void reEncrypt_withAnAsymmetricDestinationAlgorithm_forASymmetricKey_isInvalidKeyUsage() {
    byte[] blob = encrypt(key, CONTEXT);

    assertEquals(
        ErrorCode.INVALID_KEY_USAGE,
        refusal(
            () ->
                crypto.reEncrypt(
                    ctx,
                    blob,
                    CONTEXT,
                    null,
                    null,
                    other.keyId(),
                    NEW_CONTEXT,
                    "RSAES_OAEP_SHA_256",
                    false,
                    false)));
  }
}
