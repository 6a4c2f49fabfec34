package org.hsmkms.store.jdbc;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.KeyUsageRecord;
import org.hsmkms.store.MaterialRecord;
import org.hsmkms.store.MetadataStore;
import org.hsmkms.store.StoreException;

/**
 * The {@link MetadataStore} calls of {@link JdbcMetadataStore} on the key rows and their materials
 * ({@link KeyRows}), their tags ({@link TagRows}) and their last use ({@link KeyUsageRows}): each
 * checks its arguments, names the operation and runs as one transaction on the store's {@link
 * Connections}.
 *
 * <p>Security: operation names carry ids only, never descriptions, policies, tag values or token
 * hashes.
 */
final class KeyTransactions {
  private final Connections connections;
  private final JdbcClusterStore cluster;

  KeyTransactions(Connections connections, JdbcClusterStore cluster) {
    this.connections = connections;
    this.cluster = cluster;
  }

  void insertKey(KeyRecord key, MaterialRecord firstMaterial) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(firstMaterial, "firstMaterial");
    if (!key.keyId().equals(firstMaterial.keyId())) {
      throw new IllegalArgumentException("first material belongs to a different key");
    }
    connections.write(
        "insertKey " + key.keyId(),
        c -> {
          KeyRows.insert(c, key, firstMaterial);
          cluster.ownCreatingKey(c, key.keyId());
          return null;
        });
  }

  Optional<KeyRecord> findKey(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    return connections.read("findKey " + keyId, c -> KeyRows.find(c, keyId));
  }

  Map<String, List<MaterialRecord>> allMaterials() {
    return connections.read("allMaterials", KeyRows::allMaterials);
  }

  /**
   * The key id, account, region, spec, usage, origin and creation date of {@code key} are not
   * written; the row is found by key id.
   *
   * @throws StoreException if there is no key with that id
   */
  void updateKey(KeyRecord key) {
    Objects.requireNonNull(key, "key");
    String operation = "updateKey " + key.keyId();
    connections.write(
        operation,
        c -> {
          if (!KeyRows.update(c, key)) {
            throw new StoreException(operation + " failed: no such key");
          }
          return null;
        });
  }

  /**
   * Deleting a key that does not exist does nothing, so a deletion interrupted after this call can
   * be completed again at start-up.
   */
  void deleteKey(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    connections.write(
        "deleteKey " + keyId,
        c -> {
          // Children first: the foreign keys would refuse the key row while they exist.
          TagRows.deleteOfKey(c, keyId);
          GrantRows.deleteOfKey(c, keyId);
          AliasRows.deleteOfKey(c, keyId);
          MultiRegionRows.checkDeletable(c, keyId);
          KeyRows.delete(c, keyId);
          MultiRegionRows.deleteIfLast(c, keyId);
          return null;
        });
  }

  List<KeyRecord> listKeys(String account, String region, String afterKeyId, int limit) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(region, "region");
    Jdbc.requirePositive(limit);
    return connections.read("listKeys", c -> KeyRows.list(c, account, region, afterKeyId, limit));
  }

  int countKeys(String account, String region) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(region, "region");
    return connections.read("countKeys", c -> KeyRows.count(c, account, region));
  }

  List<KeyRecord> keysInStates(Set<String> states) {
    Objects.requireNonNull(states, "states");
    if (states.isEmpty()) {
      return List.of();
    }
    List<String> stateList = List.copyOf(states);
    return connections.read("keysInStates", c -> KeyRows.inStates(c, stateList));
  }

  List<KeyRecord> allKeys() {
    return connections.read("allKeys", KeyRows::all);
  }

  /** Oldest first. */
  List<MaterialRecord> materials(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    return connections.read("materials " + keyId, c -> KeyRows.materials(c, keyId));
  }

  /**
   * @throws StoreException if the key does not exist
   */
  void putTags(String keyId, Map<String, String> tags) {
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
          TagRows.put(c, keyId, copy);
          return null;
        });
  }

  void removeTags(String keyId, Set<String> tagKeys) {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(tagKeys, "tagKeys");
    if (tagKeys.isEmpty()) {
      return;
    }
    List<String> keys = List.copyOf(tagKeys);
    connections.write(
        "removeTags " + keyId,
        c -> {
          TagRows.remove(c, keyId, keys);
          return null;
        });
  }

  /**
   * Sorted in Java ({@link String} order) so the order does not depend on the database's collation.
   * The map is unmodifiable; it is empty for an unknown key.
   */
  Map<String, String> tags(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    return connections.read("tags " + keyId, c -> TagRows.ofKey(c, keyId));
  }

  void saveKeyUsages(Collection<KeyUsageRecord> usages) {
    Objects.requireNonNull(usages, "usages");
    if (usages.isEmpty()) {
      return;
    }
    List<KeyUsageRecord> copy = List.copyOf(usages);
    connections.writeUncached(
        "saveKeyUsages (" + copy.size() + ")",
        c -> {
          KeyUsageRows.save(c, copy);
          return null;
        });
  }

  Optional<KeyUsageRecord> findKeyUsage(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    return connections.read("findKeyUsage " + keyId, c -> KeyUsageRows.find(c, keyId));
  }

  Instant keyUsageTrackingStart(Instant now) {
    Objects.requireNonNull(now, "now");
    return connections.write("keyUsageTrackingStart", c -> KeyUsageRows.trackingStart(c, now));
  }
}
