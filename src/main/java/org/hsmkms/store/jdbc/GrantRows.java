package org.hsmkms.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.hsmkms.store.GrantRecord;

/**
 * The rows of the {@code grants}, {@code grant_constraints} and {@code grant_tokens} tables: their
 * SQL, and their mapping to {@link GrantRecord}.
 *
 * <p>Each method runs on the connection it is given, inside the caller's transaction; a {@code
 * *Transactions} class chooses the connection and checks the arguments.
 */
final class GrantRows {
  private static final String EQUALS = "EncryptionContextEquals";
  private static final String SUBSET = "EncryptionContextSubset";

  /** The columns {@link #readGrants} reads, by name. */
  private static final String COLUMNS =
      "grant_id, key_id, account, region, name, grantee_principal, retiring_principal,"
          + " operations, context_equals, context_subset, issuing_account, creation_date";

  private static final String INSERT =
      "INSERT INTO grants (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";
  private static final String INSERT_CONSTRAINT =
      "INSERT INTO grant_constraints (grant_id, constraint_type, context_key, context_value)"
          + " VALUES (?,?,?,?)";
  private static final String INSERT_TOKEN =
      "INSERT INTO grant_tokens (token_hash, grant_id) VALUES (?,?)";
  private static final String SELECT = "SELECT " + COLUMNS + " FROM grants";
  private static final String CONSTRAINTS =
      "SELECT grant_id, constraint_type, context_key, context_value FROM grant_constraints";
  private static final String WHERE_ID = " WHERE grant_id = ?";
  private static final String WHERE_KEY = " WHERE key_id = ?";
  private static final String WHERE_TOKEN =
      " WHERE grant_id IN (SELECT grant_id FROM grant_tokens WHERE token_hash = ?)";
  private static final String WHERE_RETIRING = " WHERE region = ? AND retiring_principal = ?";
  private static final String ORDER = " ORDER BY grant_id";

  private GrantRows() {}

  /** Inserts the grant with its constraints and its first token. */
  static void insert(Connection c, GrantRecord g, String tokenHash) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      ps.setString(1, g.grantId());
      ps.setString(2, g.keyId());
      ps.setString(3, g.account());
      ps.setString(4, g.region());
      ps.setString(5, g.name());
      ps.setString(6, g.granteePrincipal());
      ps.setString(7, g.retiringPrincipal());
      ps.setString(8, String.join(",", g.operations()));
      ps.setInt(9, g.encryptionContextEquals() == null ? 0 : 1);
      ps.setInt(10, g.encryptionContextSubset() == null ? 0 : 1);
      ps.setString(11, g.issuingAccount());
      Columns.setInstant(ps, 12, g.creationDate());
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement(INSERT_CONSTRAINT)) {
      addPairs(ps, g.grantId(), EQUALS, g.encryptionContextEquals());
      addPairs(ps, g.grantId(), SUBSET, g.encryptionContextSubset());
      ps.executeBatch();
    }
    addToken(c, g.grantId(), tokenHash);
  }

  private static void addPairs(
      PreparedStatement ps, String grantId, String type, Map<String, String> pairs)
      throws SQLException {
    if (pairs == null) {
      return;
    }
    for (Map.Entry<String, String> pair : pairs.entrySet()) {
      ps.setString(1, grantId);
      ps.setString(2, type);
      ps.setString(3, pair.getKey());
      ps.setString(4, pair.getValue());
      ps.addBatch();
    }
  }

  static void addToken(Connection c, String grantId, String tokenHash) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT_TOKEN)) {
      ps.setString(1, tokenHash);
      ps.setString(2, grantId);
      ps.executeUpdate();
    }
  }

  static Optional<GrantRecord> find(Connection c, String grantId) throws SQLException {
    List<GrantRecord> grants = select(c, WHERE_ID, grantId);
    return grants.isEmpty() ? Optional.empty() : Optional.of(grants.get(0));
  }

  static Optional<GrantRecord> findByToken(Connection c, String tokenHash) throws SQLException {
    List<GrantRecord> grants = select(c, WHERE_TOKEN, tokenHash);
    return grants.isEmpty() ? Optional.empty() : Optional.of(grants.get(0));
  }

  /** The grants of one key in grant id order. */
  static List<GrantRecord> ofKey(Connection c, String keyId) throws SQLException {
    return select(c, WHERE_KEY, keyId);
  }

  /**
   * Grants of one region whose retiring principal is {@code retiringPrincipal}, in grant id order,
   * after {@code afterGrantId} when it is non-null, at most {@code limit}.
   */
  static List<GrantRecord> byRetiringPrincipal(
      Connection c, String region, String retiringPrincipal, String afterGrantId, int limit)
      throws SQLException {
    String where = WHERE_RETIRING + (afterGrantId == null ? "" : " AND grant_id > ?");
    List<String> params = new ArrayList<>(List.of(region, retiringPrincipal));
    if (afterGrantId != null) {
      params.add(afterGrantId);
    }
    List<GrantRecord> rows;
    try (PreparedStatement ps = c.prepareStatement(SELECT + where + ORDER + " LIMIT ?")) {
      for (int i = 0; i < params.size(); i++) {
        ps.setString(i + 1, params.get(i));
      }
      ps.setInt(params.size() + 1, limit);
      rows = readGrants(ps);
    }
    List<GrantRecord> out = new ArrayList<>(rows.size());
    for (GrantRecord g : rows) {
      out.add(withConstraints(g, constraintsOf(c, WHERE_ID, g.grantId())));
    }
    return List.copyOf(out);
  }

  /** Deletes the grant, its constraints and its tokens; returns false if there is no such grant. */
  static boolean delete(Connection c, String grantId) throws SQLException {
    update(c, "DELETE FROM grant_tokens WHERE grant_id = ?", grantId);
    update(c, "DELETE FROM grant_constraints WHERE grant_id = ?", grantId);
    return update(c, "DELETE FROM grants WHERE grant_id = ?", grantId) == 1;
  }

  /** Deletes every grant of the key with its constraints and tokens. */
  static void deleteOfKey(Connection c, String keyId) throws SQLException {
    String ofKey = " WHERE grant_id IN (SELECT grant_id FROM grants WHERE key_id = ?)";
    update(c, "DELETE FROM grant_tokens" + ofKey, keyId);
    update(c, "DELETE FROM grant_constraints" + ofKey, keyId);
    update(c, "DELETE FROM grants WHERE key_id = ?", keyId);
  }

  private static int update(Connection c, String sql, String param) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, param);
      return ps.executeUpdate();
    }
  }

  // Grants and their constraints selected by the same condition on the grants table.
  private static List<GrantRecord> select(Connection c, String where, String param)
      throws SQLException {
    List<GrantRecord> rows;
    try (PreparedStatement ps = c.prepareStatement(SELECT + where + ORDER)) {
      ps.setString(1, param);
      rows = readGrants(ps);
    }
    if (rows.isEmpty()) {
      return rows;
    }
    Map<String, Map<String, Map<String, String>>> constraints = constraintsOf(c, where, param);
    List<GrantRecord> out = new ArrayList<>(rows.size());
    for (GrantRecord g : rows) {
      out.add(withConstraints(g, constraints));
    }
    return List.copyOf(out);
  }

  // grant id -> constraint type -> pairs, of the grants the condition selects.
  private static Map<String, Map<String, Map<String, String>>> constraintsOf(
      Connection c, String where, String param) throws SQLException {
    String sql = CONSTRAINTS + " WHERE grant_id IN (SELECT grant_id FROM grants" + where + ")";
    Map<String, Map<String, Map<String, String>>> out = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, param);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.computeIfAbsent(rs.getString(1), id -> new HashMap<>())
              .computeIfAbsent(rs.getString(2), type -> new TreeMap<>())
              .put(rs.getString(3), rs.getString(4));
        }
      }
    }
    return out;
  }

  private static GrantRecord withConstraints(
      GrantRecord g, Map<String, Map<String, Map<String, String>>> constraints) {
    Map<String, Map<String, String>> of = constraints.getOrDefault(g.grantId(), Map.of());
    return new GrantRecord(
        g.grantId(),
        g.keyId(),
        g.account(),
        g.region(),
        g.name(),
        g.granteePrincipal(),
        g.retiringPrincipal(),
        g.operations(),
        g.encryptionContextEquals() == null ? null : of.getOrDefault(EQUALS, Map.of()),
        g.encryptionContextSubset() == null ? null : of.getOrDefault(SUBSET, Map.of()),
        g.issuingAccount(),
        g.creationDate());
  }

  // Rows without their constraint pairs: a present constraint is read as an empty map.
  private static List<GrantRecord> readGrants(PreparedStatement ps) throws SQLException {
    List<GrantRecord> grants = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        grants.add(
            new GrantRecord(
                rs.getString("grant_id"),
                rs.getString("key_id"),
                rs.getString("account"),
                rs.getString("region"),
                rs.getString("name"),
                rs.getString("grantee_principal"),
                rs.getString("retiring_principal"),
                Arrays.asList(rs.getString("operations").split(",")),
                rs.getInt("context_equals") == 1 ? new LinkedHashMap<>() : null,
                rs.getInt("context_subset") == 1 ? new LinkedHashMap<>() : null,
                rs.getString("issuing_account"),
                Columns.getInstant(rs, "creation_date")));
      }
    }
    return grants;
  }
}
