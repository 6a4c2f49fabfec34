package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.pkcs11.Pkcs11Diagnostics;
import org.hsmkms.testing.TestKeys;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.DryRunOperationException;
import software.amazon.awssdk.services.kms.model.GenerateMacResponse;
import software.amazon.awssdk.services.kms.model.IncorrectKeyException;
import software.amazon.awssdk.services.kms.model.InvalidKeyUsageException;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KmsInvalidMacException;
import software.amazon.awssdk.services.kms.model.VerifyMacResponse;

/**
 * HMAC keys (HMAC_224..HMAC_512): generic secrets in the HSM as long as the digest, sensitive and
 * never extractable; GenerateMac and VerifyMac with the one MAC algorithm each spec allows.
 */
class HmacKeysIT {
  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();
  private static final SdkBytes MESSAGE = SdkBytes.fromUtf8String("authenticate me");

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "HMAC_224, HMAC_SHA_224, 28",
    "HMAC_256, HMAC_SHA_256, 32",
    "HMAC_384, HMAC_SHA_384, 48",
    "HMAC_512, HMAC_SHA_512, 64"
  })
  void generateMac_isDeterministic_andVerifyMacAcceptsIt(
      String spec, String algorithm, int length) {
    String keyId = TestKeys.of(spec, "GENERATE_VERIFY_MAC");
    KeyMetadata md = kms.describeKey(b -> b.keyId(keyId)).keyMetadata();
    assertEquals(spec, md.keySpecAsString());
    assertEquals("GENERATE_VERIFY_MAC", md.keyUsageAsString());
    assertEquals(List.of(algorithm), md.macAlgorithmsAsStrings());
    assertTrue(md.encryptionAlgorithmsAsStrings().isEmpty());
    assertTrue(md.signingAlgorithmsAsStrings().isEmpty());

    GenerateMacResponse m =
        kms.generateMac(b -> b.keyId(keyId).macAlgorithm(algorithm).message(MESSAGE));
    assertEquals(length, m.mac().asByteArray().length);
    assertEquals(algorithm, m.macAlgorithmAsString());
    assertEquals(md.arn(), m.keyId());
    assertArrayEquals(
        m.mac().asByteArray(),
        kms.generateMac(b -> b.keyId(keyId).macAlgorithm(algorithm).message(MESSAGE))
            .mac()
            .asByteArray());
    assertFalse(
        Arrays.equals(
            m.mac().asByteArray(),
            kms.generateMac(
                    b ->
                        b.keyId(keyId)
                            .macAlgorithm(algorithm)
                            .message(SdkBytes.fromUtf8String("other")))
                .mac()
                .asByteArray()));

    VerifyMacResponse v =
        kms.verifyMac(b -> b.keyId(keyId).macAlgorithm(algorithm).message(MESSAGE).mac(m.mac()));
    assertTrue(v.macValid());
    assertEquals(algorithm, v.macAlgorithmAsString());
    assertEquals(md.arn(), v.keyId());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "HMAC_224, HMAC_SHA_224",
    "HMAC_256, HMAC_SHA_256",
    "HMAC_384, HMAC_SHA_384",
    "HMAC_512, HMAC_SHA_512"
  })
  void verifyMac_ofATamperedOrTruncatedMac_isKmsInvalidMacException(String spec, String algorithm) {
    String keyId = TestKeys.of(spec, "GENERATE_VERIFY_MAC");
    byte[] mac =
        kms.generateMac(b -> b.keyId(keyId).macAlgorithm(algorithm).message(MESSAGE))
            .mac()
            .asByteArray();
    for (int i = 0; i < mac.length; i++) {
      byte[] bad = mac.clone();
      bad[i] ^= 0x01;
      assertThrows(
          KmsInvalidMacException.class,
          () ->
              kms.verifyMac(
                  b ->
                      b.keyId(keyId)
                          .macAlgorithm(algorithm)
                          .message(MESSAGE)
                          .mac(SdkBytes.fromByteArray(bad))));
    }
    byte[] truncated = Arrays.copyOf(mac, mac.length - 1);
    assertThrows(
        KmsInvalidMacException.class,
        () ->
            kms.verifyMac(
                b ->
                    b.keyId(keyId)
                        .macAlgorithm(algorithm)
                        .message(MESSAGE)
                        .mac(SdkBytes.fromByteArray(truncated))));
    assertThrows(
        KmsInvalidMacException.class,
        () ->
            kms.verifyMac(
                b ->
                    b.keyId(keyId)
                        .macAlgorithm(algorithm)
                        .message(SdkBytes.fromUtf8String("other"))
                        .mac(SdkBytes.fromByteArray(mac))));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512"})
  void hmacKey_isASensitiveNeverExtractableTokenObject(String spec) {
    String keyId = TestKeys.of(spec, "GENERATE_VERIFY_MAC");
    Pkcs11Diagnostics.KeyAttributes a =
        server
            .app()
            .hsm()
            .diagnostics()
            .keyAttributes(
                MaterialId.fromHex(
                    server.app().store().findKey(keyId).orElseThrow().currentMaterialId()));
    assertTrue(a.token() && a.sensitive() && a.neverExtractable());
    assertFalse(a.extractable());
  }

  @Test
  void aMacAlgorithmOfAnotherSpec_isInvalidKeyUsage() {
    String keyId = TestKeys.of("HMAC_256", "GENERATE_VERIFY_MAC");
    assertThrows(
        InvalidKeyUsageException.class,
        () -> kms.generateMac(b -> b.keyId(keyId).macAlgorithm("HMAC_SHA_512").message(MESSAGE)));
    assertThrows(
        InvalidKeyUsageException.class,
        () ->
            kms.verifyMac(
                b ->
                    b.keyId(keyId)
                        .macAlgorithm("HMAC_SHA_384")
                        .message(MESSAGE)
                        .mac(SdkBytes.fromByteArray(new byte[48]))));
  }

  @Test
  void keysNotForMacs_areInvalidKeyUsage() {
    String symmetric = kms.createKey(b -> {}).keyMetadata().keyId();
    String signing = TestKeys.of("ECC_NIST_P256", "SIGN_VERIFY");
    for (String keyId : new String[] {symmetric, signing}) {
      assertThrows(
          InvalidKeyUsageException.class,
          () -> kms.generateMac(b -> b.keyId(keyId).macAlgorithm("HMAC_SHA_256").message(MESSAGE)));
    }
  }

  @Test
  void macsOfDifferentKeysOfTheSameSpec_differ() {
    String a = TestKeys.of("HMAC_256", "GENERATE_VERIFY_MAC");
    String b2 =
        kms.createKey(b -> b.keySpec("HMAC_256").keyUsage("GENERATE_VERIFY_MAC"))
            .keyMetadata()
            .keyId();
    SdkBytes mac =
        kms.generateMac(b -> b.keyId(a).macAlgorithm("HMAC_SHA_256").message(MESSAGE)).mac();
    assertThrows(
        KmsInvalidMacException.class,
        () ->
            kms.verifyMac(b -> b.keyId(b2).macAlgorithm("HMAC_SHA_256").message(MESSAGE).mac(mac)));
  }

  @Test
  void disabledKey_isDisabled_andDryRunComputesNothing() {
    String keyId =
        kms.createKey(b -> b.keySpec("HMAC_512").keyUsage("GENERATE_VERIFY_MAC"))
            .keyMetadata()
            .keyId();
    assertThrows(
        DryRunOperationException.class,
        () ->
            kms.generateMac(
                b -> b.keyId(keyId).macAlgorithm("HMAC_SHA_512").message(MESSAGE).dryRun(true)));
    kms.disableKey(b -> b.keyId(keyId));
    assertThrows(
        DisabledException.class,
        () -> kms.generateMac(b -> b.keyId(keyId).macAlgorithm("HMAC_SHA_512").message(MESSAGE)));
  }

  @Test
  void decryptOrReEncrypt_namingAnHmacKey_isIncorrectKeyException_inAwsWords() {
    String symmetric = kms.createKey(b -> {}).keyMetadata().keyId();
    String hmac =
        kms.createKey(b -> b.keySpec("HMAC_256").keyUsage("GENERATE_VERIFY_MAC"))
            .keyMetadata()
            .keyId();
    SdkBytes blob = kms.encrypt(b -> b.keyId(symmetric).plaintext(MESSAGE)).ciphertextBlob();
    String message =
        "The key ID in the request does not identify a CMK that can perform this operation.";

    IncorrectKeyException decrypt =
        assertThrows(
            IncorrectKeyException.class,
            () -> kms.decrypt(b -> b.ciphertextBlob(blob).keyId(hmac)));
    IncorrectKeyException reEncrypt =
        assertThrows(
            IncorrectKeyException.class,
            () ->
                kms.reEncrypt(
                    b -> b.ciphertextBlob(blob).sourceKeyId(hmac).destinationKeyId(symmetric)));

    for (IncorrectKeyException e : java.util.List.of(decrypt, reEncrypt)) {
      assertEquals(400, e.statusCode());
      assertEquals(message, e.awsErrorDetails().errorMessage());
    }
  }
}
