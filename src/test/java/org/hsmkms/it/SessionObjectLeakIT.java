package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.hsmkms.hsm.Hsm;
import org.hsmkms.kms.DataKeyPairPool;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.DryRunOperationException;
import software.amazon.awssdk.services.kms.model.InvalidKeyUsageException;
import software.amazon.awssdk.services.kms.model.KeyUnavailableException;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * Every HSM session object the service makes for a request (data key pairs, ECDH results) is
 * destroyed when the request ends, whether it succeeds or fails: after many calls the only
 * session objects left are the pairs waiting in the pool (two objects each).
 */
class SessionObjectLeakIT {
  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();
  private final Hsm hsm = server.app().hsm();
  private final DataKeyPairPool pool = server.app().dataKeyPairPool();

  @Test
  void manyDataKeyPairCalls_succeedingAndFailing_leaveOnlyPooledPairsInTheHsm() throws Exception {
    String good = kms.createKey(b -> { }).keyMetadata().keyId();
    String disabled = kms.createKey(b -> { }).keyMetadata().keyId();
    kms.disableKey(b -> b.keyId(disabled));
    String hmac = kms.createKey(b -> b.keySpec("HMAC_256").keyUsage("GENERATE_VERIFY_MAC"))
        .keyMetadata().keyId();
    // A key whose AES object is gone: the pair is generated and read out, then sealing fails.
    String broken = kms.createKey(b -> { }).keyMetadata().keyId();
    hsm.destroyKey(HexFormat.of().parseHex(
        server.app().store().findKey(broken).orElseThrow().currentMaterialId()));

    String[] specs = {"ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_EDWARDS25519", "RSA_2048",
        "ECC_SECG_P256K1", "ECC_NIST_P521"};
    // One request per spec first: it starts that spec's pool, and clears out pairs that an earlier
    // test's session loss left behind (they are counted as ready until the refill notices).
    for (String spec : specs) {
      kms.generateDataKeyPairWithoutPlaintext(b -> b.keyId(good).keyPairSpec(spec));
    }
    int before = objectsOutsideThePool();
    for (int i = 0; i < 36; i++) {
      String spec = specs[i % specs.length];
      if (i % 2 == 0) {
        kms.generateDataKeyPair(b -> b.keyId(good).keyPairSpec(spec));
      } else {
        kms.generateDataKeyPairWithoutPlaintext(b -> b.keyId(good).keyPairSpec(spec));
      }
      assertThrows(KeyUnavailableException.class,
          () -> kms.generateDataKeyPair(b -> b.keyId(broken).keyPairSpec(spec)));
      assertThrows(DisabledException.class,
          () -> kms.generateDataKeyPair(b -> b.keyId(disabled).keyPairSpec(spec)));
      assertThrows(InvalidKeyUsageException.class,
          () -> kms.generateDataKeyPair(b -> b.keyId(hmac).keyPairSpec(spec)));
      assertThrows(DryRunOperationException.class,
          () -> kms.generateDataKeyPair(b -> b.keyId(good).keyPairSpec(spec).dryRun(true)));
      assertThrows(KmsException.class,
          () -> kms.generateDataKeyPair(b -> b.keyId(good).keyPairSpec("SM2")));
    }

    assertEquals(before, objectsOutsideThePool(),
        "session objects were left in the HSM by requests");
  }

  /** Session objects that are not pooled pairs, counted once the pool's refill has settled. */
  private int objectsOutsideThePool() throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (true) {
      if (pool.isSettled()) {
        int objects = hsm.sessionObjectCount();
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
