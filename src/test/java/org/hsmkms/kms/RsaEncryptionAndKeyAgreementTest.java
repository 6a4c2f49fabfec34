package org.hsmkms.kms;

import static org.hsmkms.kms.CryptoOperationsTest.assertBareInvalidCiphertext;
import static org.hsmkms.kms.StoredKeys.caller;
import static org.hsmkms.kms.TokenServices.ENCRYPT_DECRYPT;
import static org.hsmkms.kms.TokenServices.KEY_AGREEMENT;
import static org.hsmkms.kms.TokenServices.SIGN_VERIFY;
import static org.hsmkms.kms.TokenServices.SYMMETRIC_DEFAULT;
import static org.hsmkms.kms.TokenServices.refusal;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.hsmkms.crypto.EncryptionContext;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.testing.KeyPairChecks;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Encrypt and Decrypt under RSA keys (reached through {@link CryptoOperations}, served by {@link
 * AsymmetricOperations}) and DeriveSharedSecret: the RSAES-OAEP algorithms and their plaintext
 * limits, no encryption context, every failed decryption a bare InvalidCiphertextException, and
 * ECDH only with KEY_AGREEMENT keys and peer keys on the key's curve.
 */
class RsaEncryptionAndKeyAgreementTest {
  private static final EncryptionContext NONE = EncryptionContext.empty();

  @RegisterExtension static final TokenFixture TOKEN = TokenFixture.perClass();

  private static TokenServices services;
  private static CryptoOperations crypto;
  private static AsymmetricOperations asymmetric;
  private static KeyRecord rsa;
  private static KeyRecord ecdh;
  private final RequestContext ctx = caller();

  @BeforeAll
  static void open() {
    services = TOKEN.services();
    crypto = services.crypto;
    asymmetric = services.asymmetric;
    rsa = services.create("RSA_2048", ENCRYPT_DECRYPT);
    ecdh = services.create("ECC_NIST_P256", KEY_AGREEMENT);
  }

  private byte[] encrypt(KeyRecord key, byte[] plaintext, String algorithm) {
    return crypto.encrypt(ctx, key.keyId(), plaintext, NONE, algorithm, false).ciphertextBlob();
  }

  private byte[] decrypt(KeyRecord key, byte[] ciphertext, String algorithm) {
    return crypto
        .decrypt(ctx, ciphertext, NONE, key.keyId(), algorithm, false, false)
        .plaintext()
        .copy();
  }

  // --- RSA encryption --------------------------------------------------------------------------

  /** RFC 8017: RSAES-OAEP encrypts at most k - 2 hLen - 2 bytes (k = 256 for RSA_2048). */
  @ParameterizedTest
  @CsvSource({"RSAES_OAEP_SHA_1, 214", "RSAES_OAEP_SHA_256, 190"})
  void rsaEncrypt_upToTheOaepLimit_decryptsInTheHsm_andOneByteMoreIsValidationException(
      String algorithm, int max) {
    for (int length : new int[] {1, max}) {
      byte[] plaintext = new byte[length];
      Arrays.fill(plaintext, (byte) 7);

      CryptoOperations.Encrypted sealed =
          crypto.encrypt(ctx, rsa.keyId(), plaintext, NONE, algorithm, false);

      assertEquals(algorithm, sealed.algorithm());
      assertEquals(256, sealed.ciphertextBlob().length);
      assertArrayEquals(plaintext, decrypt(rsa, sealed.ciphertextBlob(), algorithm));
    }
    KmsException e =
        assertThrows(KmsException.class, () -> encrypt(rsa, new byte[max + 1], algorithm));
    assertEquals(ErrorCode.VALIDATION, e.code());
    assertEquals(
        "Algorithm "
            + algorithm
            + " and key spec RSA_2048 cannot encrypt data larger than "
            + max
            + " bytes.",
        e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({"RSAES_OAEP_SHA_1, SHA-1", "RSAES_OAEP_SHA_256, SHA-256"})
  void rsaCiphertext_madeByTheJdkWithThePublicKey_decrypts(String algorithm, String hash)
      throws Exception {
    byte[] spki = asymmetric.getPublicKey(ctx, rsa.keyId()).publicKey();
    Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
    cipher.init(
        Cipher.ENCRYPT_MODE,
        KeyPairChecks.publicKey("RSA_2048", spki),
        new OAEPParameterSpec(
            hash, "MGF1", new MGF1ParameterSpec(hash), PSource.PSpecified.DEFAULT));
    byte[] plaintext = {1, 2, 3};

    assertArrayEquals(plaintext, decrypt(rsa, cipher.doFinal(plaintext), algorithm));
  }

  /** Without an algorithm, Encrypt and Decrypt mean SYMMETRIC_DEFAULT. */
  @ParameterizedTest
  @CsvSource({
    ", " + SYMMETRIC_DEFAULT,
    SYMMETRIC_DEFAULT + ", " + SYMMETRIC_DEFAULT,
    "SM2PKE, SM2PKE"
  })
  void rsaEncryptOrDecrypt_withoutAnOaepAlgorithm_isInvalidKeyUsageException(
      String given, String algorithm) {
    byte[] ciphertext = encrypt(rsa, new byte[] {1}, "RSAES_OAEP_SHA_256");
    String message =
        "The encryption algorithm "
            + algorithm
            + " is not valid for "
            + ctx.keyArn(rsa.keyId())
            + ".";

    KmsException onEncrypt =
        assertThrows(KmsException.class, () -> encrypt(rsa, new byte[] {1}, given));
    KmsException onDecrypt =
        assertThrows(KmsException.class, () -> decrypt(rsa, ciphertext, given));

    assertEquals(ErrorCode.INVALID_KEY_USAGE, onEncrypt.code());
    assertEquals(message, onEncrypt.getMessage());
    assertEquals(ErrorCode.INVALID_KEY_USAGE, onDecrypt.code());
    assertEquals(message, onDecrypt.getMessage());
  }

  @Test
  void rsaEncrypt_withAnEncryptionContext_isValidationException() {
    EncryptionContext context = EncryptionContext.of(Map.of("k", "v"));

    KmsException e =
        assertThrows(
            KmsException.class,
            () ->
                crypto.encrypt(
                    ctx, rsa.keyId(), new byte[] {1}, context, "RSAES_OAEP_SHA_1", false));

    assertEquals(ErrorCode.VALIDATION, e.code());
    assertEquals("EncryptionContext is not supported with asymmetric KMS keys.", e.getMessage());
  }

  @Test
  void rsaDecrypt_ofAnyWrongCiphertext_isABareInvalidCiphertextException() {
    byte[] ciphertext = encrypt(rsa, new byte[] {1, 2}, "RSAES_OAEP_SHA_256");
    KeyRecord another = services.create("RSA_2048", ENCRYPT_DECRYPT);
    byte[] flipped = ciphertext.clone();
    flipped[100] ^= 0x01;

    assertBareInvalidCiphertext(() -> decrypt(rsa, flipped, "RSAES_OAEP_SHA_256"));
    assertBareInvalidCiphertext(() -> decrypt(rsa, ciphertext, "RSAES_OAEP_SHA_1"));
    assertBareInvalidCiphertext(() -> decrypt(another, ciphertext, "RSAES_OAEP_SHA_256"));
    // An RSA ciphertext names no key: without the key id it is no ciphertext of this service.
    assertBareInvalidCiphertext(
        () -> crypto.decrypt(ctx, ciphertext, NONE, null, "RSAES_OAEP_SHA_256", false, false));
    assertArrayEquals(new byte[] {1, 2}, decrypt(rsa, ciphertext, "RSAES_OAEP_SHA_256"));
  }

  @Test
  void rsaDecrypt_withASigningKey_isInvalidKeyUsageException() {
    KeyRecord signing = services.create("RSA_2048", SIGN_VERIFY);

    assertEquals(
        ErrorCode.INVALID_KEY_USAGE,
        refusal(() -> decrypt(signing, new byte[256], "RSAES_OAEP_SHA_256")));
  }

  @Test
  void reEncrypt_fromASymmetricKeyToAnRsaKeyAndBack_keepsThePlaintext() {
    KeyRecord symmetric = services.symmetricKey();
    byte[] plaintext = {9, 8, 7};
    byte[] blob = encrypt(symmetric, plaintext, null);

    byte[] underRsa =
        crypto
            .reEncrypt(
                ctx, blob, NONE, null, null, rsa.keyId(), NONE, "RSAES_OAEP_SHA_256", false, false)
            .ciphertextBlob();
    byte[] back =
        crypto
            .reEncrypt(
                ctx,
                underRsa,
                NONE,
                rsa.keyId(),
                "RSAES_OAEP_SHA_256",
                symmetric.keyId(),
                NONE,
                null,
                false,
                false)
            .ciphertextBlob();

    assertArrayEquals(plaintext, decrypt(rsa, underRsa, "RSAES_OAEP_SHA_256"));
    assertArrayEquals(plaintext, decrypt(symmetric, back, null));
  }

  // --- DeriveSharedSecret ------------------------------------------------------------------------

  private static KeyPair peer(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  @Test
  void deriveSharedSecret_equalsTheSecretThePeerDerivesWithTheJdk() throws Exception {
    KeyPair peer = peer("secp256r1");
    javax.crypto.KeyAgreement jdk = javax.crypto.KeyAgreement.getInstance("ECDH");
    jdk.init(peer.getPrivate());
    jdk.doPhase(
        KeyPairChecks.publicKey(
            "ECC_NIST_P256", asymmetric.getPublicKey(ctx, ecdh.keyId()).publicKey()),
        true);

    AsymmetricOperations.SharedSecret secret =
        asymmetric.deriveSharedSecret(
            ctx, ecdh.keyId(), "ECDH", peer.getPublic().getEncoded(), false);

    assertArrayEquals(jdk.generateSecret(), secret.secret().copy());
    assertEquals(ctx.keyArn(ecdh.keyId()), secret.keyArn());
  }

  @Test
  void deriveSharedSecret_withAPeerKeyThatIsNotOnTheKeysCurve_isValidationException()
      throws Exception {
    byte[] otherCurve = peer("secp384r1").getPublic().getEncoded();
    byte[] offTheCurve = peer("secp256r1").getPublic().getEncoded();
    offTheCurve[offTheCurve.length - 1] ^= 0x01;

    for (byte[] publicKey : List.of(otherCurve, offTheCurve, new byte[] {0x30, 0x00})) {
      KmsException e =
          assertThrows(
              KmsException.class,
              () -> asymmetric.deriveSharedSecret(ctx, ecdh.keyId(), "ECDH", publicKey, false));

      assertEquals(ErrorCode.VALIDATION, e.code());
      // AWS answers an invalid public key with an empty message.
      assertEquals("", e.getMessage());
    }
  }

  @ParameterizedTest
  @CsvSource({"ECC_NIST_P256, " + SIGN_VERIFY, "RSA_2048, " + ENCRYPT_DECRYPT})
  void deriveSharedSecret_withAKeyNotForKeyAgreement_isInvalidKeyUsageException(
      String spec, String usage) throws Exception {
    KeyRecord key = spec.startsWith("RSA") ? rsa : services.create(spec, usage);
    byte[] publicKey = peer("secp256r1").getPublic().getEncoded();

    KmsException e =
        assertThrows(
            KmsException.class,
            () -> asymmetric.deriveSharedSecret(ctx, key.keyId(), "ECDH", publicKey, false));

    assertEquals(ErrorCode.INVALID_KEY_USAGE, e.code());
    assertEquals(
        ctx.keyArn(key.keyId())
            + " key usage is "
            + usage
            + " which is not valid for DeriveSharedSecret.",
        e.getMessage());
  }

  @Test
  void deriveSharedSecret_withAnotherAlgorithm_isInvalidKeyUsageException() throws Exception {
    byte[] publicKey = peer("secp256r1").getPublic().getEncoded();

    KmsException e =
        assertThrows(
            KmsException.class,
            () -> asymmetric.deriveSharedSecret(ctx, ecdh.keyId(), "SM2", publicKey, false));

    assertEquals(ErrorCode.INVALID_KEY_USAGE, e.code());
    assertEquals("Algorithm SM2 is incompatible with key spec ECC_NIST_P256.", e.getMessage());
  }

  @Test
  void deriveSharedSecret_ofADisabledKeyOrInADryRun_derivesNothing() throws Exception {
    byte[] publicKey = peer("secp256r1").getPublic().getEncoded();
    KeyRecord disabled =
        services.setState(services.create("ECC_NIST_P256", KEY_AGREEMENT), KeyState.DISABLED);

    assertEquals(
        ErrorCode.DRY_RUN_OPERATION,
        refusal(() -> asymmetric.deriveSharedSecret(ctx, ecdh.keyId(), "ECDH", publicKey, true)));
    assertEquals(
        ErrorCode.DISABLED,
        refusal(
            () -> asymmetric.deriveSharedSecret(ctx, disabled.keyId(), "ECDH", publicKey, false)));
  }
}
