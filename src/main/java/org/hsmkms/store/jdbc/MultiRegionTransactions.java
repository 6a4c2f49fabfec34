package org.hsmkms.store.jdbc;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MaterialRecord;
import org.hsmkms.store.MetadataStore;
import org.hsmkms.store.MultiRegionKeyRecord;
import org.hsmkms.store.StoreException;

/**
 * The {@link MetadataStore} calls of {@link JdbcMetadataStore} on multi-Region keys and their
 * regional rows ({@link MultiRegionRows}): each checks its arguments, names the operation and runs
 * as one transaction on the store's {@link Connections}.
 *
 * <p>Security: operation names carry ids only, never descriptions, policies, tag values or token
 * hashes.
 */
final class MultiRegionTransactions {
  private final Connections connections;
  private final JdbcClusterStore cluster;

  MultiRegionTransactions(Connections connections, JdbcClusterStore cluster) {
    this.connections = connections;
    this.cluster = cluster;
  }

  void insertMultiRegionKey(KeyRecord primary, MaterialRecord firstMaterial) {
    Objects.requireNonNull(primary, "primary");
    Objects.requireNonNull(firstMaterial, "firstMaterial");
    if (!primary.isMultiRegion() || !primary.keyId().contains("/")) {
      throw new IllegalArgumentException("not a multi-Region key row id");
    }
    if (!primary.keyId().equals(firstMaterial.keyId())) {
      throw new IllegalArgumentException("first material belongs to a different key");
    }
    connections.write(
        "insertMultiRegionKey " + primary.keyId(),
        c -> {
          MultiRegionRows.insert(
              c, new MultiRegionKeyRecord(primary.publicId(), primary.account(), primary.region()));
          KeyRows.insert(c, primary, firstMaterial);
          cluster.ownCreatingKey(c, primary.keyId());
          return null;
        });
  }

  Optional<MultiRegionKeyRecord> findMultiRegionKey(String mrkId) {
    Objects.requireNonNull(mrkId, "mrkId");
    return connections.read("findMultiRegionKey " + mrkId, c -> MultiRegionRows.find(c, mrkId));
  }

  List<KeyRecord> multiRegionRows(String mrkId) {
    Objects.requireNonNull(mrkId, "mrkId");
    return connections.read("multiRegionRows " + mrkId, c -> MultiRegionRows.rows(c, mrkId));
  }

  /**
   * @throws StoreException if the multi-Region key does not exist or the region's row does
   */
  void insertReplica(KeyRecord replica, Map<String, String> tags) {
    Objects.requireNonNull(replica, "replica");
    Map<String, String> copy = new TreeMap<>(tags);
    String operation = "insertReplica " + replica.keyId();
    connections.write(
        operation,
        c -> {
          if (MultiRegionRows.find(c, replica.publicId()).isEmpty()) {
            throw new StoreException(operation + " failed: no such multi-Region key");
          }
          KeyRows.insertRow(c, replica);
          if (!copy.isEmpty()) {
            TagRows.put(c, replica.keyId(), copy);
          }
          return null;
        });
  }

  void updatePrimaryRegion(String mrkId, String fromRegion, String newPrimaryRegion) {
    Objects.requireNonNull(mrkId, "mrkId");
    Objects.requireNonNull(fromRegion, "fromRegion");
    connections.write(
        "updatePrimaryRegion " + mrkId,
        c -> {
          MultiRegionRows.setPrimary(c, mrkId, fromRegion, newPrimaryRegion);
          return null;
        });
  }
}
