package org.hsmkms.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MaterialRecord;
import org.hsmkms.testing.PostgresServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Several nodes on one PostgreSQL database and one token (issue 15, item 2): a node's unfinished
 * work is its own while it lives and is repaired by the others once it is dead; one node leads the
 * periodic work and another takes over when the leader's lock connection is gone; a due deletion is
 * carried out once however many nodes sweep; usage reservations of nodes add up. Each node here is
 * what a process holds: its own store (connection pool), cluster node and reconciler.
 */
class ClusterNodesTest {
  @RegisterExtension static final TokenFixture TOKEN = TokenFixture.perClass();

  private static final Duration HEARTBEAT = Duration.ofSeconds(1);
  private static final Duration LEASE = Duration.ofSeconds(2);
  // PostgresLeaderLock's key ("hsm-lead").
  private static final long LEADER_LOCK = 0x68736d2d6c656164L;

  private String url;
  private final List<Node> nodes = new ArrayList<>();

  /** One process: a store of its own, registered as a node, with its reconciler. */
  private final class Node extends StoreNode {
    final Reconciler reconciler =
        new Reconciler(TOKEN.hsm().inventory(), store, keys, Clock.systemUTC(), cluster);

    Node() {
      super(url, HEARTBEAT, LEASE);
    }
  }

  @BeforeEach
  void database() {
    url = PostgresServer.get().createDatabase();
  }

  @AfterEach
  void stop() {
    nodes.forEach(Node::close);
  }

  private Node node() {
    Node n = new Node();
    nodes.add(n);
    return n;
  }

  private static KeyRecord insert(Node n, KeyState state, Instant deletionDate) {
    String id = UUID.randomUUID().toString();
    byte[] material = new byte[16];
    ThreadLocalRandom.current().nextBytes(material);
    String hex = HexFormat.of().formatHex(material);
    Instant created = Instant.now().minusSeconds(3600);
    KeyRecord key =
        new KeyRecord(
            id,
            StoredKeys.ACCOUNT,
            StoredKeys.REGION,
            state.awsName(),
            "SYMMETRIC_DEFAULT",
            "ENCRYPT_DECRYPT",
            "AWS_KMS",
            "",
            "{}",
            created,
            deletionDate,
            deletionDate == null ? null : 7,
            hex);
    n.store.insertKey(key, new MaterialRecord(hex, id, created));
    return key;
  }

  private static void waitFor(String what, Duration limit, BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + limit + ": " + what);
      }
      Thread.sleep(100);
    }
  }

  @Test
  void aLiveNodesCreatingKey_survivesAnotherNodesStartUpRepair_andIsRepairedOnceItsOwnerIsDead()
      throws Exception {
    Node a = node();
    // A's CreateKey is between its two steps: the row is written (Creating), the HSM not yet asked.
    KeyRecord creating = insert(a, KeyState.CREATING, null);

    Node b = node();
    b.reconciler.reconcile();
    b.reconciler.reconcileAbandoned();

    assertEquals("Creating", b.store.findKey(creating.keyId()).orElseThrow().keyState());

    a.die();
    waitFor(
        "B rolls back the dead node's CreateKey",
        Duration.ofSeconds(10),
        () -> {
          b.reconciler.reconcileAbandoned();
          return b.store.findKey(creating.keyId()).isEmpty();
        });
  }

  @Test
  void aDeadNodesCreateKeyWhoseMaterialExists_isCompletedByAnotherNode() throws Exception {
    Node a = node();
    KeyRecord creating = insert(a, KeyState.CREATING, null);
    MaterialId material = MaterialId.fromHex(creating.currentMaterialId());
    TOKEN.hsm().inventory().generateAesKey(material, creating.keyId());
    try {
      Node b = node();
      a.die();
      waitFor(
          "B completes the dead node's CreateKey",
          Duration.ofSeconds(10),
          () -> {
            b.reconciler.reconcileAbandoned();
            return "Enabled".equals(b.store.findKey(creating.keyId()).orElseThrow().keyState());
          });
      assertTrue(TOKEN.hsm().inventory().keyExists(material), "never destroyed unasked");
    } finally {
      TOKEN.hsm().inventory().destroyKey(material);
    }
  }

  @Test
  void oneOfTwoNodesLeads_andTheOtherTakesOverWhenTheLeadersConnectionIsGone() throws Exception {
    Node a = node();
    Node b = node();
    waitFor("a leader", Duration.ofSeconds(5), () -> a.cluster.leading() || b.cluster.leading());
    Thread.sleep(2 * HEARTBEAT.toMillis());
    assertTrue(a.cluster.leading() ^ b.cluster.leading(), "exactly one leader");
    Node leader = a.cluster.leading() ? a : b;

    // The leader's lock session ends; the test takes the lock itself, so no node can retake it.
    try (Connection c = PostgresServer.connect(url)) {
      terminateLeaderSession(c);
      waitFor("the lock is free", Duration.ofSeconds(5), () -> tryLock(c));
      assertFalse(leader.cluster.confirmLeading(), "a leader whose session ended stops leading");
      assertFalse(a.cluster.confirmLeading() || b.cluster.confirmLeading(), "nobody leads");
    }
    // The test's session closed: one of the nodes leads again within a heartbeat or two.
    waitFor(
        "a new leader", Duration.ofSeconds(5), () -> a.cluster.leading() || b.cluster.leading());
    Node current = a.cluster.leading() ? a : b;
    Node other = current == a ? b : a;

    current.close();
    nodes.remove(current);
    waitFor("the other node takes over", Duration.ofSeconds(5), other.cluster::leading);
  }

  /** Ends the database session that holds the leader lock, as a lost connection would. */
  private static void terminateLeaderSession(Connection c) throws Exception {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND"
                + " granted AND objid::bigint = ? AND classid::bigint = ?")) {
      ps.setLong(1, LEADER_LOCK & 0xffffffffL);
      ps.setLong(2, LEADER_LOCK >>> 32);
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next() && rs.getBoolean(1), "the leader's session was found and ended");
      }
    }
  }

  private static boolean tryLock(Connection c) {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
      ps.setLong(1, LEADER_LOCK);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aDueDeletion_isCarriedOutOnce_whenTwoNodesSweepAtOnce() throws Exception {
    Node a = node();
    Node b = node();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 5; round++) {
        KeyRecord due = insert(a, KeyState.PENDING_DELETION, Instant.now().minusSeconds(1));
        MaterialId material = MaterialId.fromHex(due.currentMaterialId());
        TOKEN.hsm().inventory().generateAesKey(material, due.keyId());
        List<Callable<Integer>> sweeps =
            List.of(a.reconciler::deleteDueKeys, b.reconciler::deleteDueKeys);
        int deleted = 0;
        for (Future<Integer> f : pool.invokeAll(sweeps)) {
          deleted += f.get();
        }
        assertEquals(1, deleted, "one deletion between the two nodes");
        assertTrue(a.store.findKey(due.keyId()).isEmpty());
        assertFalse(TOKEN.hsm().inventory().keyExists(material));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void usageReservationsOfTwoNodes_addUp() throws Exception {
    Node a = node();
    Node b = node();
    KeyRecord key = insert(a, KeyState.ENABLED, null);
    UsageLimits.Settings settings = new UsageLimits.Settings(1_000_000, 2_000_000, 10);
    UsageLimits usageA =
        new UsageLimits(UsageLimits.Reservations.shared(a.store.cluster()), settings);
    UsageLimits usageB =
        new UsageLimits(UsageLimits.Reservations.shared(b.store.cluster()), settings);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Void>> work = new ArrayList<>();
      for (UsageLimits u : List.of(usageA, usageB, usageA, usageB)) {
        work.add(
            () -> {
              for (int i = 0; i < 250; i++) {
                u.beforeEncrypt(key);
              }
              return null;
            });
      }
      for (Future<Void> f : pool.invokeAll(work)) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    long stored = a.store.materialUsage(key.currentMaterialId());
    assertTrue(stored >= 1000, "never under the 1000 encryptions made: " + stored);
    assertTrue(stored <= 1000 + 2 * 10, "at most one batch ahead per node: " + stored);
    usageA.close();
    usageB.close();
    long closed = a.store.materialUsage(key.currentMaterialId());
    assertTrue(closed >= 1000 && closed <= stored, "a clean stop gives back only what is unused");
  }
}
