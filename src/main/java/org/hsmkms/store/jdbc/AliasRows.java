package org.hsmkms.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.hsmkms.store.AliasRecord;

/**
 * The rows of the {@code aliases} table: their SQL, and their mapping to {@link AliasRecord}.
 *
 * <p>Each method runs on the connection it is given, inside the caller's transaction; a {@code
 * *Transactions} class chooses the connection and checks the arguments.
 */
final class AliasRows {

  /** The columns {@link #readAliases} reads, by name. */
  private static final String ALIAS_COLUMNS =
      "account, region, alias_name, target_key_id, creation_date, last_updated_date";

  // ON CONFLICT (SQLite 3.24+, PostgreSQL 9.5+) reports a taken name as 0 rows instead of an
  // exception, so no driver-specific error code or message has to be recognised.
  private static final String INSERT =
      "INSERT INTO aliases ("
          + ALIAS_COLUMNS
          + ") VALUES (?,?,?,?,?,?)"
          + " ON CONFLICT (account, region, alias_name) DO NOTHING";
  private static final String FIND =
      "SELECT "
          + ALIAS_COLUMNS
          + " FROM aliases WHERE account = ? AND region = ? AND alias_name = ?";
  private static final String UPDATE =
      "UPDATE aliases SET target_key_id = ?, last_updated_date = ?"
          + " WHERE account = ? AND region = ? AND alias_name = ?";
  private static final String DELETE =
      "DELETE FROM aliases WHERE account = ? AND region = ? AND alias_name = ?";
  private static final String DELETE_OF_KEY = "DELETE FROM aliases WHERE target_key_id = ?";
  private static final String LIST_WHERE =
      "SELECT " + ALIAS_COLUMNS + " FROM aliases WHERE account = ? AND region = ?";
  private static final String LIST_ORDER = " ORDER BY alias_name LIMIT ?";
  private static final String LIST = LIST_WHERE + LIST_ORDER;
  private static final String LIST_AFTER = LIST_WHERE + " AND alias_name > ?" + LIST_ORDER;
  private static final String LIST_OF_KEY = LIST_WHERE + " AND target_key_id = ?" + LIST_ORDER;
  private static final String LIST_OF_KEY_AFTER =
      LIST_WHERE + " AND target_key_id = ? AND alias_name > ?" + LIST_ORDER;

  private AliasRows() {}

  /** Checks that every column of {@code alias} is set, before it is written. */
  static void requireComplete(AliasRecord alias) {
    Objects.requireNonNull(alias, "alias");
    Objects.requireNonNull(alias.account(), "account");
    Objects.requireNonNull(alias.region(), "region");
    Objects.requireNonNull(alias.aliasName(), "aliasName");
    Objects.requireNonNull(alias.targetKeyId(), "targetKeyId");
    Objects.requireNonNull(alias.creationDate(), "creationDate");
    Objects.requireNonNull(alias.lastUpdatedDate(), "lastUpdatedDate");
  }

  /** Inserts the alias; returns false if its name is taken in its account and region. */
  static boolean insert(Connection c, AliasRecord alias) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      ps.setString(1, alias.account());
      ps.setString(2, alias.region());
      ps.setString(3, alias.aliasName());
      ps.setString(4, alias.targetKeyId());
      Columns.setInstant(ps, 5, alias.creationDate());
      Columns.setInstant(ps, 6, alias.lastUpdatedDate());
      return ps.executeUpdate() == 1;
    }
  }

  static Optional<AliasRecord> find(Connection c, String account, String region, String aliasName)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(FIND)) {
      ps.setString(1, account);
      ps.setString(2, region);
      ps.setString(3, aliasName);
      List<AliasRecord> aliases = readAliases(ps);
      return aliases.isEmpty() ? Optional.empty() : Optional.of(aliases.get(0));
    }
  }

  /**
   * Writes the target key id and last-updated date of the alias with {@code alias}'s name; the
   * creation date is kept.
   *
   * @return false if there is no such alias
   */
  static boolean update(Connection c, AliasRecord alias) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
      ps.setString(1, alias.targetKeyId());
      Columns.setInstant(ps, 2, alias.lastUpdatedDate());
      ps.setString(3, alias.account());
      ps.setString(4, alias.region());
      ps.setString(5, alias.aliasName());
      return ps.executeUpdate() == 1;
    }
  }

  /** Returns false if there is no such alias. */
  static boolean delete(Connection c, String account, String region, String aliasName)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(DELETE)) {
      ps.setString(1, account);
      ps.setString(2, region);
      ps.setString(3, aliasName);
      return ps.executeUpdate() == 1;
    }
  }

  /** Deletes every alias that targets the key, in any account and region. */
  static void deleteOfKey(Connection c, String keyId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(DELETE_OF_KEY)) {
      ps.setString(1, keyId);
      ps.executeUpdate();
    }
  }

  /**
   * Aliases of one account and region in name order, only those targeting {@code keyId} when it is
   * non-null, after {@code afterAliasName} when it is non-null, at most {@code limit}.
   */
  static List<AliasRecord> list(
      Connection c, String account, String region, String keyId, String afterAliasName, int limit)
      throws SQLException {
    String sql;
    if (keyId == null) {
      sql = afterAliasName == null ? LIST : LIST_AFTER;
    } else {
      sql = afterAliasName == null ? LIST_OF_KEY : LIST_OF_KEY_AFTER;
    }
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
                Columns.getInstant(rs, "creation_date"),
                Columns.getInstant(rs, "last_updated_date")));
      }
    }
    return List.copyOf(aliases);
  }
}
