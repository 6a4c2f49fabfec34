package org.hsmkms.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.StoreException;
import org.junit.jupiter.api.Test;

/**
 * The store as a whole on SQLite and PostgreSQL: deletion across the tables, reopening, the
 * database file and its modes, closing, and concurrent use.
 */
class JdbcMetadataStoreTest extends StoreTestSupport {

  @Test
  void deleteKey_removesKeyMaterialsAliasesAndTags() {
    insert(key("k1"));
    insert(key("k2"));
    store.insertAlias(alias(ACCOUNT, REGION, "alias/one", "k1"));
    store.insertAlias(alias(ACCOUNT, REGION, "alias/two", "k2"));
    store.putTags("k1", Map.of("a", "1", "b", "2"));
    store.putTags("k2", Map.of("a", "1"));

    store.deleteKey("k1");

    assertEquals(Optional.empty(), store.findKey("k1"));
    assertEquals(List.of(), store.materials("k1"));
    assertEquals(Map.of(), store.tags("k1"));
    assertEquals(Optional.empty(), store.findAlias(ACCOUNT, REGION, "alias/one"));
    assertTrue(store.findKey("k2").isPresent());
    assertEquals(1, store.materials("k2").size());
    assertEquals(Map.of("a", "1"), store.tags("k2"));
    assertTrue(store.findAlias(ACCOUNT, REGION, "alias/two").isPresent());
  }

  @Test
  void deleteKey_withUnknownId_doesNothing() {
    insert(key("k1"));

    store.deleteKey("ghost");

    assertEquals(List.of("k1"), ids(store.allKeys()));
  }

  @Test
  void reopenedStore_keepsKeysMaterialsAliasesAndTags() {
    KeyRecord key = insert(key("k1").withState("PendingDeletion", T0.plusSeconds(3600), 7));
    store.insertAlias(alias(ACCOUNT, REGION, "alias/app", "k1"));
    store.putTags("k1", Map.of("team", "crypto"));
    store.close();

    store = openStore();

    assertEquals(Optional.of(key), store.findKey("k1"));
    assertEquals(List.of(material(key)), store.materials("k1"));
    assertEquals(
        Optional.of(alias(ACCOUNT, REGION, "alias/app", "k1")),
        store.findAlias(ACCOUNT, REGION, "alias/app"));
    assertEquals(Map.of("team", "crypto"), store.tags("k1"));
  }

  @Test
  void closedStore_refusesCalls_andCloseIsIdempotent() {
    store.close();

    assertThrows(StoreException.class, () -> store.findKey("k1"));
    assertThrows(StoreException.class, () -> store.insertKey(key("k1"), material(key("k1"))));
    store.close();
  }

  @Test
  void concurrentReadsAndWrites_fromEightThreads_failNothingAndStayConsistent() throws Exception {
    int threads = 8;
    int opsPerThread = 200;
    insert(key("shared"));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    Map<String, String> expectedStates = new ConcurrentHashMap<>();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  runMixedOperations(thread, opsPerThread, expectedStates);
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    // Every third op inserted a key, so each thread created ceil(200/3) keys.
    int keysPerThread = (opsPerThread + 2) / 3;
    List<KeyRecord> all = store.allKeys();
    assertEquals(threads * keysPerThread + 1, all.size());
    for (KeyRecord k : all) {
      if (!k.keyId().equals("shared")) {
        assertEquals(expectedStates.get(k.keyId()), k.keyState(), k.keyId());
        assertEquals(1, store.materials(k.keyId()).size(), k.keyId());
      }
    }
    assertEquals(threads, store.listAliases(ACCOUNT, REGION, "shared", null, 100).size());
    assertEquals(threads, store.tags("shared").size());
  }

  private void runMixedOperations(int thread, int ops, Map<String, String> expectedStates) {
    String prefix = "t" + thread + "-";
    store.insertAlias(alias(ACCOUNT, REGION, "alias/" + prefix + "shared", "shared"));
    int created = 0;
    for (int i = 0; i < ops; i++) {
      String id = prefix + String.format("%04d", created);
      switch (i % 3) {
        case 0 -> {
          insert(key(id));
          expectedStates.put(id, "Enabled");
          created++;
        }
        case 1 -> {
          String last = prefix + String.format("%04d", created - 1);
          KeyRecord k = store.findKey(last).orElseThrow();
          String state = i % 2 == 0 ? "Disabled" : "Enabled";
          store.updateKey(k.withState(state, null, null));
          expectedStates.put(last, state);
          store.putTags("shared", Map.of(prefix, Integer.toString(i)));
        }
        default -> {
          assertTrue(store.findKey("shared").isPresent());
          assertTrue(store.findAlias(ACCOUNT, REGION, "alias/" + prefix + "shared").isPresent());
          store.listKeys(ACCOUNT, REGION, null, 50);
          store.tags("shared");
          store.materials("shared");
        }
      }
    }
  }
}
