package org.hsmkms.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.RotationClaim;
import org.hsmkms.store.RotationRecord;
import org.hsmkms.store.RotationSchedule;
import org.hsmkms.store.StoreException;

/**
 * The rows of {@code key_rotation_schedules}, {@code key_rotations} and {@code material_usage}
 * (V3): their SQL and their mapping to records.
 *
 * <p>Each method runs on the connection it is given, inside the caller's transaction; a {@code
 * *Transactions} class chooses the connection. {@link #claim} and {@link #complete} read and write
 * in that one transaction, which is what makes a claim exclusive.
 */
final class RotationRows {
  private static final String CREATING = "Creating";
  private static final String COMPLETED = "Completed";

  private static final String SCHEDULE_COLUMNS = "key_id, rotation_period_days, next_rotation_date";
  private static final String ROTATION_COLUMNS =
      "material_id, key_id, rotation_type, rotation_state, rotation_date";

  private static final String FIND_SCHEDULE =
      "SELECT " + SCHEDULE_COLUMNS + " FROM key_rotation_schedules WHERE key_id = ?";
  private static final String PUT_SCHEDULE =
      "INSERT INTO key_rotation_schedules ("
          + SCHEDULE_COLUMNS
          + ") VALUES (?, ?, ?) ON CONFLICT (key_id) DO UPDATE SET"
          + " rotation_period_days = excluded.rotation_period_days,"
          + " next_rotation_date = excluded.next_rotation_date";
  private static final String DELETE_SCHEDULE =
      "DELETE FROM key_rotation_schedules WHERE key_id = ?";
  private static final String DUE_SCHEDULES =
      "SELECT "
          + SCHEDULE_COLUMNS
          + " FROM key_rotation_schedules WHERE next_rotation_date <= ?"
          + " ORDER BY next_rotation_date, key_id";
  private static final String SET_NEXT_DATE =
      "UPDATE key_rotation_schedules SET next_rotation_date = ? WHERE key_id = ?";

  private static final String INSERT_ROTATION =
      "INSERT INTO key_rotations ("
          + ROTATION_COLUMNS
          + ", rotation_seq) VALUES (?, ?, ?, ?, ?,"
          + " (SELECT COALESCE(MAX(rotation_seq), 0) + 1 FROM key_rotations WHERE key_id = ?))";
  private static final String FIND_ROTATION =
      "SELECT " + ROTATION_COLUMNS + " FROM key_rotations WHERE material_id = ?";
  private static final String UNFINISHED_OF_KEY =
      "SELECT COUNT(*) FROM key_rotations WHERE key_id = ? AND rotation_state = ?";
  private static final String COUNT_OF_CAUSE =
      "SELECT COUNT(*) FROM key_rotations WHERE key_id = ? AND rotation_type = ?"
          + " AND rotation_state = ?";
  private static final String MARK_COMPLETED =
      "UPDATE key_rotations SET rotation_state = ? WHERE material_id = ?";
  private static final String DELETE_ROTATION = "DELETE FROM key_rotations WHERE material_id = ?";
  private static final String ROTATIONS_OF_KEY =
      "SELECT " + ROTATION_COLUMNS + " FROM key_rotations WHERE key_id = ? ORDER BY rotation_seq";
  private static final String UNFINISHED =
      "SELECT "
          + ROTATION_COLUMNS
          + " FROM key_rotations WHERE rotation_state = ? ORDER BY key_id, rotation_seq";
  private static final String DELETE_ROTATIONS_OF_KEY =
      "DELETE FROM key_rotations WHERE key_id = ?";

  // The switch to a new material: the same two rows CreateKey writes for its first one. The key
  // row's version goes up, so that a change read before the rotation cannot put the old material
  // back (its compare-and-set fails and it reads the row again).
  private static final String INSERT_MATERIAL =
      "INSERT INTO key_materials (material_id, key_id, creation_date) VALUES (?, ?, ?)";
  private static final String SET_CURRENT_MATERIAL =
      "UPDATE keys SET current_material_id = ?, version = version + 1 WHERE key_id = ?";

  // A multi-Region key's regions share its material: every region's row (row ids
  // mrk-<hex>/<region>)
  // gets the new current material in the same transaction.
  private static final String SET_CURRENT_MATERIAL_OF_REGIONS =
      "UPDATE keys SET current_material_id = ?, version = version + 1 WHERE key_id LIKE ?";

  private static final String USAGE =
      "SELECT encryptions FROM material_usage WHERE material_id = ?";
  private static final String PUT_USAGE =
      "INSERT INTO material_usage (material_id, encryptions) VALUES (?, ?)"
          + " ON CONFLICT (material_id) DO UPDATE SET encryptions = excluded.encryptions";
  private static final String DELETE_USAGE_OF_KEY =
      "DELETE FROM material_usage WHERE material_id IN"
          + " (SELECT material_id FROM key_materials WHERE key_id = ?"
          + " UNION SELECT material_id FROM key_rotations WHERE key_id = ?)";

  private RotationRows() {}

  static Optional<RotationSchedule> findSchedule(Connection c, String keyId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(FIND_SCHEDULE)) {
      ps.setString(1, keyId);
      List<RotationSchedule> found = readSchedules(ps);
      return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }
  }

  static void putSchedule(Connection c, RotationSchedule s) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(PUT_SCHEDULE)) {
      ps.setString(1, s.keyId());
      ps.setInt(2, s.periodDays());
      Columns.setInstant(ps, 3, s.nextRotationDate());
      ps.executeUpdate();
    }
  }

  static void deleteSchedule(Connection c, String keyId) throws SQLException {
    update(c, DELETE_SCHEDULE, keyId);
  }

  static List<RotationSchedule> dueSchedules(Connection c, Instant now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(DUE_SCHEDULES)) {
      Columns.setInstant(ps, 1, now);
      return readSchedules(ps);
    }
  }

  /**
   * Writes {@code rotation} as Creating if no other rotation of its key is unfinished, an on-demand
   * one only below {@code onDemandLimit} completed ones, a scheduled one only while its schedule is
   * due at the rotation's date.
   */
  static RotationClaim claim(Connection c, RotationRecord rotation, int onDemandLimit)
      throws SQLException {
    String keyId = rotation.keyId();
    if (count(c, UNFINISHED_OF_KEY, keyId, CREATING) > 0) {
      return RotationClaim.IN_PROGRESS;
    }
    if (RotationRecord.ON_DEMAND.equals(rotation.cause())
        && count(c, COUNT_OF_CAUSE, keyId, RotationRecord.ON_DEMAND, COMPLETED) >= onDemandLimit) {
      return RotationClaim.LIMIT_REACHED;
    }
    if (RotationRecord.SCHEDULED.equals(rotation.cause())) {
      Optional<RotationSchedule> s = findSchedule(c, keyId);
      if (s.isEmpty() || s.get().nextRotationDate().isAfter(rotation.rotationDate())) {
        return RotationClaim.NOT_DUE;
      }
    }
    try (PreparedStatement ps = c.prepareStatement(INSERT_ROTATION)) {
      ps.setString(1, rotation.materialId());
      ps.setString(2, keyId);
      ps.setString(3, rotation.cause());
      ps.setString(4, CREATING);
      Columns.setInstant(ps, 5, rotation.rotationDate());
      ps.setString(6, keyId);
      ps.executeUpdate();
    }
    return RotationClaim.CLAIMED;
  }

  /**
   * Makes a claimed rotation's material the key's current one: the material row, the key's current
   * material and the rotation's state; a scheduled rotation also moves its schedule on by the
   * period (from the due date, or from {@code now} if that is still in the past).
   */
  static RotationRecord complete(Connection c, String materialId, Instant now) throws SQLException {
    RotationRecord r =
        findRotation(c, materialId)
            .orElseThrow(() -> new StoreException("completeRotation: no such rotation"));
    if (r.completed()) {
      return r;
    }
    try (PreparedStatement ps = c.prepareStatement(INSERT_MATERIAL)) {
      ps.setString(1, materialId);
      ps.setString(2, r.keyId());
      Columns.setInstant(ps, 3, r.rotationDate());
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement(SET_CURRENT_MATERIAL)) {
      ps.setString(1, materialId);
      ps.setString(2, r.keyId());
      if (ps.executeUpdate() != 1) {
        throw new StoreException("completeRotation " + r.keyId() + ": no such key");
      }
    }
    int slash = r.keyId().indexOf('/');
    if (r.keyId().startsWith(KeyRecord.MULTI_REGION_PREFIX) && slash > 0) {
      try (PreparedStatement ps = c.prepareStatement(SET_CURRENT_MATERIAL_OF_REGIONS)) {
        ps.setString(1, materialId);
        ps.setString(2, r.keyId().substring(0, slash + 1) + "%");
        ps.executeUpdate();
      }
    }
    try (PreparedStatement ps = c.prepareStatement(MARK_COMPLETED)) {
      ps.setString(1, COMPLETED);
      ps.setString(2, materialId);
      ps.executeUpdate();
    }
    if (RotationRecord.SCHEDULED.equals(r.cause())) {
      Optional<RotationSchedule> s = findSchedule(c, r.keyId());
      // Only a schedule still due at the rotation's date: never moved twice for one rotation.
      if (s.isPresent() && !s.get().nextRotationDate().isAfter(r.rotationDate())) {
        Duration period = Duration.ofDays(s.get().periodDays());
        Instant next = s.get().nextRotationDate().plus(period);
        if (!next.isAfter(now)) {
          next = now.plus(period);
        }
        try (PreparedStatement ps = c.prepareStatement(SET_NEXT_DATE)) {
          Columns.setInstant(ps, 1, next);
          ps.setString(2, r.keyId());
          ps.executeUpdate();
        }
      }
    }
    return new RotationRecord(materialId, r.keyId(), r.cause(), true, r.rotationDate());
  }

  static void deleteRotation(Connection c, String materialId) throws SQLException {
    update(c, DELETE_ROTATION, materialId);
  }

  static Optional<RotationRecord> findRotation(Connection c, String materialId)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(FIND_ROTATION)) {
      ps.setString(1, materialId);
      List<RotationRecord> found = readRotations(ps);
      return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }
  }

  static List<RotationRecord> ofKey(Connection c, String keyId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(ROTATIONS_OF_KEY)) {
      ps.setString(1, keyId);
      return readRotations(ps);
    }
  }

  static List<RotationRecord> unfinished(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(UNFINISHED)) {
      ps.setString(1, CREATING);
      return readRotations(ps);
    }
  }

  /** Removes the key's schedule, rotations and usage counts (before its key row goes). */
  static void deleteOfKey(Connection c, String keyId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(DELETE_USAGE_OF_KEY)) {
      ps.setString(1, keyId);
      ps.setString(2, keyId);
      ps.executeUpdate();
    }
    update(c, DELETE_ROTATIONS_OF_KEY, keyId);
    update(c, DELETE_SCHEDULE, keyId);
  }

  static long usage(Connection c, String materialId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(USAGE)) {
      ps.setString(1, materialId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0L;
      }
    }
  }

  static void putUsage(Connection c, String materialId, long encryptions) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(PUT_USAGE)) {
      ps.setString(1, materialId);
      ps.setLong(2, encryptions);
      ps.executeUpdate();
    }
  }

  private static void update(Connection c, String sql, String arg) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, arg);
      ps.executeUpdate();
    }
  }

  private static long count(Connection c, String sql, String... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static List<RotationSchedule> readSchedules(PreparedStatement ps) throws SQLException {
    List<RotationSchedule> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(
            new RotationSchedule(
                rs.getString("key_id"),
                rs.getInt("rotation_period_days"),
                Columns.getInstant(rs, "next_rotation_date")));
      }
    }
    return out;
  }

  private static List<RotationRecord> readRotations(PreparedStatement ps) throws SQLException {
    List<RotationRecord> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(
            new RotationRecord(
                rs.getString("material_id"),
                rs.getString("key_id"),
                rs.getString("rotation_type"),
                COMPLETED.equals(rs.getString("rotation_state")),
                Columns.getInstant(rs, "rotation_date")));
      }
    }
    return out;
  }
}
