package org.hsmkms.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/**
 * The SQL of {@code nodes}, {@code work_leases} and the {@code owner_node} columns (V8), and of the
 * atomic additions to {@code material_usage}. Each method runs on the connection it is given, in
 * the caller's transaction.
 *
 * <p>Every time is the database's: {@link #now} is an SQL expression of its clock in epoch
 * milliseconds, so a node whose clock is wrong is judged by the same clock as the others.
 */
final class NodeRows {
  /** SQLite's clock: julianday('now') has millisecond precision. */
  static final String SQLITE_NOW = "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";

  /** PostgreSQL's clock at the statement (now() would be the transaction's start). */
  static final String POSTGRES_NOW = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";

  private final String now;
  private final String liveNodes;

  NodeRows(String nowExpression) {
    this.now = nowExpression;
    this.liveNodes = "SELECT node_id FROM nodes WHERE heartbeat_at >= " + now + " - ?";
  }

  void insert(Connection c, String nodeId, String description) throws SQLException {
    update(
        c,
        "INSERT INTO nodes (node_id, description, started_at, heartbeat_at) VALUES (?, ?, "
            + now
            + ", "
            + now
            + ")",
        nodeId,
        description);
  }

  boolean heartbeat(Connection c, String nodeId) throws SQLException {
    return update(c, "UPDATE nodes SET heartbeat_at = " + now + " WHERE node_id = ?", nodeId) == 1;
  }

  static void delete(Connection c, String nodeId) throws SQLException {
    update(c, "DELETE FROM work_leases WHERE node_id = ?", nodeId);
    update(c, "DELETE FROM nodes WHERE node_id = ?", nodeId);
  }

  static int deleteOthers(Connection c, String nodeId) throws SQLException {
    update(c, "DELETE FROM work_leases WHERE node_id <> ?", nodeId);
    return update(c, "DELETE FROM nodes WHERE node_id <> ?", nodeId);
  }

  int deleteDead(Connection c, long leaseMillis) throws SQLException {
    update(c, "DELETE FROM work_leases WHERE node_id NOT IN (" + liveNodes + ")", leaseMillis);
    return update(c, "DELETE FROM nodes WHERE heartbeat_at < " + now + " - ?", leaseMillis);
  }

  Set<String> workOfLiveNodes(Connection c, long leaseMillis, String except) throws SQLException {
    String live = liveNodes + " AND node_id <> ?";
    String sql =
        "SELECT key_id FROM keys WHERE key_state IN ('Creating', 'Deleting', 'PendingImport')"
            + " AND owner_node IN ("
            + live
            + ") UNION SELECT material_id FROM key_rotations WHERE rotation_state = 'Creating'"
            + " AND owner_node IN ("
            + live
            + ") UNION SELECT work_id FROM work_leases WHERE node_id IN ("
            + live
            + ")";
    Set<String> ids = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < 3; i++) {
        ps.setLong(2 * i + 1, leaseMillis);
        ps.setString(2 * i + 2, except == null ? "" : except);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
    }
    return ids;
  }

  /** The owner of a key row's unfinished work, written with the row. */
  static void ownCreatingKey(Connection c, String keyId, String nodeId) throws SQLException {
    update(
        c,
        "UPDATE keys SET owner_node = ? WHERE key_id = ? AND key_state = 'Creating'",
        nodeId,
        keyId);
  }

  static void ownKey(Connection c, String keyId, String nodeId) throws SQLException {
    update(c, "UPDATE keys SET owner_node = ? WHERE key_id = ?", nodeId, keyId);
  }

  static void ownRotation(Connection c, String materialId, String nodeId) throws SQLException {
    update(
        c,
        "UPDATE key_rotations SET owner_node = ? WHERE material_id = ? AND rotation_state ="
            + " 'Creating'",
        nodeId,
        materialId);
  }

  static boolean beginDeletion(Connection c, String keyId, long deletionDate, String nodeId)
      throws SQLException {
    return update(
            c,
            "UPDATE keys SET key_state = 'Deleting', owner_node = ? WHERE key_id = ? AND key_state"
                + " = 'PendingDeletion' AND deletion_date = ?",
            nodeId,
            keyId,
            deletionDate)
        == 1;
  }

  boolean takeLease(Connection c, String workId, String nodeId) throws SQLException {
    return update(
            c,
            "INSERT INTO work_leases (work_id, node_id, taken_at) VALUES (?, ?, "
                + now
                + ") ON CONFLICT (work_id) DO NOTHING",
            workId,
            nodeId)
        == 1;
  }

  static void releaseLease(Connection c, String workId) throws SQLException {
    update(c, "DELETE FROM work_leases WHERE work_id = ?", workId);
  }

  static long usage(Connection c, String materialId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT encryptions FROM material_usage WHERE material_id = ?")) {
      ps.setString(1, materialId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  /** Adds to the reservation in the database (never a value computed by a node) and reads it. */
  static long addUsage(Connection c, String materialId, long count) throws SQLException {
    update(
        c,
        "INSERT INTO material_usage (material_id, encryptions) VALUES (?, ?) ON CONFLICT"
            + " (material_id) DO UPDATE SET encryptions = material_usage.encryptions +"
            + " excluded.encryptions",
        materialId,
        count);
    return usage(c, materialId);
  }

  static boolean returnUsage(Connection c, String materialId, long upTo, long unused)
      throws SQLException {
    return update(
            c,
            "UPDATE material_usage SET encryptions = encryptions - ? WHERE material_id = ? AND"
                + " encryptions = ?",
            unused,
            materialId,
            upTo)
        == 1;
  }

  private static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        if (args[i] instanceof Long l) {
          ps.setLong(i + 1, l);
        } else {
          ps.setString(i + 1, (String) args[i]);
        }
      }
      return ps.executeUpdate();
    }
  }
}
