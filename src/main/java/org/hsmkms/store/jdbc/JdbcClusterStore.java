package org.hsmkms.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import org.hsmkms.store.ClusterStore;

/**
 * {@link ClusterStore} over the store's own connections (see {@link NodeRows} for the SQL). Once a
 * node is registered, {@link KeyTransactions}, {@link MultiRegionTransactions} and {@link
 * RotationTransactions} call {@link #ownCreatingKey} and {@link #ownRotation} inside the
 * transactions that write a Creating key row or claim a rotation, so that such a row never exists
 * without its owner.
 *
 * <p>Only {@link #beginDeletion} changes a row that nodes cache (a key's state), so only it tells
 * the other nodes ({@link Connections#write}); heartbeats, leases and usage reservations use {@link
 * Connections#writeUncached}, so that they do not empty every node's row caches.
 */
final class JdbcClusterStore implements ClusterStore {
  private final Connections connections;
  private final NodeRows rows;
  private volatile String nodeId;

  JdbcClusterStore(Connections connections) {
    this.connections = connections;
    this.rows =
        new NodeRows(
            connections instanceof PostgresConnections
                ? NodeRows.POSTGRES_NOW
                : NodeRows.SQLITE_NOW);
  }

  /** In the caller's transaction: the registered node owns this key row if it is Creating. */
  void ownCreatingKey(Connection c, String keyId) throws SQLException {
    String owner = nodeId;
    if (owner != null) {
      NodeRows.ownCreatingKey(c, keyId, owner);
    }
  }

  /** In the caller's transaction: the registered node owns this rotation if it is unfinished. */
  <T> T ownRotation(Connection c, String materialId, T result) throws SQLException {
    String owner = nodeId;
    if (owner != null) {
      NodeRows.ownRotation(c, materialId, owner);
    }
    return result;
  }

  @Override
  public void registerNode(String nodeId, String description) {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(description, "description");
    connections.writeUncached(
        "registerNode " + nodeId,
        c -> {
          rows.insert(c, nodeId, description);
          return null;
        });
    this.nodeId = nodeId;
  }

  @Override
  public boolean heartbeat(String nodeId, String description) {
    return connections.writeUncached(
        "heartbeat " + nodeId,
        c -> {
          if (rows.heartbeat(c, nodeId)) {
            return true;
          }
          rows.insert(c, nodeId, description);
          return false;
        });
  }

  @Override
  public void removeNode(String nodeId) {
    this.nodeId = null;
    connections.writeUncached(
        "removeNode " + nodeId,
        c -> {
          NodeRows.delete(c, nodeId);
          return null;
        });
  }

  @Override
  public int forgetOtherNodes(String nodeId) {
    return connections.writeUncached("forgetOtherNodes", c -> NodeRows.deleteOthers(c, nodeId));
  }

  @Override
  public int forgetDeadNodes(Duration lease) {
    return connections.writeUncached("forgetDeadNodes", c -> rows.deleteDead(c, lease.toMillis()));
  }

  @Override
  public Set<String> workOfLiveNodes(Duration lease, String exceptNodeId) {
    return connections.read(
        "workOfLiveNodes", c -> rows.workOfLiveNodes(c, lease.toMillis(), exceptNodeId));
  }

  @Override
  public boolean ownKey(String keyId, String nodeId, Duration lease) {
    // The owner is no part of a cached row: no other node's cache needs emptying.
    return connections.writeUncached(
        "ownKey " + keyId, c -> rows.ownKey(c, keyId, nodeId, lease.toMillis()));
  }

  @Override
  public void disownKey(String keyId, String nodeId) {
    connections.writeUncached(
        "disownKey " + keyId,
        c -> {
          NodeRows.disownKey(c, keyId, nodeId);
          return null;
        });
  }

  @Override
  public boolean beginExpiry(String keyId, Instant validTo, String nodeId, Duration lease) {
    return connections.write(
        "beginExpiry " + keyId,
        c -> rows.beginExpiry(c, keyId, validTo.toEpochMilli(), nodeId, lease.toMillis()));
  }

  @Override
  public Set<String> abandonedImports(Duration lease) {
    return connections.read("abandonedImports", c -> rows.abandonedImports(c, lease.toMillis()));
  }

  @Override
  public boolean beginDeletion(String keyId, Instant deletionDate, String nodeId) {
    return connections.write(
        "beginDeletion " + keyId,
        c -> NodeRows.beginDeletion(c, keyId, deletionDate.toEpochMilli(), nodeId));
  }

  @Override
  public boolean takeLease(String workId, String nodeId) {
    return connections.writeUncached("takeLease " + workId, c -> rows.takeLease(c, workId, nodeId));
  }

  @Override
  public void releaseLease(String workId) {
    connections.writeUncached(
        "releaseLease " + workId,
        c -> {
          NodeRows.releaseLease(c, workId);
          return null;
        });
  }

  @Override
  public long reservedUsage(String materialId) {
    return connections.read("reservedUsage", c -> NodeRows.usage(c, materialId));
  }

  @Override
  public long reserveUsage(String materialId, long count) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1");
    }
    return connections.writeUncached("reserveUsage", c -> NodeRows.addUsage(c, materialId, count));
  }

  @Override
  public boolean returnUsage(String materialId, long reservedUpTo, long unused) {
    return connections.writeUncached(
        "returnUsage", c -> NodeRows.returnUsage(c, materialId, reservedUpTo, unused));
  }

  @Override
  public LeaderLock leaderLock() {
    if (connections instanceof PostgresConnections pg) {
      return new PostgresLeaderLock(pg::dedicated);
    }
    return new SoleLeader();
  }

  /** An embedded store has one process (its file lock says so), which leads. */
  private static final class SoleLeader implements LeaderLock {
    @Override
    public boolean tryLead() {
      return true;
    }

    @Override
    public boolean leading() {
      return true;
    }

    @Override
    public void close() {}
  }
}
