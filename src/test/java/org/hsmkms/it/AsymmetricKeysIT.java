package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.PublicKey;
import java.util.List;
import java.util.stream.Stream;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.pkcs11.Pkcs11Diagnostics;
import org.hsmkms.testing.KeyPairChecks;
import org.hsmkms.testing.TestKeys;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.GetPublicKeyResponse;
import software.amazon.awssdk.services.kms.model.InvalidKeyUsageException;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * CreateKey, DescribeKey and GetPublicKey for asymmetric keys: every spec with every usage AWS
 * allows for it, the algorithm lists AWS reports, private keys that are non-extractable token
 * objects, and public keys as DER SubjectPublicKeyInfo that the JDK (BouncyCastle for secp256k1)
 * reads.
 */
class AsymmetricKeysIT {
  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();

  static final List<String> RSA_SIGNING =
      List.of(
          "RSASSA_PKCS1_V1_5_SHA_256",
          "RSASSA_PKCS1_V1_5_SHA_384",
          "RSASSA_PKCS1_V1_5_SHA_512",
          "RSASSA_PSS_SHA_256",
          "RSASSA_PSS_SHA_384",
          "RSASSA_PSS_SHA_512");

  /** Spec, usage, EncryptionAlgorithms, SigningAlgorithms, KeyAgreementAlgorithms. */
  static Stream<Arguments> allowed() {
    List<String> none = List.of();
    List<String> oaep = List.of("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256");
    List<String> ecdh = List.of("ECDH");
    return Stream.of(
        Arguments.of("RSA_2048", "ENCRYPT_DECRYPT", oaep, none, none),
        Arguments.of("RSA_2048", "SIGN_VERIFY", none, RSA_SIGNING, none),
        Arguments.of("RSA_3072", "ENCRYPT_DECRYPT", oaep, none, none),
        Arguments.of("RSA_3072", "SIGN_VERIFY", none, RSA_SIGNING, none),
        Arguments.of("RSA_4096", "ENCRYPT_DECRYPT", oaep, none, none),
        Arguments.of("RSA_4096", "SIGN_VERIFY", none, RSA_SIGNING, none),
        Arguments.of("ECC_NIST_P256", "SIGN_VERIFY", none, List.of("ECDSA_SHA_256"), none),
        Arguments.of("ECC_NIST_P256", "KEY_AGREEMENT", none, none, ecdh),
        Arguments.of("ECC_NIST_P384", "SIGN_VERIFY", none, List.of("ECDSA_SHA_384"), none),
        Arguments.of("ECC_NIST_P384", "KEY_AGREEMENT", none, none, ecdh),
        Arguments.of("ECC_NIST_P521", "SIGN_VERIFY", none, List.of("ECDSA_SHA_512"), none),
        Arguments.of("ECC_NIST_P521", "KEY_AGREEMENT", none, none, ecdh),
        Arguments.of("ECC_SECG_P256K1", "SIGN_VERIFY", none, List.of("ECDSA_SHA_256"), none),
        Arguments.of(
            "ECC_NIST_EDWARDS25519", "SIGN_VERIFY", none, List.of("ED25519_SHA_512"), none));
  }

  @SuppressWarnings("deprecation") // CustomerMasterKeySpec: AWS still returns it
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("allowed")
  void createKey_describeKeyAndGetPublicKey_reportWhatAwsReports(
      String spec,
      String usage,
      List<String> encryption,
      List<String> signing,
      List<String> agreement)
      throws Exception {
    String keyId = TestKeys.of(spec, usage);

    KeyMetadata md = kms.describeKey(b -> b.keyId(keyId)).keyMetadata();
    assertEquals(spec, md.keySpecAsString());
    assertEquals(spec, md.customerMasterKeySpecAsString());
    assertEquals(usage, md.keyUsageAsString());
    assertEquals("Enabled", md.keyStateAsString());
    assertEquals(encryption, md.encryptionAlgorithmsAsStrings());
    assertEquals(signing, md.signingAlgorithmsAsStrings());
    assertEquals(agreement, md.keyAgreementAlgorithmsAsStrings());
    assertTrue(md.macAlgorithmsAsStrings().isEmpty());

    GetPublicKeyResponse pk = kms.getPublicKey(b -> b.keyId(keyId));
    assertEquals(md.arn(), pk.keyId());
    assertEquals(spec, pk.keySpecAsString());
    assertEquals(usage, pk.keyUsageAsString());
    assertEquals(encryption, pk.encryptionAlgorithmsAsStrings());
    assertEquals(signing, pk.signingAlgorithmsAsStrings());
    assertEquals(agreement, pk.keyAgreementAlgorithmsAsStrings());
    byte[] spki = pk.publicKey().asByteArray();
    PublicKey parsed = KeyPairChecks.publicKey(spec, spki);
    assertArrayEquals(spki, parsed.getEncoded());
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("allowed")
  void privateKey_isASensitiveNeverExtractableTokenObject(String spec, String usage) {
    String keyId = TestKeys.of(spec, usage);
    MaterialId material =
        MaterialId.fromHex(server.app().store().findKey(keyId).orElseThrow().currentMaterialId());
    Pkcs11Diagnostics.KeyAttributes a = server.app().hsm().diagnostics().keyAttributes(material);
    assertTrue(a.token());
    assertTrue(a.sensitive());
    assertFalse(a.extractable());
    assertTrue(a.neverExtractable());
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "ECC_NIST_P256, ENCRYPT_DECRYPT",
    "ECC_SECG_P256K1, KEY_AGREEMENT",
    "RSA_2048, KEY_AGREEMENT",
    "RSA_2048, GENERATE_VERIFY_MAC",
    "SYMMETRIC_DEFAULT, SIGN_VERIFY",
    "HMAC_256, ENCRYPT_DECRYPT",
    "HMAC_256, SIGN_VERIFY",
    "ECC_NIST_EDWARDS25519, KEY_AGREEMENT"
  })
  void createKey_withAUsageTheSpecDoesNotAllow_isValidationException(String spec, String usage) {
    KmsException e =
        assertThrows(KmsException.class, () -> kms.createKey(b -> b.keySpec(spec).keyUsage(usage)));
    assertEquals("ValidationException", e.awsErrorDetails().errorCode());
  }

  @Test
  void createKey_eccWithoutKeyUsage_isValidationException() {
    // KeyUsage defaults to ENCRYPT_DECRYPT, which no ECC key allows.
    KmsException e =
        assertThrows(KmsException.class, () -> kms.createKey(b -> b.keySpec("ECC_NIST_P256")));
    assertEquals("ValidationException", e.awsErrorDetails().errorCode());
  }

  @Test
  void createKey_rsaWithoutKeyUsage_isAnEncryptionKey() {
    KeyMetadata md = kms.createKey(b -> b.keySpec("RSA_2048")).keyMetadata();
    assertEquals("ENCRYPT_DECRYPT", md.keyUsageAsString());
    assertEquals(
        List.of("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"), md.encryptionAlgorithmsAsStrings());
  }

  @SuppressWarnings("deprecation") // what older SDKs and scripts still send
  @Test
  void createKey_withTheDeprecatedCustomerMasterKeySpec_works() {
    KeyMetadata md =
        kms.createKey(b -> b.customerMasterKeySpec("ECC_NIST_P384").keyUsage("SIGN_VERIFY"))
            .keyMetadata();
    assertEquals("ECC_NIST_P384", md.keySpecAsString());
  }

  @ParameterizedTest
  @CsvSource({"SM2, SIGN_VERIFY", "ML_DSA_65, SIGN_VERIFY"})
  void createKey_withASpecNoHsmHere_isUnsupportedOperation(String spec, String usage) {
    assertThrows(
        software.amazon.awssdk.services.kms.model.UnsupportedOperationException.class,
        () -> kms.createKey(b -> b.keySpec(spec).keyUsage(usage)));
  }

  @Test
  void getPublicKey_ofSymmetricOrHmacKeys_isUnsupportedOperation() {
    String symmetric = kms.createKey(b -> {}).keyMetadata().keyId();
    String hmac = TestKeys.of("HMAC_256", "GENERATE_VERIFY_MAC");
    for (String keyId : new String[] {symmetric, hmac}) {
      assertThrows(
          software.amazon.awssdk.services.kms.model.UnsupportedOperationException.class,
          () -> kms.getPublicKey(b -> b.keyId(keyId)));
    }
  }

  @Test
  void getPublicKey_ofADisabledKey_isDisabledException() {
    String keyId =
        kms.createKey(b -> b.keySpec("ECC_NIST_P256").keyUsage("SIGN_VERIFY"))
            .keyMetadata()
            .keyId();
    kms.disableKey(b -> b.keyId(keyId));
    assertThrows(DisabledException.class, () -> kms.getPublicKey(b -> b.keyId(keyId)));
    kms.enableKey(b -> b.keyId(keyId));
    assertNotNull(kms.getPublicKey(b -> b.keyId(keyId)).publicKey());
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "ECC_NIST_P256, SIGN_VERIFY",
    "RSA_2048, SIGN_VERIFY",
    "RSA_2048, ENCRYPT_DECRYPT",
    "ECC_NIST_P256, KEY_AGREEMENT",
    "HMAC_256, GENERATE_VERIFY_MAC"
  })
  void symmetricOperations_onNonSymmetricKeys_areInvalidKeyUsage(String spec, String usage) {
    String keyId = TestKeys.of(spec, usage);
    assertThrows(
        InvalidKeyUsageException.class,
        () -> kms.generateDataKey(b -> b.keyId(keyId).numberOfBytes(32)));
    assertThrows(
        InvalidKeyUsageException.class,
        () -> kms.generateDataKeyWithoutPlaintext(b -> b.keyId(keyId).numberOfBytes(32)));
    if (!usage.equals("ENCRYPT_DECRYPT")) {
      assertThrows(
          InvalidKeyUsageException.class,
          () ->
              kms.encrypt(
                  b ->
                      b.keyId(keyId)
                          .plaintext(software.amazon.awssdk.core.SdkBytes.fromUtf8String("x"))));
    }
  }

  @Test
  void invalidKeyUsage_message_isAwsWording() {
    String keyId = TestKeys.of("ECC_NIST_P256", "SIGN_VERIFY");
    InvalidKeyUsageException e =
        assertThrows(
            InvalidKeyUsageException.class,
            () ->
                kms.encrypt(
                    b ->
                        b.keyId(keyId)
                            .plaintext(software.amazon.awssdk.core.SdkBytes.fromUtf8String("x"))));
    assertEquals(
        "arn:aws:kms:us-east-1:111122223333:key/"
            + keyId
            + " key usage is SIGN_VERIFY which is not valid for Encrypt.",
        e.awsErrorDetails().errorMessage());
  }
}
