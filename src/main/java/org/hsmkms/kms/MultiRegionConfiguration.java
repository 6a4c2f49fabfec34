package org.hsmkms.kms;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MetadataStore;
import org.hsmkms.store.MultiRegionKeyRecord;

/**
 * DescribeKey's {@code MultiRegionConfiguration} of one region's key of a multi-Region key, and the
 * facts about its regions that the lifecycle rules need (is it the primary, has it replicas).
 *
 * @param keyType {@code PRIMARY} or {@code REPLICA}: the key this configuration was made for
 * @param primaryKey the primary key's ARN and region
 * @param replicaKeys every replica's ARN and region, in region order (without the primary)
 */
public record MultiRegionConfiguration(
    String keyType, RegionKey primaryKey, List<RegionKey> replicaKeys) {

  /** One region's key: AWS's {@code MultiRegionKey}. */
  public record RegionKey(String arn, String region) {}

  public MultiRegionConfiguration {
    replicaKeys = List.copyOf(replicaKeys);
  }

  /**
   * The configuration seen from {@code key}; empty for a single-Region key. Rows in the internal
   * states Creating and Deleting are not shown.
   */
  static Optional<MultiRegionConfiguration> of(MetadataStore store, KeyRecord key) {
    if (!key.isMultiRegion()) {
      return Optional.empty();
    }
    Optional<MultiRegionKeyRecord> mrk = store.findMultiRegionKey(key.publicId());
    if (mrk.isEmpty()) {
      return Optional.empty();
    }
    String primaryRegion = mrk.get().primaryRegion();
    RegionKey primary = null;
    List<RegionKey> replicas = new ArrayList<>();
    for (KeyRecord row : store.multiRegionRows(key.publicId())) {
      if (!KeyState.fromAwsName(row.keyState()).isVisible() && !row.keyId().equals(key.keyId())) {
        continue;
      }
      RegionKey rk = new RegionKey(row.arn(), row.region());
      if (row.region().equals(primaryRegion)) {
        primary = rk;
      } else {
        replicas.add(rk);
      }
    }
    if (primary == null) {
      // The primary's row always outlives its replicas; its ARN is known without it.
      primary = new RegionKey(arnIn(key, primaryRegion), primaryRegion);
    }
    replicas.sort((a, b) -> a.region().compareTo(b.region()));
    String type = primaryRegion.equals(key.region()) ? "PRIMARY" : "REPLICA";
    return Optional.of(new MultiRegionConfiguration(type, primary, replicas));
  }

  /** Whether {@code key} is the primary key of its multi-Region key. */
  static boolean isPrimary(MetadataStore store, KeyRecord key) {
    return key.isMultiRegion()
        && store
            .findMultiRegionKey(key.publicId())
            .map(m -> m.primaryRegion().equals(key.region()))
            .orElse(false);
  }

  /** The other regions' rows of {@code key}'s multi-Region key, in any state. */
  static List<KeyRecord> otherRows(MetadataStore store, KeyRecord key) {
    if (!key.isMultiRegion()) {
      return List.of();
    }
    return store.multiRegionRows(key.publicId()).stream()
        .filter(r -> !r.keyId().equals(key.keyId()))
        .toList();
  }

  /** The ARN {@code key}'s multi-Region key has in {@code region}. */
  static String arnIn(KeyRecord key, String region) {
    return "arn:aws:kms:" + region + ":" + key.account() + ":key/" + key.publicId();
  }
}
