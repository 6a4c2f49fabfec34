package org.hsmkms.kms.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.hsmkms.store.ClusterStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process as one node of the cluster that shares its store: registered at {@link #start} under
 * a fresh random id, its heartbeat written every {@code heartbeat} by a thread of its own, its row
 * removed at {@link #close}. On each heartbeat it also checks (and if need be tries to take) the
 * leader lock; only the leader runs the periodic work.
 *
 * <p>A node is dead when its heartbeat is older than {@code lease} by the database's clock; its
 * unfinished work (rows it owns) is then repaired by the others. A node that finds itself taken for
 * dead (its row gone) registers again and says so loudly: work it had in flight may have been
 * rolled back by another node.
 *
 * <p>Security: node ids are random and carry no meaning; nothing secret is stored or logged.
 */
public final class ClusterNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

  private final ClusterStore store;
  private final Duration heartbeat;
  private final Duration lease;
  private final String nodeId;
  private final String description;
  private ScheduledExecutorService timer;
  private ClusterStore.LeaderLock leader;

  public ClusterNode(ClusterStore store, Duration heartbeat, Duration lease) {
    this.store = store;
    this.heartbeat = heartbeat;
    this.lease = lease;
    byte[] id = new byte[16];
    new SecureRandom().nextBytes(id);
    this.nodeId = HexFormat.of().formatHex(id);
    this.description = describeProcess();
  }

  /**
   * Registers the node, tries the leader lock once and starts the heartbeat.
   *
   * @param alone true when this process holds its store alone (an embedded store under its file
   *     lock): every other node row is then a leftover of an earlier process, forgotten at once so
   *     that start-up repair treats its work as abandoned
   */
  public synchronized void start(boolean alone) {
    store.registerNode(nodeId, description);
    if (alone) {
      int forgotten = store.forgetOtherNodes(nodeId);
      if (forgotten > 0) {
        LOG.info("forgot {} node(s) of earlier processes of this embedded store", forgotten);
      }
    }
    leader = store.leaderLock();
    leader.tryLead();
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "hsm-kms-cluster-heartbeat");
              t.setDaemon(true);
              return t;
            });
    long ms = heartbeat.toMillis();
    timer.scheduleWithFixedDelay(this::beat, ms, ms, TimeUnit.MILLISECONDS);
    LOG.info("node {} ({}) joined the cluster", nodeId, description);
  }

  /** One heartbeat: the node's row, then the leader lock. Never throws (the timer must go on). */
  void beat() {
    try {
      if (!store.heartbeat(nodeId, description)) {
        LOG.error(
            "node {}: the cluster had taken this node for dead (no heartbeat for {} s); work it had"
                + " in flight may have been rolled back by another node. Registered again.",
            nodeId,
            lease.toSeconds());
      }
    } catch (RuntimeException e) {
      LOG.warn("node {}: heartbeat failed: {}", nodeId, e.getMessage());
    }
    try {
      leader.tryLead();
    } catch (RuntimeException e) {
      LOG.warn("node {}: leader lock check failed: {}", nodeId, e.getMessage());
    }
  }

  public String nodeId() {
    return nodeId;
  }

  /** Whether this node leads the periodic work (as of its last heartbeat, at most one ago). */
  public boolean leading() {
    ClusterStore.LeaderLock l = leader;
    return l != null && l.leading();
  }

  /**
   * Checks the leader lock now (its connection alive) and answers whether this node leads: called
   * right before a periodic job, so that a node whose lock connection died does not start one.
   */
  public boolean confirmLeading() {
    ClusterStore.LeaderLock l = leader;
    return l != null && l.tryLead();
  }

  /** The ids of unfinished work owned by live nodes (this one included), which repair leaves. */
  public Set<String> workOfLiveNodes() {
    return store.workOfLiveNodes(lease, null);
  }

  /**
   * The ids of unfinished work owned by the other live nodes: what start-up repair leaves alone
   * (this node has started nothing yet, so rows it owns are repaired like a crashed run's).
   */
  public Set<String> workOfOtherLiveNodes() {
    return store.workOfLiveNodes(lease, nodeId);
  }

  /** Forgets nodes dead for longer than the lease, with their leases (periodic, leader only). */
  public int forgetDeadNodes() {
    return store.forgetDeadNodes(lease);
  }

  /** Starts a due deletion as this node's work, if it is still due (a compare-and-set). */
  public boolean beginDeletion(String keyId, Instant deletionDate) {
    return store.beginDeletion(keyId, deletionDate, nodeId);
  }

  /** Makes this node the owner of a key's row before it changes the key's HSM objects. */
  public void ownKey(String keyId) {
    store.ownKey(keyId, nodeId);
  }

  /** Takes a lease on work without a row of its own; false if another node holds it. */
  public boolean takeLease(String workId) {
    return store.takeLease(workId, nodeId);
  }

  public void releaseLease(String workId) {
    store.releaseLease(workId);
  }

  /**
   * Stops the heartbeat, gives up the leader lock and removes the node's row: what it owned counts
   * as abandoned at once (a clean stop leaves nothing in flight).
   */
  @Override
  public synchronized void close() {
    if (timer == null) {
      return;
    }
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timer = null;
    leader.close();
    store.removeNode(nodeId);
    LOG.info("node {} left the cluster", nodeId);
  }

  private static String describeProcess() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown-host";
    }
    return host + " pid " + ProcessHandle.current().pid();
  }
}
