package org.hsmkms.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MaterialRecord;
import org.hsmkms.store.StoreConflictException;

/**
 * The rows of the {@code keys} and {@code key_materials} tables: their SQL, and their mapping to
 * {@link KeyRecord} and {@link MaterialRecord}.
 *
 * <p>Each method runs on the connection it is given, inside the caller's transaction; a {@code
 * *Transactions} class chooses the connection and checks the arguments.
 */
final class KeyRows {

  // Never listed by ListKeys: rows of a CreateKey or a deletion that has not finished.
  private static final String CREATING = "Creating";
  private static final String DELETING = "Deleting";

  /** The columns {@link #readKeys} reads, by name. */
  private static final String KEY_COLUMNS =
      "key_id, account, region, key_state, key_spec, key_usage, origin, description, policy,"
          + " creation_date, deletion_date, pending_window_days, current_material_id, version";

  /** The columns {@link #readMaterial} reads, in its order. */
  private static final String MATERIAL_COLUMNS = "material_id, key_id, creation_date";

  private static final String INSERT_KEY =
      "INSERT INTO keys (" + KEY_COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  private static final String INSERT_MATERIAL =
      "INSERT INTO key_materials (" + MATERIAL_COLUMNS + ") VALUES (?, ?, ?)";
  private static final String FIND_KEY = "SELECT " + KEY_COLUMNS + " FROM keys WHERE key_id = ?";
  private static final String UPDATE_KEY =
      "UPDATE keys SET key_state = ?, description = ?, policy = ?,"
          + " deletion_date = ?, pending_window_days = ?, current_material_id = ?,"
          + " version = version + 1"
          + " WHERE key_id = ? AND version = ?";
  private static final String KEY_EXISTS = "SELECT 1 FROM keys WHERE key_id = ?";
  private static final String DELETE_MATERIALS = "DELETE FROM key_materials WHERE key_id = ?";
  private static final String DELETE_KEY = "DELETE FROM keys WHERE key_id = ?";
  private static final String LIST_KEYS_WHERE =
      "SELECT "
          + KEY_COLUMNS
          + " FROM keys WHERE account = ? AND region = ? AND key_state NOT IN (?, ?)";
  private static final String COUNT_KEYS =
      "SELECT COUNT(*) FROM keys WHERE account = ? AND region = ? AND key_state NOT IN (?, ?)";
  private static final String LIST_KEYS = LIST_KEYS_WHERE + " ORDER BY key_id LIMIT ?";
  private static final String LIST_KEYS_AFTER =
      LIST_KEYS_WHERE + " AND key_id > ? ORDER BY key_id LIMIT ?";
  // The placeholders of the IN list go between the two parts, one per state.
  private static final String KEYS_IN_STATES_HEAD =
      "SELECT " + KEY_COLUMNS + " FROM keys WHERE key_state IN (";
  private static final String KEYS_IN_STATES_TAIL = ") ORDER BY key_id";
  private static final String ALL_KEYS = "SELECT " + KEY_COLUMNS + " FROM keys ORDER BY key_id";
  private static final String MATERIALS =
      "SELECT "
          + MATERIAL_COLUMNS
          + " FROM key_materials"
          + " WHERE key_id = ? ORDER BY creation_date, material_id";
  private static final String ALL_MATERIALS =
      "SELECT "
          + MATERIAL_COLUMNS
          + " FROM key_materials"
          + " ORDER BY key_id, creation_date, material_id";

  private static final String KEYS_WITH_ID_PREFIX =
      "SELECT " + KEY_COLUMNS + " FROM keys WHERE key_id LIKE ? ORDER BY key_id";
  private static final String MOVE_MATERIALS =
      "UPDATE key_materials SET key_id = ? WHERE key_id = ?";

  private KeyRows() {}

  /** Inserts the key row, then its first material row. */
  static void insert(Connection c, KeyRecord key, MaterialRecord firstMaterial)
      throws SQLException {
    insertRow(c, key);
    try (PreparedStatement ps = c.prepareStatement(INSERT_MATERIAL)) {
      ps.setString(1, firstMaterial.materialId());
      ps.setString(2, firstMaterial.keyId());
      Columns.setInstant(ps, 3, firstMaterial.creationDate());
      ps.executeUpdate();
    }
  }

  /** Inserts the key row alone (a multi-Region replica, whose materials are the primary's). */
  static void insertRow(Connection c, KeyRecord key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT_KEY)) {
      ps.setString(1, key.keyId());
      ps.setString(2, key.account());
      ps.setString(3, key.region());
      ps.setString(4, key.keyState());
      ps.setString(5, key.keySpec());
      ps.setString(6, key.keyUsage());
      ps.setString(7, key.origin());
      ps.setString(8, key.description());
      ps.setString(9, key.policy());
      Columns.setInstant(ps, 10, key.creationDate());
      Columns.setNullableInstant(ps, 11, key.deletionDate());
      Columns.setNullableInteger(ps, 12, key.pendingWindowDays());
      ps.setString(13, key.currentMaterialId());
      ps.setLong(14, key.version());
      ps.executeUpdate();
    }
  }

  static Optional<KeyRecord> find(Connection c, String keyId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(FIND_KEY)) {
      ps.setString(1, keyId);
      List<KeyRecord> keys = readKeys(ps);
      return keys.isEmpty() ? Optional.empty() : Optional.of(keys.get(0));
    }
  }

  /**
   * Writes the mutable columns of the row with {@code key}'s id if its version is still {@code
   * key.version()}, and raises the version by one (a compare-and-set).
   *
   * @return false if there is no such row
   * @throws StoreConflictException if the row's version is another: it changed since it was read
   */
  static boolean update(Connection c, KeyRecord key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(UPDATE_KEY)) {
      ps.setString(1, key.keyState());
      ps.setString(2, key.description());
      ps.setString(3, key.policy());
      Columns.setNullableInstant(ps, 4, key.deletionDate());
      Columns.setNullableInteger(ps, 5, key.pendingWindowDays());
      ps.setString(6, key.currentMaterialId());
      ps.setString(7, key.keyId());
      ps.setLong(8, key.version());
      if (ps.executeUpdate() == 1) {
        return true;
      }
    }
    try (PreparedStatement ps = c.prepareStatement(KEY_EXISTS)) {
      ps.setString(1, key.keyId());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return false;
        }
      }
    }
    throw new StoreConflictException(
        "updateKey " + key.keyId() + " failed: the row changed since version " + key.version());
  }

  /**
   * Deletes the key's material rows, then its key row; nothing if there is none. The key's aliases
   * and tags must be gone first: the foreign keys refuse the key row while they exist.
   */
  static void delete(Connection c, String keyId) throws SQLException {
    deleteByKeyId(c, DELETE_MATERIALS, keyId);
    deleteByKeyId(c, DELETE_KEY, keyId);
  }

  private static void deleteByKeyId(Connection c, String sql, String keyId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, keyId);
      ps.executeUpdate();
    }
  }

  /**
   * Keys of one account and region in key id order, after {@code afterKeyId} when it is non-null,
   * at most {@code limit}; without the internal states Creating and Deleting.
   */
  static List<KeyRecord> list(
      Connection c, String account, String region, String afterKeyId, int limit)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(afterKeyId == null ? LIST_KEYS : LIST_KEYS_AFTER)) {
      int i = 1;
      ps.setString(i++, account);
      ps.setString(i++, region);
      ps.setString(i++, CREATING);
      ps.setString(i++, DELETING);
      if (afterKeyId != null) {
        ps.setString(i++, afterKeyId);
      }
      ps.setInt(i, limit);
      return readKeys(ps);
    }
  }

  /** How many keys {@link #list} would list in all. */
  static int count(Connection c, String account, String region) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(COUNT_KEYS)) {
      ps.setString(1, account);
      ps.setString(2, region);
      ps.setString(3, CREATING);
      ps.setString(4, DELETING);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** Keys of every account and region whose state is one of {@code states} (not empty). */
  static List<KeyRecord> inStates(Connection c, List<String> states) throws SQLException {
    String sql =
        KEYS_IN_STATES_HEAD
            + String.join(", ", Collections.nCopies(states.size(), "?"))
            + KEYS_IN_STATES_TAIL;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < states.size(); i++) {
        ps.setString(i + 1, states.get(i));
      }
      return readKeys(ps);
    }
  }

  static List<KeyRecord> all(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(ALL_KEYS)) {
      return readKeys(ps);
    }
  }

  /** One key's materials, oldest first. */
  static List<MaterialRecord> materials(Connection c, String keyId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(MATERIALS)) {
      ps.setString(1, keyId);
      List<MaterialRecord> materials = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          materials.add(readMaterial(rs));
        }
      }
      return List.copyOf(materials);
    }
  }

  /** Every key's materials by key id, each list oldest first. */
  static Map<String, List<MaterialRecord>> allMaterials(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(ALL_MATERIALS)) {
      Map<String, List<MaterialRecord>> byKey = new HashMap<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          MaterialRecord m = readMaterial(rs);
          byKey.computeIfAbsent(m.keyId(), k -> new ArrayList<>()).add(m);
        }
      }
      byKey.replaceAll((k, v) -> List.copyOf(v));
      return byKey;
    }
  }

  /**
   * The keys whose row id starts with {@code prefix} (which holds no LIKE wildcard), in key id
   * order: every region's row of a multi-Region key.
   */
  static List<KeyRecord> withIdPrefix(Connection c, String prefix) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(KEYS_WITH_ID_PREFIX)) {
      ps.setString(1, prefix + "%");
      return readKeys(ps);
    }
  }

  /** Re-attaches every material row of {@code fromKeyId} to {@code toKeyId}. */
  static void moveMaterials(Connection c, String fromKeyId, String toKeyId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(MOVE_MATERIALS)) {
      ps.setString(1, toKeyId);
      ps.setString(2, fromKeyId);
      ps.executeUpdate();
    }
  }

  private static MaterialRecord readMaterial(ResultSet rs) throws SQLException {
    return new MaterialRecord(rs.getString(1), rs.getString(2), Columns.getInstant(rs, 3));
  }

  private static List<KeyRecord> readKeys(PreparedStatement ps) throws SQLException {
    List<KeyRecord> keys = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        keys.add(
            new KeyRecord(
                rs.getString("key_id"),
                rs.getString("account"),
                rs.getString("region"),
                rs.getString("key_state"),
                rs.getString("key_spec"),
                rs.getString("key_usage"),
                rs.getString("origin"),
                rs.getString("description"),
                rs.getString("policy"),
                Columns.getInstant(rs, "creation_date"),
                Columns.getNullableInstant(rs, "deletion_date"),
                Columns.getNullableInteger(rs, "pending_window_days"),
                rs.getString("current_material_id"),
                rs.getLong("version")));
      }
    }
    return List.copyOf(keys);
  }
}
