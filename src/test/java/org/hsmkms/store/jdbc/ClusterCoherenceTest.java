package org.hsmkms.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.hsmkms.store.CachingMetadataStore;
import org.hsmkms.store.ClusterChanges;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MaterialRecord;
import org.hsmkms.store.StoreConflictException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one PostgreSQL database, each a {@link JdbcMetadataStore} with the row caches in
 * front ({@link CachingMetadataStore#following}), as two service processes have them: a change
 * through one is seen through the other's cache within one second, by notification or, when
 * notifications are lost, by the poll; and a key row read by both is written by only one.
 */
class ClusterCoherenceTest {
  private static final Duration ONE_SECOND = ClusterChanges.STALENESS_BOUND;

  @TempDir Path dir;
  private String url;
  private JdbcMetadataStore jdbcA;
  private JdbcMetadataStore jdbcB;
  private CachingMetadataStore nodeA;
  private CachingMetadataStore nodeB;
  private final Recorder observedByB = new Recorder();

  /** What node B's feed reports to the metrics. */
  static final class Recorder implements ClusterChanges.Observer {
    final List<Duration> lags = new CopyOnWriteArrayList<>();
    final Map<String, AtomicInteger> invalidations = new ConcurrentHashMap<>();

    @Override
    public void changeReceived(Duration lag) {
      lags.add(lag);
    }

    @Override
    public void invalidated(String cause) {
      invalidations.computeIfAbsent(cause, c -> new AtomicInteger()).incrementAndGet();
    }

    int count(String cause) {
      AtomicInteger n = invalidations.get(cause);
      return n == null ? 0 : n.get();
    }
  }

  @BeforeEach
  void openTwoNodes() throws Exception {
    url = StoreBackend.POSTGRESQL.newDatabase(dir);
    jdbcA = StoreBackend.POSTGRESQL.open(url);
    jdbcB = StoreBackend.POSTGRESQL.open(url);
    nodeA =
        CachingMetadataStore.following(
            jdbcA, jdbcA.clusterChanges().orElseThrow(), ClusterChanges.Observer.NONE);
    nodeB = CachingMetadataStore.following(jdbcB, feedOf(jdbcB), observedByB);
    awaitConfirmed(jdbcA);
    awaitConfirmed(jdbcB);
  }

  @AfterEach
  void closeNodes() {
    if (nodeA != null) {
      nodeA.close();
    }
    if (nodeB != null) {
      nodeB.close();
    }
  }

  @Test
  void aKeyDisabledThroughA_isSeenDisabledThroughBsCache_withinOneSecond() {
    KeyRecord key = insertEnabledKey("k1");
    assertEquals("Enabled", nodeB.findKey("k1").orElseThrow().keyState()); // now cached by B

    nodeA.updateKey(nodeA.findKey("k1").orElseThrow().withState("Disabled", null, null));

    Duration seenAfter = awaitThroughB("k1", k -> k.keyState().equals("Disabled"));
    assertTrue(seenAfter.compareTo(ONE_SECOND) < 0, "seen after " + seenAfter);
    assertTrue(observedByB.count("notification") >= 1, observedByB.invalidations.toString());
    assertTrue(!observedByB.lags.isEmpty(), "the change lag is measured");
    assertTrue(observedByB.lags.get(0).compareTo(ONE_SECOND) < 0, observedByB.lags.toString());
    assertEquals(key.keyId(), nodeB.findKey("k1").orElseThrow().keyId());
  }

  @Test
  void withNotificationsLost_thePollShowsBTheChange_withinOneSecond() {
    insertEnabledKey("k1");
    feedOf(jdbcB).suppressNotifications(true);
    assertEquals("Enabled", nodeB.findKey("k1").orElseThrow().keyState());

    nodeA.updateKey(nodeA.findKey("k1").orElseThrow().withPolicy("{\"changed\":true}"));

    Duration seenAfter = awaitThroughB("k1", k -> k.policy().equals("{\"changed\":true}"));
    assertTrue(seenAfter.compareTo(ONE_SECOND) < 0, "seen after " + seenAfter);
    assertEquals(0, observedByB.count("notification"));
    assertTrue(observedByB.count("poll") >= 1, observedByB.invalidations.toString());
  }

  @Test
  void aTagAddedThroughA_isSeenThroughBsCache_withinOneSecond() {
    insertEnabledKey("k1");
    assertEquals(Map.of(), nodeB.tags("k1"));

    nodeA.putTags("k1", Map.of("team", "payments"));

    Instant start = Instant.now();
    while (nodeB.tags("k1").isEmpty()) {
      assertTrue(Duration.between(start, Instant.now()).compareTo(ONE_SECOND) < 0, "tag unseen");
      pause();
    }
  }

  @Test
  void aRowReadAgainWhileNoNodeWrites_isServedFromMemory() throws Exception {
    insertEnabledKey("k1");
    // The insert's own invalidation of B's caches is over before B caches the row.
    Instant start = Instant.now();
    while (observedByB.count("notification") < 1) {
      assertTrue(Duration.between(start, Instant.now()).compareTo(ONE_SECOND) < 0, "no notice");
      pause();
    }
    assertEquals("Enabled", nodeB.findKey("k1").orElseThrow().keyState());

    // Changed behind the store's back (no count, no notification): only a database read shows it,
    // so B answering the old row for longer than a poll interval proves its reads are cache hits.
    try (Connection c = StoreBackend.POSTGRESQL.connect(url);
        Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE keys SET key_state = 'Disabled' WHERE key_id = 'k1'");
    }
    Instant until = Instant.now().plus(PostgresChangeFeed.POLL_INTERVAL.multipliedBy(3));
    while (Instant.now().isBefore(until)) {
      assertEquals("Enabled", nodeB.findKey("k1").orElseThrow().keyState());
      pause();
    }
  }

  @Test
  void concurrentUpdatesOfTheSameReadVersion_throughBothNodes_exactlyOneWins() throws Exception {
    insertEnabledKey("k1");
    KeyRecord read = jdbcA.findKey("k1").orElseThrow();
    int writers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<String>> outcomes = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        CachingMetadataStore node = i % 2 == 0 ? nodeA : nodeB;
        String description = "writer " + i;
        outcomes.add(
            pool.submit(
                () -> {
                  go.await();
                  try {
                    node.updateKey(read.withDescription(description));
                    return description;
                  } catch (StoreConflictException e) {
                    return null;
                  }
                }));
      }
      go.countDown();
      List<String> winners = new ArrayList<>();
      for (Future<String> f : outcomes) {
        String won = f.get(30, TimeUnit.SECONDS);
        if (won != null) {
          winners.add(won);
        }
      }
      assertEquals(1, winners.size(), winners.toString());
      KeyRecord stored = jdbcB.findKey("k1").orElseThrow();
      assertEquals(winners.get(0), stored.description());
      assertEquals(read.version() + 1, stored.version());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void afterTheFeedsConnectionIsKilled_itReconnects_andBSeesChangesAgain() throws Exception {
    insertEnabledKey("k1");
    assertEquals("Enabled", nodeB.findKey("k1").orElseThrow().keyState());
    try (Connection c = StoreBackend.POSTGRESQL.connect(url);
        Statement s = c.createStatement()) {
      // Every listening backend of this database: the feeds' connections.
      s.executeQuery(
              "SELECT pg_terminate_backend(l.pid) FROM pg_stat_activity l"
                  + " WHERE l.datname = current_database() AND l.pid <> pg_backend_pid()"
                  + " AND l.application_name = '"
                  + PostgresChangeFeed.APPLICATION_NAME
                  + "'")
          .close();
    }
    Instant start = Instant.now();
    while (observedByB.count("reconnect") < 2) {
      assertTrue(Duration.between(start, Instant.now()).getSeconds() < 10, "no reconnect");
      pause();
    }

    nodeA.updateKey(nodeA.findKey("k1").orElseThrow().withState("Disabled", null, null));

    Duration seenAfter = awaitThroughB("k1", k -> k.keyState().equals("Disabled"));
    assertTrue(seenAfter.compareTo(ONE_SECOND) < 0, "seen after " + seenAfter);
  }

  private KeyRecord insertEnabledKey(String keyId) {
    KeyRecord key =
        new KeyRecord(
            keyId,
            StoreTestSupport.ACCOUNT,
            StoreTestSupport.REGION,
            "Enabled",
            "SYMMETRIC_DEFAULT",
            "ENCRYPT_DECRYPT",
            "AWS_KMS",
            "",
            "{}",
            StoreTestSupport.T0,
            null,
            null,
            "m-" + keyId);
    nodeA.insertKey(key, new MaterialRecord("m-" + keyId, keyId, StoreTestSupport.T0));
    return key;
  }

  /** How long until B's reads show {@code seen}; fails after two seconds. */
  private Duration awaitThroughB(String keyId, Predicate<KeyRecord> seen) {
    long start = System.nanoTime();
    while (!seen.test(nodeB.findKey(keyId).orElseThrow())) {
      assertTrue(System.nanoTime() - start < 2_000_000_000L, "never seen through node B");
      pause();
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static PostgresChangeFeed feedOf(JdbcMetadataStore store) {
    return (PostgresChangeFeed) store.clusterChanges().orElseThrow();
  }

  private static void awaitConfirmed(JdbcMetadataStore store) throws InterruptedException {
    ClusterChanges feed = store.clusterChanges().orElseThrow();
    long start = System.nanoTime();
    while (!feed.confirmsCache()) {
      assertTrue(System.nanoTime() - start < 10_000_000_000L, "the feed never connected");
      Thread.sleep(10);
    }
  }

  private static void pause() {
    try {
      Thread.sleep(5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
