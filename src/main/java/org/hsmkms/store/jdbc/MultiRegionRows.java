package org.hsmkms.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MultiRegionKeyRecord;
import org.hsmkms.store.StoreConflictException;
import org.hsmkms.store.StoreException;

/**
 * The rows of the {@code multi_region_keys} table (V5): what the regions of one multi-Region key
 * share. Each method runs on the connection it is given, inside the caller's transaction.
 */
final class MultiRegionRows {
  private static final String INSERT =
      "INSERT INTO multi_region_keys (mrk_id, account, primary_region) VALUES (?, ?, ?)";
  private static final String FIND =
      "SELECT mrk_id, account, primary_region FROM multi_region_keys WHERE mrk_id = ?";
  private static final String SET_PRIMARY =
      "UPDATE multi_region_keys SET primary_region = ? WHERE mrk_id = ?";
  private static final String DELETE = "DELETE FROM multi_region_keys WHERE mrk_id = ?";

  // The rotation schedule and history belong to the row that owns the material (the primary's).
  private static final String MOVE_SCHEDULE =
      "UPDATE key_rotation_schedules SET key_id = ? WHERE key_id = ?";
  private static final String MOVE_ROTATIONS =
      "UPDATE key_rotations SET key_id = ? WHERE key_id = ?";

  private MultiRegionRows() {}

  static void insert(Connection c, MultiRegionKeyRecord mrk) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      ps.setString(1, mrk.mrkId());
      ps.setString(2, mrk.account());
      ps.setString(3, mrk.primaryRegion());
      ps.executeUpdate();
    }
  }

  static Optional<MultiRegionKeyRecord> find(Connection c, String mrkId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(FIND)) {
      ps.setString(1, mrkId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(
                new MultiRegionKeyRecord(rs.getString(1), rs.getString(2), rs.getString(3)))
            : Optional.empty();
      }
    }
  }

  /** Every region's row of {@code mrkId}, in row id order. */
  static List<KeyRecord> rows(Connection c, String mrkId) throws SQLException {
    return KeyRows.withIdPrefix(c, mrkId + "/");
  }

  /**
   * Makes {@code newPrimaryRegion}'s row the primary: the material rows move to it from the old
   * primary's row, and the shared record names the new region.
   */
  static void setPrimary(Connection c, String mrkId, String fromRegion, String newPrimaryRegion)
      throws SQLException {
    Objects.requireNonNull(newPrimaryRegion, "newPrimaryRegion");
    MultiRegionKeyRecord mrk =
        find(c, mrkId).orElseThrow(() -> new StoreException("no multi-Region key " + mrkId));
    if (!mrk.primaryRegion().equals(fromRegion)) {
      throw new StoreConflictException(
          "updatePrimaryRegion " + mrkId + " failed: the primary changed since it was read");
    }
    String newPrimary = KeyRecord.multiRegionRowId(mrkId, newPrimaryRegion);
    if (KeyRows.find(c, newPrimary).isEmpty()) {
      throw new StoreException("no key " + newPrimary);
    }
    KeyRows.moveMaterials(c, mrk.primaryRowId(), newPrimary);
    for (String move : List.of(MOVE_SCHEDULE, MOVE_ROTATIONS)) {
      try (PreparedStatement ps = c.prepareStatement(move)) {
        ps.setString(1, newPrimary);
        ps.setString(2, mrk.primaryRowId());
        ps.executeUpdate();
      }
    }
    try (PreparedStatement ps = c.prepareStatement(SET_PRIMARY)) {
      ps.setString(1, newPrimaryRegion);
      ps.setString(2, mrkId);
      ps.executeUpdate();
    }
  }

  /**
   * Refuses to delete a primary's row while other regions' rows exist: its material rows are the
   * ones every region decrypts with.
   */
  static void checkDeletable(Connection c, String keyId) throws SQLException {
    String mrkId = mrkIdOf(keyId);
    if (mrkId == null) {
      return;
    }
    Optional<MultiRegionKeyRecord> mrk = find(c, mrkId);
    if (mrk.isPresent()
        && mrk.get().primaryRowId().equals(keyId)
        && rows(c, mrkId).stream().anyMatch(k -> !k.keyId().equals(keyId))) {
      throw new StoreException("deleteKey " + keyId + " refused: the primary has replicas");
    }
  }

  /** Removes the shared record once the last region's row of the key is gone. */
  static void deleteIfLast(Connection c, String keyId) throws SQLException {
    String mrkId = mrkIdOf(keyId);
    if (mrkId != null && rows(c, mrkId).isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement(DELETE)) {
        ps.setString(1, mrkId);
        ps.executeUpdate();
      }
    }
  }

  private static String mrkIdOf(String keyId) {
    int slash = keyId.indexOf('/');
    return keyId.startsWith(KeyRecord.MULTI_REGION_PREFIX) && slash > 0
        ? keyId.substring(0, slash)
        : null;
  }
}
