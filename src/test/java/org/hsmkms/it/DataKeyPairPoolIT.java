package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.hsmkms.hsm.ExportedKeyPair;
import org.hsmkms.hsm.KeyPairType;
import org.hsmkms.hsm.PregeneratedKeyPair;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.kms.DataKeyPairPool;
import org.hsmkms.testing.TestServer;
import org.hsmkms.testing.TestToken;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The pool of data key pairs generated ahead of requests: a ready pair is taken without generating
 * (counted, not timed), an empty pool still answers by generating on demand, no pair is handed out
 * twice, pairs lost with their HSM session are skipped, and closing destroys the rest.
 */
class DataKeyPairPoolIT {
  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();
  private final Pkcs11Hsm hsm = server.app().hsm();

  @Test
  void generateDataKeyPair_whenAPairIsReady_takesItFromThePool() {
    DataKeyPairPool pool = server.app().dataKeyPairPool();
    String keyId = kms.createKey(b -> {}).keyMetadata().keyId();
    KeyPairType type = KeyPairType.EC_P384;
    // The first request of a spec starts its pool.
    kms.generateDataKeyPair(b -> b.keyId(keyId).keyPairSpec("ECC_NIST_P384"));
    int capacity = pool.capacity(type);
    assertTrue(capacity > 1);
    await(() -> pool.ready(type) == capacity);

    long hits = pool.hits();
    long misses = pool.misses();
    kms.generateDataKeyPair(b -> b.keyId(keyId).keyPairSpec("ECC_NIST_P384"));
    kms.generateDataKeyPairWithoutPlaintext(b -> b.keyId(keyId).keyPairSpec("ECC_NIST_P384"));

    assertEquals(hits + 2, pool.hits());
    assertEquals(misses, pool.misses());
  }

  @Test
  void take_fromAPoolWithNothingReady_generatesOnDemand() {
    try (DataKeyPairPool pool = DataKeyPairPool.disabled(hsm.dataKeyPairs())) {
      try (ExportedKeyPair pair = pool.take(KeyPairType.RSA_2048)) {
        assertEquals(KeyPairType.RSA_2048, pair.type());
        assertTrue(pair.publicKey().length > 256);
      }
      assertEquals(1, pool.misses());
      assertEquals(0, pool.hits());
      assertEquals(0, pool.generated());
    }
  }

  @Test
  void take_afterPrefill_servesEveryPairOnce_thenRefills() {
    KeyPairType type = KeyPairType.EC_P256;
    try (DataKeyPairPool pool = new DataKeyPairPool(hsm.dataKeyPairs(), Map.of(type, 4), true)) {
      await(() -> pool.ready(type) == 4);
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < 4; i++) {
        try (ExportedKeyPair pair = pool.take(type)) {
          assertTrue(seen.add(HexFormat.of().formatHex(pair.publicKey())), "pair reused");
        }
      }
      assertEquals(4, pool.hits());
      await(() -> pool.ready(type) == 4);
      for (int i = 0; i < 12; i++) {
        try (ExportedKeyPair pair = pool.take(type)) {
          assertTrue(seen.add(HexFormat.of().formatHex(pair.publicKey())), "pair reused");
        }
      }
      assertEquals(16, pool.hits() + pool.misses());
      assertTrue(pool.generated() >= 8);
    }
  }

  @Test
  void aPregeneratedPair_isHandedOutOnce() {
    PregeneratedKeyPair pair = hsm.dataKeyPairs().pregenerateDataKeyPair(KeyPairType.ED25519);
    Optional<ExportedKeyPair> first = hsm.dataKeyPairs().takeDataKeyPair(pair);
    assertTrue(first.isPresent());
    first.get().close();
    assertTrue(hsm.dataKeyPairs().takeDataKeyPair(pair).isEmpty());
    hsm.dataKeyPairs().discardDataKeyPair(pair);
  }

  @Test
  void close_destroysThePairsStillWaiting() {
    int before = hsm.diagnostics().sessionObjectCount();
    DataKeyPairPool pool =
        new DataKeyPairPool(hsm.dataKeyPairs(), Map.of(KeyPairType.EC_SECP256K1, 3), true);
    await(() -> pool.ready(KeyPairType.EC_SECP256K1) == 3);
    assertEquals(before + 6, hsm.diagnostics().sessionObjectCount());
    pool.close();
    assertEquals(before, hsm.diagnostics().sessionObjectCount());
  }

  @Test
  void pairsLostWithTheirSession_areSkipped_andThePoolRecovers() throws Exception {
    KeyPairType type = KeyPairType.EC_P521;
    try (DataKeyPairPool pool = new DataKeyPairPool(hsm.dataKeyPairs(), Map.of(type, 3), true)) {
      await(() -> pool.ready(type) == 3);

      TestToken.closeAllSessions();

      // The waiting pairs died with the keeper session: the request skips them and is answered
      // by a pair the refill made in a reopened session, or by generating its own.
      try (ExportedKeyPair pair = pool.take(type)) {
        assertEquals(type, pair.type());
      }
      assertEquals(1, pool.hits() + pool.misses());
      await(() -> pool.ready(type) == 3 && pool.isSettled());
      long hits = pool.hits();
      try (ExportedKeyPair pair = pool.take(type)) {
        assertEquals(type, pair.type());
      }
      assertEquals(hits + 1, pool.hits());
    }
  }

  private static void await(BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (!condition.getAsBoolean()) {
      assertTrue(Instant.now().isBefore(deadline), "condition not reached within 60 s");
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
