package org.hsmkms.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.hsmkms.store.KeyRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * AWS's table of key usages and algorithms per key spec (AWS KMS developer guide, "Key spec
 * reference"), and the InvalidKeyUsageException an operation gets on a key of the wrong usage.
 * Lists are written space-separated; "-" is the empty list.
 */
class KeySpecTest {
  private static final RequestContext CTX = StoredKeys.caller();

  private static List<String> list(String spaceSeparated) {
    return spaceSeparated.equals("-") ? List.of() : Arrays.asList(spaceSeparated.split(" "));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          SYMMETRIC_DEFAULT     | ENCRYPT_DECRYPT
          RSA_2048              | ENCRYPT_DECRYPT SIGN_VERIFY
          RSA_3072              | ENCRYPT_DECRYPT SIGN_VERIFY
          RSA_4096              | ENCRYPT_DECRYPT SIGN_VERIFY
          ECC_NIST_P256         | SIGN_VERIFY KEY_AGREEMENT
          ECC_NIST_P384         | SIGN_VERIFY KEY_AGREEMENT
          ECC_NIST_P521         | SIGN_VERIFY KEY_AGREEMENT
          ECC_SECG_P256K1       | SIGN_VERIFY
          ECC_NIST_EDWARDS25519 | SIGN_VERIFY
          HMAC_224              | GENERATE_VERIFY_MAC
          HMAC_256              | GENERATE_VERIFY_MAC
          HMAC_384              | GENERATE_VERIFY_MAC
          HMAC_512              | GENERATE_VERIFY_MAC
          """)
  void usages_areAwsTable_theDefaultFirst(KeySpec spec, String usages) {
    assertEquals(list(usages), spec.usages());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          SYMMETRIC_DEFAULT | ENCRYPT_DECRYPT | SYMMETRIC_DEFAULT
          RSA_2048          | ENCRYPT_DECRYPT | RSAES_OAEP_SHA_1 RSAES_OAEP_SHA_256
          RSA_3072          | ENCRYPT_DECRYPT | RSAES_OAEP_SHA_1 RSAES_OAEP_SHA_256
          RSA_4096          | ENCRYPT_DECRYPT | RSAES_OAEP_SHA_1 RSAES_OAEP_SHA_256
          RSA_2048          | SIGN_VERIFY     | -
          ECC_NIST_P256     | SIGN_VERIFY     | -
          HMAC_256          | ENCRYPT_DECRYPT | -
          """)
  void encryptionAlgorithms_perSpecAndUsage(KeySpec spec, String usage, String algorithms) {
    assertEquals(list(algorithms), spec.encryptionAlgorithms(usage));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          RSA_2048              | SIGN_VERIFY     | RSASSA_PKCS1_V1_5_SHA_256 RSASSA_PKCS1_V1_5_SHA_384 RSASSA_PKCS1_V1_5_SHA_512 RSASSA_PSS_SHA_256 RSASSA_PSS_SHA_384 RSASSA_PSS_SHA_512
          RSA_3072              | SIGN_VERIFY     | RSASSA_PKCS1_V1_5_SHA_256 RSASSA_PKCS1_V1_5_SHA_384 RSASSA_PKCS1_V1_5_SHA_512 RSASSA_PSS_SHA_256 RSASSA_PSS_SHA_384 RSASSA_PSS_SHA_512
          RSA_4096              | SIGN_VERIFY     | RSASSA_PKCS1_V1_5_SHA_256 RSASSA_PKCS1_V1_5_SHA_384 RSASSA_PKCS1_V1_5_SHA_512 RSASSA_PSS_SHA_256 RSASSA_PSS_SHA_384 RSASSA_PSS_SHA_512
          ECC_NIST_P256         | SIGN_VERIFY     | ECDSA_SHA_256
          ECC_NIST_P384         | SIGN_VERIFY     | ECDSA_SHA_384
          ECC_NIST_P521         | SIGN_VERIFY     | ECDSA_SHA_512
          ECC_SECG_P256K1       | SIGN_VERIFY     | ECDSA_SHA_256
          ECC_NIST_EDWARDS25519 | SIGN_VERIFY     | ED25519_SHA_512
          RSA_2048              | ENCRYPT_DECRYPT | -
          ECC_NIST_P256         | KEY_AGREEMENT   | -
          SYMMETRIC_DEFAULT     | ENCRYPT_DECRYPT | -
          HMAC_512              | SIGN_VERIFY     | -
          """)
  void signingAlgorithms_perSpecAndUsage(KeySpec spec, String usage, String algorithms) {
    assertEquals(list(algorithms), spec.signingAlgorithms(usage));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          HMAC_224          | HMAC_SHA_224 | 28
          HMAC_256          | HMAC_SHA_256 | 32
          HMAC_384          | HMAC_SHA_384 | 48
          HMAC_512          | HMAC_SHA_512 | 64
          SYMMETRIC_DEFAULT | -            | 0
          RSA_2048          | -            | 0
          ECC_NIST_P256     | -            | 0
          """)
  void hmacSpec_allowsExactlyItsOwnAlgorithm_withAKeyAsLongAsTheDigest(
      KeySpec spec, String algorithms, int keyBytes) {
    assertEquals(list(algorithms), spec.macAlgorithms());
    assertEquals(keyBytes, spec.hmacKeyBytes());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ECC_NIST_P256     | KEY_AGREEMENT   | ECDH
          ECC_NIST_P384     | KEY_AGREEMENT   | ECDH
          ECC_NIST_P521     | KEY_AGREEMENT   | ECDH
          ECC_NIST_P256     | SIGN_VERIFY     | -
          SYMMETRIC_DEFAULT | ENCRYPT_DECRYPT | -
          """)
  void keyAgreementAlgorithms_perSpecAndUsage(KeySpec spec, String usage, String algorithms) {
    assertEquals(list(algorithms), spec.keyAgreementAlgorithms(usage));
  }

  @ParameterizedTest
  @EnumSource(KeySpec.class)
  void everySpec_isExactlyOneOfSymmetricHmacOrAsymmetric_andOnlyAsymmetricHasAKeyPairType(
      KeySpec spec) {
    int kinds =
        (spec.isSymmetric() ? 1 : 0) + (spec.isHmac() ? 1 : 0) + (spec.isAsymmetric() ? 1 : 0);

    assertEquals(1, kinds);
    assertEquals(spec.isAsymmetric(), spec.keyPairType() != null);
    assertEquals(spec.name().startsWith("RSA_"), spec.isRsa());
  }

  @ParameterizedTest
  @EnumSource(KeySpec.class)
  void everySpec_isFoundByItsName(KeySpec spec) {
    assertEquals(Optional.of(spec), KeySpec.of(spec.name()));
    assertEquals(spec, KeySpec.ofKey(spec.name()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"SM2", "ML_DSA_44", "AES_256", "symmetric_default"})
  void specNotSupportedHere_isNotFound(String name) {
    assertEquals(Optional.empty(), KeySpec.of(name));
  }

  @Test
  void storedKeyWithoutASpec_isSymmetric() {
    assertEquals(KeySpec.SYMMETRIC_DEFAULT, KeySpec.ofKey(null));
  }

  @Test
  void storedKeyWithAnUnknownSpec_isAnInternalError_notAGuess() {
    assertThrows(IllegalStateException.class, () -> KeySpec.ofKey("SM2"));
  }

  // --- Usage checks -----------------------------------------------------------------------

  private static KeyRecord key(String spec, String usage) {
    return new KeyRecord(
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        StoredKeys.ACCOUNT,
        StoredKeys.REGION,
        "Enabled",
        spec,
        usage,
        "AWS_KMS",
        "",
        "{}",
        Instant.EPOCH,
        null,
        null,
        "00".repeat(16));
  }

  @Test
  void requireUsage_ofTheKeysUsage_givesItsSpec() {
    assertEquals(
        KeySpec.ECC_NIST_P384,
        KeySpec.requireUsage(CTX, key("ECC_NIST_P384", "SIGN_VERIFY"), "SIGN_VERIFY", "Sign"));
  }

  @Test
  void signingKey_encrypt_isInvalidKeyUsageException_inAwsWording() {
    KmsException e =
        assertThrows(
            KmsException.class,
            () ->
                KeySpec.requireUsage(
                    CTX, key("RSA_2048", "SIGN_VERIFY"), "ENCRYPT_DECRYPT", "Encrypt"));

    assertEquals(ErrorCode.INVALID_KEY_USAGE, e.code());
    assertEquals(
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
            + " key usage is SIGN_VERIFY which is not valid for Encrypt.",
        e.getMessage());
  }

  @Test
  void storedKeyWithoutAUsage_isAnEncryptionKey() {
    assertEquals(
        KeySpec.SYMMETRIC_DEFAULT,
        KeySpec.requireUsage(CTX, key(null, null), "ENCRYPT_DECRYPT", "Encrypt"));
    assertEquals(
        ErrorCode.INVALID_KEY_USAGE,
        assertThrows(
                KmsException.class,
                () ->
                    KeySpec.requireUsage(
                        CTX, key(null, null), "GENERATE_VERIFY_MAC", "GenerateMac"))
            .code());
  }

  @Test
  void requireSymmetric_ofASymmetricKey_givesItsSpec() {
    assertEquals(
        KeySpec.SYMMETRIC_DEFAULT,
        KeySpec.requireSymmetric(
            CTX, key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"), "GenerateDataKey"));
  }

  @Test
  void rsaEncryptionKey_generateDataKey_isInvalidKeyUsageException_namingTheSpec() {
    KmsException e =
        assertThrows(
            KmsException.class,
            () ->
                KeySpec.requireSymmetric(
                    CTX, key("RSA_2048", "ENCRYPT_DECRYPT"), "GenerateDataKey"));

    assertEquals(ErrorCode.INVALID_KEY_USAGE, e.code());
    assertEquals(
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
            + " key spec is RSA_2048 which is not valid for GenerateDataKey.",
        e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"SIGN_VERIFY", "GENERATE_VERIFY_MAC"})
  void keyOfAnotherUsage_generateDataKey_isInvalidKeyUsageException(String usage) {
    String spec = usage.equals("SIGN_VERIFY") ? "ECC_NIST_P256" : "HMAC_256";

    assertEquals(
        ErrorCode.INVALID_KEY_USAGE,
        assertThrows(
                KmsException.class,
                () -> KeySpec.requireSymmetric(CTX, key(spec, usage), "GenerateDataKey"))
            .code());
  }

  @Test
  void incompatibleAlgorithm_isInvalidKeyUsageException_inAwsWording() {
    KmsException e = KeySpec.incompatibleAlgorithm("ECDSA_SHA_384", KeySpec.ECC_NIST_P256);

    assertEquals(ErrorCode.INVALID_KEY_USAGE, e.code());
    assertEquals(
        "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.", e.getMessage());
  }
}
