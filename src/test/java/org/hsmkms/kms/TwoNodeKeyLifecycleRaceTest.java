package org.hsmkms.kms;

import static org.hsmkms.kms.StoredKeys.caller;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.store.CachingMetadataStore;
import org.hsmkms.store.ClusterChanges;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.jdbc.JdbcMetadataStore;
import org.hsmkms.testing.PostgresServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes (each its own store connection pool, row caches, {@link Keys} and lifecycle lock) on
 * one PostgreSQL database and one token, racing lifecycle changes on one key: no acknowledged
 * change is lost, and a loser answers what AWS answers for the state it finds on re-reading the
 * key.
 */
class TwoNodeKeyLifecycleRaceTest {
  @RegisterExtension static final TokenFixture TOKEN = TokenFixture.perClass();
  private static final int ROUNDS = 15;

  private final RequestContext ctx = caller();
  private final List<CachingMetadataStore> stores = new ArrayList<>();
  private JdbcMetadataStore plain;
  private KeyManagement nodeA;
  private KeyManagement nodeB;
  private ExecutorService threads;
  private String keyId;

  @BeforeEach
  void openTwoNodes() {
    String url = PostgresServer.get().createDatabase();
    nodeA = node(url);
    nodeB = node(url);
    plain = new JdbcMetadataStore(url, PostgresServer.USER, PostgresServer.PASSWORD);
    threads = Executors.newFixedThreadPool(2);
    keyId =
        nodeA
            .createKey(
                ctx,
                new CreateKeyRequest(
                    "SYMMETRIC_DEFAULT",
                    null,
                    "ENCRYPT_DECRYPT",
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    false))
            .keyId();
  }

  @AfterEach
  void closeNodes() {
    threads.shutdownNow();
    KeyRecord key = plain.findKey(keyId).orElseThrow();
    TOKEN.hsm().inventory().destroyKey(MaterialId.fromHex(key.currentMaterialId()));
    stores.forEach(CachingMetadataStore::close);
    plain.close();
  }

  private KeyManagement node(String url) {
    Pkcs11Hsm hsm = TOKEN.hsm();
    JdbcMetadataStore jdbc =
        new JdbcMetadataStore(url, PostgresServer.USER, PostgresServer.PASSWORD);
    CachingMetadataStore store =
        CachingMetadataStore.following(
            jdbc, jdbc.clusterChanges().orElseThrow(), ClusterChanges.Observer.NONE);
    stores.add(store);
    Keys keys = new Keys(store);
    return new KeyManagement(
        hsm.inventory(),
        hsm.random(),
        store,
        keys,
        new KeyPolicies(store, keys),
        Clock.systemUTC());
  }

  @Test
  void scheduleDeletionOnA_racingCancelDeletionOnB_endsInTheStateTheAcknowledgedCallsLeft()
      throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      List<ErrorCode> outcomes =
          race(
              () -> nodeA.scheduleKeyDeletion(ctx, keyId, 7),
              () -> nodeB.cancelKeyDeletion(ctx, keyId));

      // ScheduleKeyDeletion takes an Enabled key; CancelKeyDeletion wins only after it.
      assertEquals(null, outcomes.get(0), "round " + round);
      String state = plain.findKey(keyId).orElseThrow().keyState();
      if (outcomes.get(1) == null) {
        assertEquals("Disabled", state, "round " + round + ": the cancel came last");
      } else {
        assertEquals(ErrorCode.INVALID_STATE, outcomes.get(1), "round " + round);
        assertEquals("PendingDeletion", state, "round " + round + ": the schedule holds");
      }
      resetToEnabled();
    }
  }

  @Test
  void disableOnA_racingScheduleDeletionOnB_neverLosesTheScheduledDeletion() throws Exception {
    int disableRefused = 0;
    for (int round = 0; round < ROUNDS; round++) {
      List<ErrorCode> outcomes =
          race(() -> nodeA.disableKey(ctx, keyId), () -> nodeB.scheduleKeyDeletion(ctx, keyId, 7));

      // A lost update would leave the key Disabled after an acknowledged ScheduleKeyDeletion.
      assertEquals(null, outcomes.get(1), "round " + round);
      assertEquals(
          "PendingDeletion", plain.findKey(keyId).orElseThrow().keyState(), "round " + round);
      if (outcomes.get(0) != null) {
        assertEquals(ErrorCode.INVALID_STATE, outcomes.get(0), "round " + round);
        disableRefused++;
      }
      resetToEnabled();
    }
  }

  /**
   * Puts the key back to Enabled through a third writer, and waits until both nodes' caches show it
   * (within a second), so that each round's calls start from one state.
   */
  private void resetToEnabled() throws InterruptedException {
    KeyRecord key = plain.findKey(keyId).orElseThrow();
    plain.updateKey(key.withState(KeyState.ENABLED.awsName(), null, null));
    long start = System.nanoTime();
    for (CachingMetadataStore node : stores) {
      while (!node.findKey(keyId).orElseThrow().keyState().equals("Enabled")) {
        assertTrue(System.nanoTime() - start < 2_000_000_000L, "the reset is not seen");
        Thread.sleep(5);
      }
    }
  }

  /** Runs both at once; the error code each ended with, null for success. */
  private List<ErrorCode> race(Runnable first, Runnable second) throws Exception {
    CyclicBarrier start = new CyclicBarrier(2);
    List<Future<ErrorCode>> futures = new ArrayList<>();
    for (Runnable call : List.of(first, second)) {
      futures.add(
          threads.submit(
              () -> {
                start.await();
                try {
                  call.run();
                  return null;
                } catch (KmsException e) {
                  return e.code();
                }
              }));
    }
    List<ErrorCode> outcomes = new ArrayList<>();
    for (Future<ErrorCode> f : futures) {
      outcomes.add(f.get(60, TimeUnit.SECONDS));
    }
    return outcomes;
  }
}
