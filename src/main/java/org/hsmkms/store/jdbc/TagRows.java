package org.hsmkms.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rows of the {@code tags} table: their SQL, and their mapping to a map of tag keys to values.
 *
 * <p>Each method runs on the connection it is given, inside the caller's transaction; a {@code
 * *Transactions} class chooses the connection and checks the arguments.
 */
final class TagRows {

  private static final String PUT =
      "INSERT INTO tags (key_id, tag_key, tag_value) VALUES (?, ?, ?)"
          + " ON CONFLICT (key_id, tag_key)"
          + " DO UPDATE SET tag_value = excluded.tag_value";
  private static final String REMOVE = "DELETE FROM tags WHERE key_id = ? AND tag_key = ?";
  private static final String DELETE_OF_KEY = "DELETE FROM tags WHERE key_id = ?";
  private static final String OF_KEY = "SELECT tag_key, tag_value FROM tags WHERE key_id = ?";

  private TagRows() {}

  /** Adds or overwrites the key's tags, in one batch, in the order of {@code tags}. */
  static void put(Connection c, String keyId, Map<String, String> tags) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(PUT)) {
      for (Map.Entry<String, String> tag : tags.entrySet()) {
        ps.setString(1, keyId);
        ps.setString(2, tag.getKey());
        ps.setString(3, tag.getValue());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** Removes the key's tags with the given tag keys, in one batch; absent ones are ignored. */
  static void remove(Connection c, String keyId, List<String> tagKeys) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(REMOVE)) {
      for (String tagKey : tagKeys) {
        ps.setString(1, keyId);
        ps.setString(2, tagKey);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** Deletes every tag of the key. */
  static void deleteOfKey(Connection c, String keyId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(DELETE_OF_KEY)) {
      ps.setString(1, keyId);
      ps.executeUpdate();
    }
  }

  /**
   * The key's tags, sorted in Java ({@link String} order) so that the order does not depend on the
   * database's collation; unmodifiable, and empty for an unknown key.
   */
  static Map<String, String> ofKey(Connection c, String keyId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(OF_KEY)) {
      ps.setString(1, keyId);
      Map<String, String> tags = new TreeMap<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          tags.put(rs.getString(1), rs.getString(2));
        }
      }
      return Collections.unmodifiableMap(tags);
    }
  }
}
