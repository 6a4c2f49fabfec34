package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.kms.DataKeyPairPool;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.DryRunOperationException;
import software.amazon.awssdk.services.kms.model.InvalidKeyUsageException;
import software.amazon.awssdk.services.kms.model.KeyUnavailableException;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * Every HSM session object the service makes for a request (data key pairs, ECDH results) is
 * destroyed when the request ends, whether it succeeds or fails: after many calls the only session
 * objects left are the pairs waiting in the pool (two objects each).
 */
class SessionObjectLeakIT {
  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();
  private final Pkcs11Hsm hsm = server.app().hsm();
  private final DataKeyPairPool pool = server.app().dataKeyPairPool();

  private static final String[] specs = {
    "ECC_NIST_P256",
    "ECC_NIST_P384",
    "ECC_NIST_EDWARDS25519",
    "RSA_2048",
    "ECC_SECG_P256K1",
    "ECC_NIST_P521"
  };

  /**
   * One request per spec first: it starts that spec's pool, and clears out pairs that an earlier
   * test's session loss left behind (counted as ready until the refill notices the lost session).
   */
  @BeforeEach
  void warmUp() {
    String key = kms.createKey(b -> {}).keyMetadata().keyId();
    for (String spec : specs) {
      kms.generateDataKeyPairWithoutPlaintext(b -> b.keyId(key).keyPairSpec(spec));
    }
  }

  @Test
  void manyDataKeyPairCalls_succeedingAndFailing_leaveOnlyPooledPairsInTheHsm() throws Exception {
    String good = kms.createKey(b -> {}).keyMetadata().keyId();
    String disabled = kms.createKey(b -> {}).keyMetadata().keyId();
    kms.disableKey(b -> b.keyId(disabled));
    String hmac =
        kms.createKey(b -> b.keySpec("HMAC_256").keyUsage("GENERATE_VERIFY_MAC"))
            .keyMetadata()
            .keyId();
    // A key whose AES object is gone: the pair is generated and read out, then sealing fails.
    String broken = kms.createKey(b -> {}).keyMetadata().keyId();
    hsm.inventory()
        .destroyKey(
            MaterialId.fromHex(
                server.app().store().findKey(broken).orElseThrow().currentMaterialId()));

    int before = objectsOutsideThePool();
    for (int i = 0; i < 36; i++) {
      String spec = specs[i % specs.length];
      if (i % 2 == 0) {
        kms.generateDataKeyPair(b -> b.keyId(good).keyPairSpec(spec));
      } else {
        kms.generateDataKeyPairWithoutPlaintext(b -> b.keyId(good).keyPairSpec(spec));
      }
      assertThrows(
          KeyUnavailableException.class,
          () -> kms.generateDataKeyPair(b -> b.keyId(broken).keyPairSpec(spec)));
      assertThrows(
          DisabledException.class,
          () -> kms.generateDataKeyPair(b -> b.keyId(disabled).keyPairSpec(spec)));
      assertThrows(
          InvalidKeyUsageException.class,
          () -> kms.generateDataKeyPair(b -> b.keyId(hmac).keyPairSpec(spec)));
      assertThrows(
          DryRunOperationException.class,
          () -> kms.generateDataKeyPair(b -> b.keyId(good).keyPairSpec(spec).dryRun(true)));
      assertThrows(
          KmsException.class, () -> kms.generateDataKeyPair(b -> b.keyId(good).keyPairSpec("SM2")));
    }

    assertEquals(
        before, objectsOutsideThePool(), "session objects were left in the HSM by requests");
  }

  @Test
  void manyKeyAgreementsAndRsaDecryptions_succeedingAndFailing_leaveNothingBehind()
      throws Exception {
    String ecdh =
        kms.createKey(b -> b.keySpec("ECC_NIST_P256").keyUsage("KEY_AGREEMENT"))
            .keyMetadata()
            .keyId();
    String rsa =
        kms.createKey(b -> b.keySpec("RSA_2048").keyUsage("ENCRYPT_DECRYPT")).keyMetadata().keyId();
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
    g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
    software.amazon.awssdk.core.SdkBytes peer =
        software.amazon.awssdk.core.SdkBytes.fromByteArray(
            g.generateKeyPair().getPublic().getEncoded());
    software.amazon.awssdk.core.SdkBytes ct =
        kms.encrypt(
                b ->
                    b.keyId(rsa)
                        .encryptionAlgorithm("RSAES_OAEP_SHA_256")
                        .plaintext(software.amazon.awssdk.core.SdkBytes.fromUtf8String("x")))
            .ciphertextBlob();
    byte[] bad = ct.asByteArray();
    bad[7] ^= 1;

    int before = objectsOutsideThePool();
    for (int i = 0; i < 30; i++) {
      kms.deriveSharedSecret(b -> b.keyId(ecdh).keyAgreementAlgorithm("ECDH").publicKey(peer));
      for (String alg : new String[] {"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}) {
        assertThrows(
            KmsException.class,
            () ->
                kms.decrypt(
                    b ->
                        b.keyId(rsa)
                            .encryptionAlgorithm(alg)
                            .ciphertextBlob(
                                software.amazon.awssdk.core.SdkBytes.fromByteArray(bad))));
      }
      kms.decrypt(b -> b.keyId(rsa).encryptionAlgorithm("RSAES_OAEP_SHA_256").ciphertextBlob(ct));
    }
    assertEquals(before, objectsOutsideThePool());
  }

  /** Session objects that are not pooled pairs, counted once the pool's refill has settled. */
  private int objectsOutsideThePool() throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (true) {
      if (pool.isSettled()) {
        int objects = hsm.diagnostics().sessionObjectCount();
        int pooled = pool.ready();
        if (pool.isSettled() && pool.ready() == pooled) {
          assertTrue(objects >= 2 * pooled);
          return objects - 2 * pooled;
        }
      }
      assertTrue(Instant.now().isBefore(deadline), "the pool did not settle");
      Thread.sleep(50);
    }
  }
}
