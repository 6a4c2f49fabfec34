package org.hsmkms.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import org.hsmkms.store.KeyUsageRecord;

/**
 * The rows of {@code key_last_usage} and {@code key_usage_tracking} (GetKeyLastUsage): their SQL
 * and their mapping to {@link KeyUsageRecord}.
 *
 * <p>Each method runs on the connection it is given, inside the caller's transaction; a {@code
 * *Transactions} class chooses the connection and checks the arguments.
 */
final class KeyUsageRows {

  // A row is only ever replaced by a later use: a flush that lost a race to a newer one, or a
  // second node with a slower clock, cannot move a key's last use back in time.
  private static final String SAVE =
      "INSERT INTO key_last_usage (key_id, operation, used_at, request_id) VALUES (?, ?, ?, ?)"
          + " ON CONFLICT (key_id) DO UPDATE SET operation = excluded.operation,"
          + " used_at = excluded.used_at, request_id = excluded.request_id"
          + " WHERE excluded.used_at >= key_last_usage.used_at";
  private static final String FIND =
      "SELECT operation, used_at, request_id FROM key_last_usage WHERE key_id = ?";
  private static final String START =
      "INSERT INTO key_usage_tracking (id, started_at) VALUES (1, ?) ON CONFLICT (id) DO NOTHING";
  private static final String STARTED = "SELECT started_at FROM key_usage_tracking WHERE id = 1";

  private KeyUsageRows() {}

  /** Writes each usage in one batch, keeping a stored later use of the same key. */
  static void save(Connection c, Collection<KeyUsageRecord> usages) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SAVE)) {
      for (KeyUsageRecord u : usages) {
        ps.setString(1, u.keyId());
        ps.setString(2, u.operation());
        Columns.setInstant(ps, 3, u.usedAt());
        ps.setString(4, u.requestId());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  static Optional<KeyUsageRecord> find(Connection c, String keyId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(FIND)) {
      ps.setString(1, keyId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new KeyUsageRecord(keyId, rs.getString(1), Columns.getInstant(rs, 2), rs.getString(3)));
      }
    }
  }

  /** The recorded start of tracking, recording {@code now} first if there is none. */
  static Instant trackingStart(Connection c, Instant now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(START)) {
      Columns.setInstant(ps, 1, now);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement(STARTED);
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("key_usage_tracking has no row after its insert");
      }
      return Columns.getInstant(rs, 1);
    }
  }
}
