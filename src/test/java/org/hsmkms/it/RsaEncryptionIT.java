package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.hsmkms.testing.KeyPairChecks;
import org.hsmkms.testing.Prerequisites;
import org.hsmkms.testing.TestKeys;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptResponse;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.InvalidKeyUsageException;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.ReEncryptResponse;

/**
 * Encrypt and Decrypt with RSA ENCRYPT_DECRYPT keys, RSAES_OAEP_SHA_1 and RSAES_OAEP_SHA_256 (MGF1
 * over the same hash, as AWS). Ciphertexts made by the JDK and by OpenSSL with GetPublicKey's
 * output decrypt in the service; the private key never leaves the HSM (OAEP SHA-256, which SoftHSM2
 * lacks, is raw RSA in the HSM and OAEP decoding in the service).
 */
class RsaEncryptionIT {
  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String spec : List.of("RSA_2048", "RSA_3072", "RSA_4096")) {
      for (String alg : List.of("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")) {
        out.add(Arguments.of(spec, alg));
      }
    }
    return out.stream();
  }

  static int modulusBytes(String spec) {
    return Integer.parseInt(spec.substring(4)) / 8;
  }

  static int maxPlaintext(String spec, String algorithm) {
    int hash = algorithm.endsWith("SHA_1") ? 20 : 32;
    return modulusBytes(spec) - 2 * hash - 2;
  }

  static byte[] jdkEncrypt(PublicKey key, String algorithm, byte[] plaintext) throws Exception {
    boolean sha1 = algorithm.endsWith("SHA_1");
    Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
    c.init(
        Cipher.ENCRYPT_MODE,
        key,
        new OAEPParameterSpec(
            sha1 ? "SHA-1" : "SHA-256",
            "MGF1",
            sha1 ? MGF1ParameterSpec.SHA1 : MGF1ParameterSpec.SHA256,
            PSource.PSpecified.DEFAULT));
    return c.doFinal(plaintext);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void encryptThenDecrypt_returnsThePlaintext_forEveryLengthUpToTheLimit(
      String spec, String algorithm) {
    String keyId = TestKeys.of(spec, "ENCRYPT_DECRYPT");
    for (int length : new int[] {1, 17, maxPlaintext(spec, algorithm)}) {
      byte[] plaintext = new byte[length];
      java.util.Arrays.fill(plaintext, (byte) length);
      EncryptResponse e =
          kms.encrypt(
              b ->
                  b.keyId(keyId)
                      .encryptionAlgorithm(algorithm)
                      .plaintext(SdkBytes.fromByteArray(plaintext)));
      assertEquals(algorithm, e.encryptionAlgorithmAsString());
      assertEquals(modulusBytes(spec), e.ciphertextBlob().asByteArray().length);

      DecryptResponse d =
          kms.decrypt(
              b ->
                  b.keyId(keyId).encryptionAlgorithm(algorithm).ciphertextBlob(e.ciphertextBlob()));
      assertArrayEquals(plaintext, d.plaintext().asByteArray());
      assertEquals(algorithm, d.encryptionAlgorithmAsString());
      assertEquals(e.keyId(), d.keyId());
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void ciphertextMadeByTheJdkWithThePublicKey_decrypts(String spec, String algorithm)
      throws Exception {
    String keyId = TestKeys.of(spec, "ENCRYPT_DECRYPT");
    PublicKey pub =
        KeyPairChecks.publicKey(
            spec, kms.getPublicKey(b -> b.keyId(keyId)).publicKey().asByteArray());
    byte[] plaintext = "sealed outside KMS".getBytes(StandardCharsets.UTF_8);
    byte[] ct = jdkEncrypt(pub, algorithm, plaintext);
    assertArrayEquals(
        plaintext,
        kms.decrypt(
                b ->
                    b.keyId(keyId)
                        .encryptionAlgorithm(algorithm)
                        .ciphertextBlob(SdkBytes.fromByteArray(ct)))
            .plaintext()
            .asByteArray());
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void tamperedCiphertextOrTheOtherAlgorithm_isInvalidCiphertext(String spec, String algorithm)
      throws Exception {
    String keyId = TestKeys.of(spec, "ENCRYPT_DECRYPT");
    byte[] ct =
        kms.encrypt(
                b ->
                    b.keyId(keyId)
                        .encryptionAlgorithm(algorithm)
                        .plaintext(SdkBytes.fromUtf8String("x")))
            .ciphertextBlob()
            .asByteArray();
    for (int index : new int[] {0, ct.length / 2, ct.length - 1}) {
      byte[] bad = ct.clone();
      bad[index] ^= 0x01;
      assertThrows(
          InvalidCiphertextException.class,
          () ->
              kms.decrypt(
                  b ->
                      b.keyId(keyId)
                          .encryptionAlgorithm(algorithm)
                          .ciphertextBlob(SdkBytes.fromByteArray(bad))));
    }
    String other = algorithm.endsWith("SHA_1") ? "RSAES_OAEP_SHA_256" : "RSAES_OAEP_SHA_1";
    assertThrows(
        InvalidCiphertextException.class,
        () ->
            kms.decrypt(
                b ->
                    b.keyId(keyId)
                        .encryptionAlgorithm(other)
                        .ciphertextBlob(SdkBytes.fromByteArray(ct))));
    byte[] shorter = java.util.Arrays.copyOf(ct, ct.length - 1);
    assertThrows(
        InvalidCiphertextException.class,
        () ->
            kms.decrypt(
                b ->
                    b.keyId(keyId)
                        .encryptionAlgorithm(algorithm)
                        .ciphertextBlob(SdkBytes.fromByteArray(shorter))));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"})
  void ciphertextMadeByOpenSsl_decrypts(String algorithm) throws Exception {
    Prerequisites.require(KeyPairChecks.hasOpenSsl(), Prerequisites.OPENSSL);
    String keyId = TestKeys.of("RSA_2048", "ENCRYPT_DECRYPT");
    Path pub =
        KeyPairChecks.tempFile(
            ".der", kms.getPublicKey(b -> b.keyId(keyId)).publicKey().asByteArray());
    String md = algorithm.endsWith("SHA_1") ? "sha1" : "sha256";
    byte[] plaintext = "sealed by openssl".getBytes(StandardCharsets.UTF_8);
    KeyPairChecks.Result r =
        KeyPairChecks.run(
            plaintext,
            "openssl",
            "pkeyutl",
            "-encrypt",
            "-pubin",
            "-keyform",
            "DER",
            "-inkey",
            pub.toString(),
            "-pkeyopt",
            "rsa_padding_mode:oaep",
            "-pkeyopt",
            "rsa_oaep_md:" + md,
            "-pkeyopt",
            "rsa_mgf1_md:" + md);
    assertEquals(0, r.exitCode(), KeyPairChecks.describe(r));
    assertArrayEquals(
        plaintext,
        kms.decrypt(
                b ->
                    b.keyId(keyId)
                        .encryptionAlgorithm(algorithm)
                        .ciphertextBlob(SdkBytes.fromByteArray(r.stdout())))
            .plaintext()
            .asByteArray());
  }

  @Test
  void plaintextLongerThanOaepAllows_isValidationException() {
    String keyId = TestKeys.of("RSA_2048", "ENCRYPT_DECRYPT");
    KmsException e =
        assertThrows(
            KmsException.class,
            () ->
                kms.encrypt(
                    b ->
                        b.keyId(keyId)
                            .encryptionAlgorithm("RSAES_OAEP_SHA_256")
                            .plaintext(SdkBytes.fromByteArray(new byte[191]))));
    assertEquals("ValidationException", e.awsErrorDetails().errorCode());
  }

  @Test
  void withoutAnAlgorithmOrWithSymmetricDefault_isInvalidKeyUsage() {
    String keyId = TestKeys.of("RSA_2048", "ENCRYPT_DECRYPT");
    assertThrows(
        InvalidKeyUsageException.class,
        () -> kms.encrypt(b -> b.keyId(keyId).plaintext(SdkBytes.fromUtf8String("x"))));
    assertThrows(
        InvalidKeyUsageException.class,
        () ->
            kms.encrypt(
                b ->
                    b.keyId(keyId)
                        .encryptionAlgorithm("SYMMETRIC_DEFAULT")
                        .plaintext(SdkBytes.fromUtf8String("x"))));
    assertThrows(
        InvalidKeyUsageException.class,
        () ->
            kms.decrypt(b -> b.keyId(keyId).ciphertextBlob(SdkBytes.fromByteArray(new byte[256]))));
  }

  @Test
  void oaepOnASymmetricKey_isInvalidKeyUsage() {
    String keyId = kms.createKey(b -> {}).keyMetadata().keyId();
    assertThrows(
        InvalidKeyUsageException.class,
        () ->
            kms.encrypt(
                b ->
                    b.keyId(keyId)
                        .encryptionAlgorithm("RSAES_OAEP_SHA_256")
                        .plaintext(SdkBytes.fromUtf8String("x"))));
  }

  @Test
  void encryptionContext_withAnRsaKey_isValidationException() {
    String keyId = TestKeys.of("RSA_2048", "ENCRYPT_DECRYPT");
    KmsException e =
        assertThrows(
            KmsException.class,
            () ->
                kms.encrypt(
                    b ->
                        b.keyId(keyId)
                            .encryptionAlgorithm("RSAES_OAEP_SHA_1")
                            .encryptionContext(Map.of("a", "b"))
                            .plaintext(SdkBytes.fromUtf8String("x"))));
    assertEquals("ValidationException", e.awsErrorDetails().errorCode());
  }

  @Test
  void decrypt_ofAnRsaCiphertextWithoutKeyId_isInvalidCiphertext() {
    String keyId = TestKeys.of("RSA_2048", "ENCRYPT_DECRYPT");
    SdkBytes ct =
        kms.encrypt(
                b ->
                    b.keyId(keyId)
                        .encryptionAlgorithm("RSAES_OAEP_SHA_1")
                        .plaintext(SdkBytes.fromUtf8String("x")))
            .ciphertextBlob();
    assertThrows(
        InvalidCiphertextException.class,
        () -> kms.decrypt(b -> b.ciphertextBlob(ct).encryptionAlgorithm("RSAES_OAEP_SHA_1")));
  }

  @Test
  void decrypt_withASigningKey_isInvalidKeyUsage() {
    String keyId = TestKeys.of("RSA_2048", "SIGN_VERIFY");
    assertThrows(
        InvalidKeyUsageException.class,
        () ->
            kms.decrypt(
                b ->
                    b.keyId(keyId)
                        .encryptionAlgorithm("RSAES_OAEP_SHA_1")
                        .ciphertextBlob(SdkBytes.fromByteArray(new byte[256]))));
  }

  @Test
  void reEncrypt_betweenSymmetricAndRsaKeys_worksBothWays() {
    String rsa = TestKeys.of("RSA_3072", "ENCRYPT_DECRYPT");
    String symmetric = kms.createKey(b -> {}).keyMetadata().keyId();
    SdkBytes plaintext = SdkBytes.fromUtf8String("moves between keys");
    SdkBytes blob = kms.encrypt(b -> b.keyId(symmetric).plaintext(plaintext)).ciphertextBlob();

    ReEncryptResponse toRsa =
        kms.reEncrypt(
            b ->
                b.ciphertextBlob(blob)
                    .destinationKeyId(rsa)
                    .destinationEncryptionAlgorithm("RSAES_OAEP_SHA_256"));
    assertEquals("SYMMETRIC_DEFAULT", toRsa.sourceEncryptionAlgorithmAsString());
    assertEquals("RSAES_OAEP_SHA_256", toRsa.destinationEncryptionAlgorithmAsString());
    ReEncryptResponse back =
        kms.reEncrypt(
            b ->
                b.ciphertextBlob(toRsa.ciphertextBlob())
                    .sourceKeyId(rsa)
                    .sourceEncryptionAlgorithm("RSAES_OAEP_SHA_256")
                    .destinationKeyId(symmetric));
    assertEquals("RSAES_OAEP_SHA_256", back.sourceEncryptionAlgorithmAsString());
    assertArrayEquals(
        plaintext.asByteArray(),
        kms.decrypt(b -> b.ciphertextBlob(back.ciphertextBlob())).plaintext().asByteArray());
  }
}
