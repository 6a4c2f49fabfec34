package org.hsmkms.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hsmkms.store.ImportParametersRecord;
import org.hsmkms.store.ImportedMaterialRecord;

/**
 * The rows of {@code import_parameters} and {@code imported_materials} (V4): their SQL and their
 * mapping. Each method runs inside the caller's transaction.
 */
final class ImportRows {
  private static final String PARAMETER_COLUMNS =
      "token_hash, key_id, wrapping_key_id, wrapping_algorithm, wrapping_key_spec, valid_to,"
          + " wrapping_key_destroyed";
  private static final String INSERT_PARAMETERS =
      "INSERT INTO import_parameters (" + PARAMETER_COLUMNS + ") VALUES (?,?,?,?,?,?,?)";
  private static final String FIND_PARAMETERS =
      "SELECT " + PARAMETER_COLUMNS + " FROM import_parameters WHERE token_hash = ?";
  private static final String PARAMETERS_EXPIRED =
      "SELECT "
          + PARAMETER_COLUMNS
          + " FROM import_parameters WHERE valid_to <= ? AND wrapping_key_destroyed = 0"
          + " ORDER BY valid_to";
  private static final String LIVE_WRAPPING_KEYS =
      "SELECT wrapping_key_id FROM import_parameters WHERE wrapping_key_destroyed = 0";
  private static final String MARK_DESTROYED =
      "UPDATE import_parameters SET wrapping_key_destroyed = 1 WHERE token_hash = ?";
  private static final String DELETE_PARAMETERS_BEFORE =
      "DELETE FROM import_parameters WHERE valid_to < ? AND wrapping_key_destroyed = 1";

  private static final String MATERIAL_COLUMNS =
      "key_id, fingerprint, expiration_model, valid_to, import_date";
  private static final String UPSERT_MATERIAL =
      "INSERT INTO imported_materials ("
          + MATERIAL_COLUMNS
          + ") VALUES (?,?,?,?,?) ON CONFLICT (key_id) DO UPDATE SET"
          + " expiration_model = excluded.expiration_model, valid_to = excluded.valid_to,"
          + " import_date = excluded.import_date";
  private static final String FIND_MATERIAL =
      "SELECT " + MATERIAL_COLUMNS + " FROM imported_materials WHERE key_id = ?";
  // Materials in use (the key is neither PendingImport nor being made, deleted or pending
  // deletion) whose ValidTo has passed.
  private static final String MATERIALS_EXPIRED =
      "SELECT m.key_id, m.fingerprint, m.expiration_model, m.valid_to, m.import_date"
          + " FROM imported_materials m JOIN keys k ON k.key_id = m.key_id"
          + " WHERE m.valid_to IS NOT NULL AND m.valid_to <= ?"
          + " AND k.key_state IN ('Enabled', 'Disabled') ORDER BY m.valid_to";
  private static final String DELETE_MATERIALS_OF_MISSING_KEYS =
      "DELETE FROM imported_materials WHERE key_id NOT IN (SELECT key_id FROM keys)";

  private ImportRows() {}

  static void insertParameters(Connection c, ImportParametersRecord p) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT_PARAMETERS)) {
      ps.setString(1, p.tokenHash());
      ps.setString(2, p.keyId());
      ps.setString(3, p.wrappingKeyId());
      ps.setString(4, p.wrappingAlgorithm());
      ps.setString(5, p.wrappingKeySpec());
      ps.setLong(6, p.validTo().toEpochMilli());
      ps.setInt(7, p.wrappingKeyDestroyed() ? 1 : 0);
      ps.executeUpdate();
    }
  }

  static Optional<ImportParametersRecord> findParameters(Connection c, String tokenHash)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(FIND_PARAMETERS)) {
      ps.setString(1, tokenHash);
      List<ImportParametersRecord> rows = readParameters(ps);
      return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }
  }

  static List<ImportParametersRecord> parametersExpiredBy(Connection c, Instant now)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(PARAMETERS_EXPIRED)) {
      ps.setLong(1, now.toEpochMilli());
      return readParameters(ps);
    }
  }

  static Set<String> liveWrappingKeyIds(Connection c) throws SQLException {
    Set<String> ids = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement(LIVE_WRAPPING_KEYS);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }

  static void markWrappingKeyDestroyed(Connection c, String tokenHash) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(MARK_DESTROYED)) {
      ps.setString(1, tokenHash);
      ps.executeUpdate();
    }
  }

  static int deleteParametersExpiredBefore(Connection c, Instant cutoff) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(DELETE_PARAMETERS_BEFORE)) {
      ps.setLong(1, cutoff.toEpochMilli());
      return ps.executeUpdate();
    }
  }

  static void upsertMaterial(Connection c, ImportedMaterialRecord m) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(UPSERT_MATERIAL)) {
      ps.setString(1, m.keyId());
      ps.setString(2, m.fingerprint());
      ps.setString(3, m.expirationModel());
      if (m.validTo() == null) {
        ps.setNull(4, Types.BIGINT);
      } else {
        ps.setLong(4, m.validTo().toEpochMilli());
      }
      ps.setLong(5, m.importDate().toEpochMilli());
      ps.executeUpdate();
    }
  }

  static Optional<ImportedMaterialRecord> findMaterial(Connection c, String keyId)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(FIND_MATERIAL)) {
      ps.setString(1, keyId);
      List<ImportedMaterialRecord> rows = readMaterials(ps);
      return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }
  }

  static List<ImportedMaterialRecord> materialsExpiredBy(Connection c, Instant now)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(MATERIALS_EXPIRED)) {
      ps.setLong(1, now.toEpochMilli());
      return readMaterials(ps);
    }
  }

  static int deleteMaterialsOfMissingKeys(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(DELETE_MATERIALS_OF_MISSING_KEYS)) {
      return ps.executeUpdate();
    }
  }

  private static List<ImportParametersRecord> readParameters(PreparedStatement ps)
      throws SQLException {
    List<ImportParametersRecord> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(
            new ImportParametersRecord(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                Instant.ofEpochMilli(rs.getLong(6)),
                rs.getInt(7) != 0));
      }
    }
    return out;
  }

  private static List<ImportedMaterialRecord> readMaterials(PreparedStatement ps)
      throws SQLException {
    List<ImportedMaterialRecord> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long validTo = rs.getLong(4);
        Instant valid = rs.wasNull() ? null : Instant.ofEpochMilli(validTo);
        out.add(
            new ImportedMaterialRecord(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                valid,
                Instant.ofEpochMilli(rs.getLong(5))));
      }
    }
    return out;
  }
}
