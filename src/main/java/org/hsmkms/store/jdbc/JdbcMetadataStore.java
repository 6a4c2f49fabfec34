package org.hsmkms.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.hsmkms.store.AliasRecord;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MaterialRecord;
import org.hsmkms.store.MetadataStore;
import org.hsmkms.store.StoreException;

/**
 * {@link MetadataStore} over JDBC. The embedded default is a SQLite file ({@code
 * jdbc:sqlite:/path/metadata.db}) in WAL mode; the SQL is kept portable to PostgreSQL.
 *
 * <p>The constructor creates the database file's directory if needed and applies the {@link
 * Migrations} before the store is usable; a database newer than this build is refused. Writes go
 * through one connection, one transaction per call; reads use a small set of read connections and
 * run concurrently with each other and with writes.
 *
 * <p>Instants are stored as epoch milliseconds, so precision below a millisecond is dropped.
 *
 * <p>Security: the store holds ids of HSM objects, never key material. {@link StoreException}
 * messages name the operation and key id or alias name only, never descriptions, policies or tag
 * values, and never the JDBC URL or password.
 */
public final class JdbcMetadataStore implements MetadataStore {

  /** Read connections kept when none is given; enough for a worker pool of 8-16 threads. */
  public static final int DEFAULT_READ_CONNECTIONS = 4;

  // Never listed by ListKeys: rows of a CreateKey or a deletion that has not finished.
  private static final String CREATING = "Creating";
  private static final String DELETING = "Deleting";

  private static final String KEY_COLUMNS =
      "key_id, account, region, key_state, key_spec, key_usage, origin, description, policy,"
          + " creation_date, deletion_date, pending_window_days, current_material_id";
  private static final String ALIAS_COLUMNS =
      "account, region, alias_name, target_key_id, creation_date, last_updated_date";

  private final Connections connections;

  /** Opens the database at {@code jdbcUrl} without credentials (as SQLite needs). */
  public JdbcMetadataStore(String jdbcUrl) {
    this(jdbcUrl, null, null, DEFAULT_READ_CONNECTIONS);
  }

  /** Opens the database at {@code jdbcUrl} with credentials; either may be null. */
  public JdbcMetadataStore(String jdbcUrl, String user, String password) {
    this(jdbcUrl, user, password, DEFAULT_READ_CONNECTIONS);
  }

  /**
   * Opens the database and migrates its schema.
   *
   * @param readConnections how many read connections to keep open (at least 1)
   * @throws StoreException if the database cannot be opened, configured or migrated
   */
  public JdbcMetadataStore(String jdbcUrl, String user, String password, int readConnections) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    if (readConnections < 1) {
      throw new IllegalArgumentException("readConnections must be at least 1");
    }
    this.connections =
        Connections.open(jdbcUrl, user, password, readConnections, Migrations.fromClasspath());
  }

  @Override
  public void insertKey(KeyRecord key, MaterialRecord firstMaterial) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(firstMaterial, "firstMaterial");
    if (!key.keyId().equals(firstMaterial.keyId())) {
      throw new IllegalArgumentException("first material belongs to a different key");
    }
    connections.write(
        "insertKey " + key.keyId(),
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO keys (" + KEY_COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, key.keyId());
            ps.setString(2, key.account());
            ps.setString(3, key.region());
            ps.setString(4, key.keyState());
            ps.setString(5, key.keySpec());
            ps.setString(6, key.keyUsage());
            ps.setString(7, key.origin());
            ps.setString(8, key.description());
            ps.setString(9, key.policy());
            ps.setLong(10, key.creationDate().toEpochMilli());
            setInstant(ps, 11, key.deletionDate());
            setInteger(ps, 12, key.pendingWindowDays());
            ps.setString(13, key.currentMaterialId());
            ps.executeUpdate();
          }
          insertMaterial(c, firstMaterial);
          return null;
        });
  }

  @Override
  public Optional<KeyRecord> findKey(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    return connections.read(
        "findKey " + keyId,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT " + KEY_COLUMNS + " FROM keys WHERE key_id = ?")) {
            ps.setString(1, keyId);
            List<KeyRecord> keys = readKeys(ps);
            return keys.isEmpty() ? Optional.empty() : Optional.of(keys.get(0));
          }
        });
  }

  @Override
  public Map<String, List<MaterialRecord>> allMaterials() {
    return connections.read(
        "allMaterials",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT "
                      + MATERIAL_COLUMNS
                      + " FROM key_materials"
                      + " ORDER BY key_id, creation_date, material_id")) {
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
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>The key id, account, region, spec, usage, origin and creation date of {@code key} are not
   * written; the row is found by key id.
   *
   * @throws StoreException if there is no key with that id
   */
  @Override
  public void updateKey(KeyRecord key) {
    Objects.requireNonNull(key, "key");
    String operation = "updateKey " + key.keyId();
    connections.write(
        operation,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE keys SET key_state = ?, description = ?, policy = ?,"
                      + " deletion_date = ?, pending_window_days = ?, current_material_id = ?"
                      + " WHERE key_id = ?")) {
            ps.setString(1, key.keyState());
            ps.setString(2, key.description());
            ps.setString(3, key.policy());
            setInstant(ps, 4, key.deletionDate());
            setInteger(ps, 5, key.pendingWindowDays());
            ps.setString(6, key.currentMaterialId());
            ps.setString(7, key.keyId());
            if (ps.executeUpdate() != 1) {
              throw new StoreException(operation + " failed: no such key");
            }
          }
          return null;
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Deleting a key that does not exist does nothing, so a deletion interrupted after this call
   * can be completed again at start-up.
   */
  @Override
  public void deleteKey(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    connections.write(
        "deleteKey " + keyId,
        c -> {
          // Children first: the foreign keys would refuse the key row while they exist.
          for (String sql :
              List.of(
                  "DELETE FROM tags WHERE key_id = ?",
                  "DELETE FROM aliases WHERE target_key_id = ?",
                  "DELETE FROM key_materials WHERE key_id = ?",
                  "DELETE FROM keys WHERE key_id = ?")) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
              ps.setString(1, keyId);
              ps.executeUpdate();
            }
          }
          return null;
        });
  }

  @Override
  public List<KeyRecord> listKeys(String account, String region, String afterKeyId, int limit) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(region, "region");
    requirePositive(limit);
    String sql =
        "SELECT "
            + KEY_COLUMNS
            + " FROM keys WHERE account = ? AND region = ? AND key_state NOT IN (?, ?)"
            + (afterKeyId == null ? "" : " AND key_id > ?")
            + " ORDER BY key_id LIMIT ?";
    return connections.read(
        "listKeys",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
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
        });
  }

  @Override
  public List<KeyRecord> keysInStates(Set<String> states) {
    Objects.requireNonNull(states, "states");
    if (states.isEmpty()) {
      return List.of();
    }
    List<String> stateList = List.copyOf(states);
    String placeholders = String.join(", ", Collections.nCopies(stateList.size(), "?"));
    String sql =
        "SELECT "
            + KEY_COLUMNS
            + " FROM keys WHERE key_state IN ("
            + placeholders
            + ") ORDER BY key_id";
    return connections.read(
        "keysInStates",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < stateList.size(); i++) {
              ps.setString(i + 1, stateList.get(i));
            }
            return readKeys(ps);
          }
        });
  }

  @Override
  public List<KeyRecord> allKeys() {
    return connections.read(
        "allKeys",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT " + KEY_COLUMNS + " FROM keys ORDER BY key_id")) {
            return readKeys(ps);
          }
        });
  }

  /** {@inheritDoc} Oldest first. */
  @Override
  public List<MaterialRecord> materials(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    return connections.read(
        "materials " + keyId,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT "
                      + MATERIAL_COLUMNS
                      + " FROM key_materials"
                      + " WHERE key_id = ? ORDER BY creation_date, material_id")) {
            ps.setString(1, keyId);
            List<MaterialRecord> materials = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                materials.add(readMaterial(rs));
              }
            }
            return List.copyOf(materials);
          }
        });
  }

  /**
   * {@inheritDoc}
   *
   * @throws StoreException if the target key does not exist
   */
  @Override
  public boolean insertAlias(AliasRecord alias) {
    requireComplete(alias);
    return connections.write(
        "insertAlias " + alias.aliasName(),
        c -> {
          // ON CONFLICT (SQLite 3.24+, PostgreSQL 9.5+) reports a taken name as 0 rows instead of
          // an exception, so no driver-specific error code or message has to be recognised.
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO aliases ("
                      + ALIAS_COLUMNS
                      + ") VALUES (?,?,?,?,?,?)"
                      + " ON CONFLICT (account, region, alias_name) DO NOTHING")) {
            ps.setString(1, alias.account());
            ps.setString(2, alias.region());
            ps.setString(3, alias.aliasName());
            ps.setString(4, alias.targetKeyId());
            ps.setLong(5, alias.creationDate().toEpochMilli());
            ps.setLong(6, alias.lastUpdatedDate().toEpochMilli());
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public Optional<AliasRecord> findAlias(String account, String region, String aliasName) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(aliasName, "aliasName");
    return connections.read(
        "findAlias " + aliasName,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT "
                      + ALIAS_COLUMNS
                      + " FROM aliases WHERE account = ? AND region = ? AND alias_name = ?")) {
            ps.setString(1, account);
            ps.setString(2, region);
            ps.setString(3, aliasName);
            List<AliasRecord> aliases = readAliases(ps);
            return aliases.isEmpty() ? Optional.empty() : Optional.of(aliases.get(0));
          }
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Writes the target key id and last-updated date; the creation date is kept.
   *
   * @throws StoreException if the new target key does not exist
   */
  @Override
  public boolean updateAlias(AliasRecord alias) {
    requireComplete(alias);
    return connections.write(
        "updateAlias " + alias.aliasName(),
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE aliases SET target_key_id = ?, last_updated_date = ?"
                      + " WHERE account = ? AND region = ? AND alias_name = ?")) {
            ps.setString(1, alias.targetKeyId());
            ps.setLong(2, alias.lastUpdatedDate().toEpochMilli());
            ps.setString(3, alias.account());
            ps.setString(4, alias.region());
            ps.setString(5, alias.aliasName());
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public boolean deleteAlias(String account, String region, String aliasName) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(aliasName, "aliasName");
    return connections.write(
        "deleteAlias " + aliasName,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "DELETE FROM aliases WHERE account = ? AND region = ? AND alias_name = ?")) {
            ps.setString(1, account);
            ps.setString(2, region);
            ps.setString(3, aliasName);
            return ps.executeUpdate() == 1;
          }
        });
  }

  @Override
  public List<AliasRecord> listAliases(
      String account, String region, String keyId, String afterAliasName, int limit) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(region, "region");
    requirePositive(limit);
    String sql =
        "SELECT "
            + ALIAS_COLUMNS
            + " FROM aliases WHERE account = ? AND region = ?"
            + (keyId == null ? "" : " AND target_key_id = ?")
            + (afterAliasName == null ? "" : " AND alias_name > ?")
            + " ORDER BY alias_name LIMIT ?";
    return connections.read(
        keyId == null ? "listAliases" : "listAliases " + keyId,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            ps.setString(i++, account);
            ps.setString(i++, region);
            if (keyId != null) {
              ps.setString(i++, keyId);
            }
            if (afterAliasName != null) {
              ps.setString(i++, afterAliasName);
            }
            ps.setInt(i, limit);
            return readAliases(ps);
          }
        });
  }

  /**
   * {@inheritDoc}
   *
   * @throws StoreException if the key does not exist
   */
  @Override
  public void putTags(String keyId, Map<String, String> tags) {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(tags, "tags");
    if (tags.isEmpty()) {
      return;
    }
    Map<String, String> copy = new TreeMap<>(tags);
    copy.forEach(
        (k, v) -> {
          Objects.requireNonNull(k, "tag key");
          Objects.requireNonNull(v, "tag value");
        });
    connections.write(
        "putTags " + keyId,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO tags (key_id, tag_key, tag_value) VALUES (?, ?, ?)"
                      + " ON CONFLICT (key_id, tag_key)"
                      + " DO UPDATE SET tag_value = excluded.tag_value")) {
            for (Map.Entry<String, String> tag : copy.entrySet()) {
              ps.setString(1, keyId);
              ps.setString(2, tag.getKey());
              ps.setString(3, tag.getValue());
              ps.addBatch();
            }
            ps.executeBatch();
          }
          return null;
        });
  }

  @Override
  public void removeTags(String keyId, Set<String> tagKeys) {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(tagKeys, "tagKeys");
    if (tagKeys.isEmpty()) {
      return;
    }
    List<String> keys = List.copyOf(tagKeys);
    connections.write(
        "removeTags " + keyId,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM tags WHERE key_id = ? AND tag_key = ?")) {
            for (String tagKey : keys) {
              ps.setString(1, keyId);
              ps.setString(2, tagKey);
              ps.addBatch();
            }
            ps.executeBatch();
          }
          return null;
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Sorted in Java ({@link String} order) so the order does not depend on the database's
   * collation. The map is unmodifiable; it is empty for an unknown key.
   */
  @Override
  public Map<String, String> tags(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    return connections.read(
        "tags " + keyId,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT tag_key, tag_value FROM tags WHERE key_id = ?")) {
            ps.setString(1, keyId);
            Map<String, String> tags = new TreeMap<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                tags.put(rs.getString(1), rs.getString(2));
              }
            }
            return Collections.unmodifiableMap(tags);
          }
        });
  }

  /** Closes all connections; calls after this throw {@link StoreException}. Idempotent. */
  @Override
  public void close() {
    connections.close();
  }

  private static void insertMaterial(Connection c, MaterialRecord material) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO key_materials (material_id, key_id, creation_date) VALUES (?, ?, ?)")) {
      ps.setString(1, material.materialId());
      ps.setString(2, material.keyId());
      ps.setLong(3, material.creationDate().toEpochMilli());
      ps.executeUpdate();
    }
  }

  /** The columns {@link #readMaterial} reads, in its order. */
  private static final String MATERIAL_COLUMNS = "material_id, key_id, creation_date";

  private static MaterialRecord readMaterial(ResultSet rs) throws SQLException {
    return new MaterialRecord(
        rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)));
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
                Instant.ofEpochMilli(rs.getLong("creation_date")),
                getInstant(rs, "deletion_date"),
                getInteger(rs, "pending_window_days"),
                rs.getString("current_material_id")));
      }
    }
    return List.copyOf(keys);
  }

  private static List<AliasRecord> readAliases(PreparedStatement ps) throws SQLException {
    List<AliasRecord> aliases = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        aliases.add(
            new AliasRecord(
                rs.getString("account"),
                rs.getString("region"),
                rs.getString("alias_name"),
                rs.getString("target_key_id"),
                Instant.ofEpochMilli(rs.getLong("creation_date")),
                Instant.ofEpochMilli(rs.getLong("last_updated_date"))));
      }
    }
    return List.copyOf(aliases);
  }

  private static void setInstant(PreparedStatement ps, int index, Instant value)
      throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, value.toEpochMilli());
    }
  }

  private static void setInteger(PreparedStatement ps, int index, Integer value)
      throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.INTEGER);
    } else {
      ps.setInt(index, value);
    }
  }

  private static Instant getInstant(ResultSet rs, String column) throws SQLException {
    long millis = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
  }

  private static Integer getInteger(ResultSet rs, String column) throws SQLException {
    int value = rs.getInt(column);
    return rs.wasNull() ? null : value;
  }

  private static void requireComplete(AliasRecord alias) {
    Objects.requireNonNull(alias, "alias");
    Objects.requireNonNull(alias.account(), "account");
    Objects.requireNonNull(alias.region(), "region");
    Objects.requireNonNull(alias.aliasName(), "aliasName");
    Objects.requireNonNull(alias.targetKeyId(), "targetKeyId");
    Objects.requireNonNull(alias.creationDate(), "creationDate");
    Objects.requireNonNull(alias.lastUpdatedDate(), "lastUpdatedDate");
  }

  private static void requirePositive(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
  }
}
