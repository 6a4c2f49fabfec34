package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;
import org.hsmkms.testing.KeyPairChecks;
import org.hsmkms.testing.Prerequisites;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.DryRunOperationException;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyPairResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyPairWithoutPlaintextResponse;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.InvalidKeyUsageException;
import software.amazon.awssdk.services.kms.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/**
 * GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext through the AWS SDK, for every key
 * pair spec: the public key is DER SPKI and the private key DER PKCS#8 that the JDK (BouncyCastle
 * for secp256k1), OpenSSL and Python {@code cryptography} parse and that belong together; plain
 * Decrypt of the ciphertext blob returns the same PKCS#8 bytes.
 */
class DataKeyPairIT {
  private static final String ARN_PREFIX = "arn:aws:kms:us-east-1:111122223333:key/";
  private static String wrappingKey;

  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();

  static Stream<String> specs() {
    return Stream.of(
        "RSA_2048",
        "RSA_3072",
        "RSA_4096",
        "ECC_NIST_P256",
        "ECC_NIST_P384",
        "ECC_NIST_P521",
        "ECC_SECG_P256K1",
        "ECC_NIST_EDWARDS25519");
  }

  private synchronized String wrappingKey() {
    if (wrappingKey == null) {
      wrappingKey = kms.createKey(b -> b.description("data key pairs")).keyMetadata().keyId();
    }
    return wrappingKey;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void generateDataKeyPair_returnsMatchingSpkiAndPkcs8_andDecryptReturnsTheSamePkcs8(String spec)
      throws Exception {
    String keyId = wrappingKey();
    Map<String, String> context = Map.of("Purpose", "Test");

    GenerateDataKeyPairResponse r =
        kms.generateDataKeyPair(b -> b.keyId(keyId).keyPairSpec(spec).encryptionContext(context));

    assertEquals(ARN_PREFIX + keyId, r.keyId());
    assertEquals(spec, r.keyPairSpecAsString());
    byte[] spki = r.publicKey().asByteArray();
    byte[] pkcs8 = r.privateKeyPlaintext().asByteArray();
    KeyPairChecks.assertPairMatches(spec, spki, pkcs8);
    assertArrayEquals(
        spki,
        KeyPairChecks.publicKey(spec, spki).getEncoded(),
        "PublicKey is not the canonical DER SubjectPublicKeyInfo");

    DecryptResponse d =
        kms.decrypt(b -> b.ciphertextBlob(r.privateKeyCiphertextBlob()).encryptionContext(context));
    assertArrayEquals(pkcs8, d.plaintext().asByteArray());
    assertEquals(r.keyId(), d.keyId());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void privateKeyPlaintext_isParsedByOpenSslAndPythonCryptography(String spec) throws Exception {
    boolean openssl = Prerequisites.available(KeyPairChecks.hasOpenSsl(), Prerequisites.OPENSSL);
    boolean python =
        Prerequisites.available(
            KeyPairChecks.hasPythonCryptography(), Prerequisites.PYTHON_CRYPTOGRAPHY);
    Prerequisites.require(
        openssl || python, Prerequisites.OPENSSL + " or " + Prerequisites.PYTHON_CRYPTOGRAPHY);
    GenerateDataKeyPairResponse r =
        kms.generateDataKeyPair(b -> b.keyId(wrappingKey()).keyPairSpec(spec));
    byte[] spki = r.publicKey().asByteArray();
    Path pkcs8 = KeyPairChecks.tempFile(".der", r.privateKeyPlaintext().asByteArray());

    if (openssl) {
      // openssl pkey reads the PKCS#8 and derives the public key: it must be PublicKey.
      KeyPairChecks.Result derived =
          KeyPairChecks.run(
              null,
              "openssl",
              "pkey",
              "-inform",
              "DER",
              "-in",
              pkcs8.toString(),
              "-pubout",
              "-outform",
              "DER");
      assertEquals(0, derived.exitCode(), KeyPairChecks.describe(derived));
      assertArrayEquals(spki, derived.stdout());
    }
    if (python) {
      String script =
          "import sys\n"
              + "from cryptography.hazmat.primitives import serialization as s\n"
              + "k = s.load_der_private_key(open(sys.argv[1], 'rb').read(), None)\n"
              + "sys.stdout.write(k.public_key().public_bytes(s.Encoding.DER,"
              + " s.PublicFormat.SubjectPublicKeyInfo).hex())\n";
      KeyPairChecks.Result derived =
          KeyPairChecks.run(null, "python3", "-c", script, pkcs8.toString());
      assertEquals(0, derived.exitCode(), KeyPairChecks.describe(derived));
      assertEquals(HexFormat.of().formatHex(spki), new String(derived.stdout()).strip());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void withoutPlaintext_returnsNoPrivateKey_andTheBlobDecryptsToTheMatchingPrivateKey(String spec)
      throws Exception {
    String keyId = wrappingKey();
    GenerateDataKeyPairWithoutPlaintextResponse r =
        kms.generateDataKeyPairWithoutPlaintext(b -> b.keyId(keyId).keyPairSpec(spec));

    assertEquals(ARN_PREFIX + keyId, r.keyId());
    assertEquals(spec, r.keyPairSpecAsString());
    assertFalse(r.sdkFields().stream().anyMatch(f -> f.memberName().equals("PrivateKeyPlaintext")));
    byte[] pkcs8 =
        kms.decrypt(b -> b.ciphertextBlob(r.privateKeyCiphertextBlob())).plaintext().asByteArray();
    KeyPairChecks.assertPairMatches(spec, r.publicKey().asByteArray(), pkcs8);
  }

  @Test
  void withoutPlaintext_responseBodyHasNoPrivateKeyPlaintext() {
    TestServer.RawResponse raw =
        server.post(
            "TrentService.GenerateDataKeyPairWithoutPlaintext",
            "{\"KeyId\":\"" + wrappingKey() + "\",\"KeyPairSpec\":\"ECC_NIST_P256\"}");
    assertEquals(200, raw.status(), raw.body());
    assertFalse(raw.body().contains("PrivateKeyPlaintext"));
    assertTrue(raw.body().contains("PrivateKeyCiphertextBlob"));
  }

  @Test
  void underAnAlias_keyIdIsTheKeyArn() {
    String keyId = wrappingKey();
    String alias = "alias/ExampleAlias-pairs-" + keyId.substring(0, 8);
    kms.createAlias(b -> b.aliasName(alias).targetKeyId(keyId));
    GenerateDataKeyPairResponse r =
        kms.generateDataKeyPair(b -> b.keyId(alias).keyPairSpec("RSA_2048"));
    assertEquals(ARN_PREFIX + keyId, r.keyId());
  }

  @Test
  void encryptionContext_isBoundToThePrivateKeyBlob() {
    String keyId = wrappingKey();
    SdkBytes blob =
        kms.generateDataKeyPairWithoutPlaintext(
                b ->
                    b.keyId(keyId)
                        .keyPairSpec("ECC_NIST_P256")
                        .encryptionContext(Map.of("ab", "c")))
            .privateKeyCiphertextBlob();

    assertThrows(InvalidCiphertextException.class, () -> kms.decrypt(b -> b.ciphertextBlob(blob)));
    assertThrows(
        InvalidCiphertextException.class,
        () -> kms.decrypt(b -> b.ciphertextBlob(blob).encryptionContext(Map.of("a", "bc"))));
    assertTrue(
        kms.decrypt(b -> b.ciphertextBlob(blob).encryptionContext(Map.of("ab", "c")))
                .plaintext()
                .asByteArray()
                .length
            > 0);
  }

  @Test
  void everyCall_returnsADifferentPair() {
    String keyId = wrappingKey();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < 12; i++) {
      byte[] pub =
          kms.generateDataKeyPairWithoutPlaintext(b -> b.keyId(keyId).keyPairSpec("ECC_NIST_P256"))
              .publicKey()
              .asByteArray();
      assertTrue(seen.add(HexFormat.of().formatHex(pub)), "a key pair was handed out twice");
    }
  }

  static Stream<Arguments> nonSymmetricKeys() {
    return Stream.of(
        Arguments.of("ECC_NIST_P256", "SIGN_VERIFY"),
        Arguments.of("RSA_2048", "ENCRYPT_DECRYPT"),
        Arguments.of("HMAC_256", "GENERATE_VERIFY_MAC"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("nonSymmetricKeys")
  void nonSymmetricWrappingKey_isInvalidKeyUsageException(String keySpec, String usage) {
    String keyId = kms.createKey(b -> b.keySpec(keySpec).keyUsage(usage)).keyMetadata().keyId();
    assertThrows(
        InvalidKeyUsageException.class,
        () -> kms.generateDataKeyPair(b -> b.keyId(keyId).keyPairSpec("ECC_NIST_P256")));
    assertThrows(
        InvalidKeyUsageException.class,
        () ->
            kms.generateDataKeyPairWithoutPlaintext(
                b -> b.keyId(keyId).keyPairSpec("ECC_NIST_P256")));
  }

  @Test
  void sm2_isUnsupportedOperation() {
    var e =
        assertThrows(
            software.amazon.awssdk.services.kms.model.UnsupportedOperationException.class,
            () -> kms.generateDataKeyPair(b -> b.keyId(wrappingKey()).keyPairSpec("SM2")));
    assertTrue(e.awsErrorDetails().errorMessage().contains("SM2"));
  }

  @Test
  void unknownSpec_isValidationException() {
    TestServer.RawResponse raw =
        server.post(
            "TrentService.GenerateDataKeyPair",
            "{\"KeyId\":\"" + wrappingKey() + "\",\"KeyPairSpec\":\"RSA_1024\"}");
    assertEquals(400, raw.status());
    assertTrue(raw.body().contains("ValidationException"), raw.body());
  }

  @Test
  void dryRun_isDryRunOperationException_andGeneratesNothing() {
    long before = server.app().dataKeyPairPool().misses() + server.app().dataKeyPairPool().hits();
    assertThrows(
        DryRunOperationException.class,
        () ->
            kms.generateDataKeyPair(
                b -> b.keyId(wrappingKey()).keyPairSpec("ECC_NIST_P384").dryRun(true)));
    assertEquals(
        before, server.app().dataKeyPairPool().misses() + server.app().dataKeyPairPool().hits());
  }

  @Test
  void disabledKey_isDisabledException() {
    String keyId = kms.createKey(b -> {}).keyMetadata().keyId();
    kms.disableKey(b -> b.keyId(keyId));
    assertThrows(
        DisabledException.class,
        () -> kms.generateDataKeyPair(b -> b.keyId(keyId).keyPairSpec("ECC_NIST_P256")));
    assertThrows(
        DisabledException.class,
        () ->
            kms.generateDataKeyPairWithoutPlaintext(
                b -> b.keyId(keyId).keyPairSpec("ECC_NIST_P256")));
  }

  @Test
  void keyPendingDeletion_isKmsInvalidStateException() {
    String keyId = kms.createKey(b -> {}).keyMetadata().keyId();
    kms.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7));
    assertThrows(
        KmsInvalidStateException.class,
        () -> kms.generateDataKeyPair(b -> b.keyId(keyId).keyPairSpec("RSA_2048")));
  }

  @Test
  void unknownKey_isNotFoundException() {
    assertThrows(
        NotFoundException.class,
        () ->
            kms.generateDataKeyPair(
                b -> b.keyId("11111111-2222-3333-4444-555555555555").keyPairSpec("RSA_2048")));
  }

  @Test
  void plaintextAndBlob_neverContainEachOther() {
    GenerateDataKeyPairResponse r =
        kms.generateDataKeyPair(b -> b.keyId(wrappingKey()).keyPairSpec("ECC_NIST_P256"));
    byte[] blob = r.privateKeyCiphertextBlob().asByteArray();
    byte[] pkcs8 = r.privateKeyPlaintext().asByteArray();
    // The private scalar (the 32 bytes after the ECPrivateKey's OCTET STRING header) is not
    // visible in the blob.
    byte[] scalar = Arrays.copyOfRange(pkcs8, 36, 68);
    assertFalse(HexFormat.of().formatHex(blob).contains(HexFormat.of().formatHex(scalar)));
  }
}
