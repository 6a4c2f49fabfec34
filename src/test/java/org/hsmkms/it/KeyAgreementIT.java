package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import javax.crypto.KeyAgreement;
import org.hsmkms.testing.KeyPairChecks;
import org.hsmkms.testing.TestKeys;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DeriveSharedSecretResponse;
import software.amazon.awssdk.services.kms.model.InvalidKeyUsageException;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * DeriveSharedSecret (ECDH in the HSM) agrees with the JDK's ECDH between an outside key pair and
 * GetPublicKey's output; bad peer keys are refused before they reach the HSM.
 */
class KeyAgreementIT {
  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();

  private static KeyPair peer(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "ECC_NIST_P256, secp256r1, 32",
    "ECC_NIST_P384, secp384r1, 48",
    "ECC_NIST_P521, secp521r1, 66"
  })
  void deriveSharedSecret_equalsTheJdkEcdhResult(String spec, String curve, int length)
      throws Exception {
    String keyId = TestKeys.of(spec, "KEY_AGREEMENT");
    KeyPair peer = peer(curve);

    DeriveSharedSecretResponse r =
        kms.deriveSharedSecret(
            b ->
                b.keyId(keyId)
                    .keyAgreementAlgorithm("ECDH")
                    .publicKey(SdkBytes.fromByteArray(peer.getPublic().getEncoded())));

    PublicKey ours =
        KeyPairChecks.publicKey(
            spec, kms.getPublicKey(b -> b.keyId(keyId)).publicKey().asByteArray());
    KeyAgreement ka = KeyAgreement.getInstance("ECDH");
    ka.init(peer.getPrivate());
    ka.doPhase(ours, true);
    byte[] expected = ka.generateSecret();
    assertEquals(length, r.sharedSecret().asByteArray().length);
    assertArrayEquals(expected, r.sharedSecret().asByteArray());
    assertEquals("ECDH", r.keyAgreementAlgorithmAsString());
    assertEquals("AWS_KMS", r.keyOriginAsString());
    assertEquals("arn:aws:kms:us-east-1:111122223333:key/" + keyId, r.keyId());
  }

  @Test
  void peerKeyOnAnotherCurve_isValidationException() throws Exception {
    String keyId = TestKeys.of("ECC_NIST_P256", "KEY_AGREEMENT");
    byte[] p384 = peer("secp384r1").getPublic().getEncoded();
    KmsException e =
        assertThrows(
            KmsException.class,
            () ->
                kms.deriveSharedSecret(
                    b ->
                        b.keyId(keyId)
                            .keyAgreementAlgorithm("ECDH")
                            .publicKey(SdkBytes.fromByteArray(p384))));
    assertEquals("ValidationException", e.awsErrorDetails().errorCode());
  }

  @Test
  void peerPointOffTheCurve_orNotAKey_isValidationException() throws Exception {
    String keyId = TestKeys.of("ECC_NIST_P256", "KEY_AGREEMENT");
    byte[] spki = peer("secp256r1").getPublic().getEncoded();
    spki[spki.length - 1] ^= 0x01;
    for (byte[] bad :
        new byte[][] {
          spki,
          "not a key".getBytes(),
          KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded()
        }) {
      KmsException e =
          assertThrows(
              KmsException.class,
              () ->
                  kms.deriveSharedSecret(
                      b ->
                          b.keyId(keyId)
                              .keyAgreementAlgorithm("ECDH")
                              .publicKey(SdkBytes.fromByteArray(bad))));
      assertEquals("ValidationException", e.awsErrorDetails().errorCode());
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "ECC_NIST_P256, SIGN_VERIFY",
    "RSA_2048, ENCRYPT_DECRYPT",
    "HMAC_256, GENERATE_VERIFY_MAC"
  })
  void aKeyNotForKeyAgreement_isInvalidKeyUsage(String spec, String usage) throws Exception {
    String keyId = TestKeys.of(spec, usage);
    byte[] p256 = peer("secp256r1").getPublic().getEncoded();
    assertThrows(
        InvalidKeyUsageException.class,
        () ->
            kms.deriveSharedSecret(
                b ->
                    b.keyId(keyId)
                        .keyAgreementAlgorithm("ECDH")
                        .publicKey(SdkBytes.fromByteArray(p256))));
  }
}
