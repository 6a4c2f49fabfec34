package org.hsmkms.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The SQL by which PostgreSQL nodes tell each other of their commits: a count in the {@code
 * cluster_changes} table (V7) and a {@code pg_notify} on {@link #CHANNEL}, both inside the writing
 * transaction, so that they take effect at its commit and vanish with its rollback.
 *
 * <p>The notification is the fast path (delivered to every listening node at the commit); the count
 * is the fallback: it only ever grows, so a node that polls its sum notices every commit since its
 * last poll even when a notification was lost (a listener that was reconnecting).
 */
final class ClusterChangeRows {

  /** The notification channel: one per database. */
  static final String CHANNEL = "hsmkms_changes";

  /** Rows per node: a node's concurrent writes seldom update the same one (and conflict). */
  static final int SLOTS = 8;

  private static final String COUNT =
      "UPDATE cluster_changes SET changes = changes + 1 WHERE node_id = ? AND slot = ?";
  private static final String FIRST_COUNT =
      "INSERT INTO cluster_changes (node_id, slot, changes) VALUES (?, ?, 1)"
          + " ON CONFLICT (node_id, slot) DO UPDATE SET changes = cluster_changes.changes + 1";
  private static final String NOTIFY = "SELECT pg_notify(?, ?)";
  private static final String TOTAL = "SELECT COALESCE(SUM(changes), 0) FROM cluster_changes";

  private ClusterChangeRows() {}

  /**
   * Counts one change by {@code nodeId} and queues its notification; in the writer's transaction,
   * as its last statements (so that the time sent is close to the commit).
   */
  static void record(Connection c, String nodeId) throws SQLException {
    int slot = ThreadLocalRandom.current().nextInt(SLOTS);
    boolean counted;
    try (PreparedStatement ps = c.prepareStatement(COUNT)) {
      ps.setString(1, nodeId);
      ps.setInt(2, slot);
      counted = ps.executeUpdate() == 1;
    }
    if (!counted) {
      // The slot's first change (two first ones at once: the second adds to the first's row).
      try (PreparedStatement ps = c.prepareStatement(FIRST_COUNT)) {
        ps.setString(1, nodeId);
        ps.setInt(2, slot);
        ps.executeUpdate();
      }
    }
    try (PreparedStatement ps = c.prepareStatement(NOTIFY)) {
      ps.setString(1, CHANNEL);
      ps.setString(2, payload(nodeId, System.currentTimeMillis()));
      ps.executeQuery().close();
    }
  }

  /** How many changes every node has committed, in all. */
  static long total(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(TOTAL);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** A notification's text: the writer's node id and its commit time (epoch milliseconds). */
  static String payload(String nodeId, long commitMillis) {
    return nodeId + " " + commitMillis;
  }
}
