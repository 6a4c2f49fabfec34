package org.hsmkms.store.jdbc;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.hsmkms.store.MetadataStore;
import org.hsmkms.store.RotationClaim;
import org.hsmkms.store.RotationRecord;
import org.hsmkms.store.RotationSchedule;

/**
 * The {@link MetadataStore} calls of {@link JdbcMetadataStore} on rotation schedules, rotations and
 * material usage counts ({@link RotationRows}): each checks its arguments, names the operation and
 * runs as one transaction on the store's {@link Connections}.
 *
 * <p>Security: operation names carry ids only, never descriptions, policies, tag values or token
 * hashes.
 */
final class RotationTransactions {
  private final Connections connections;
  private final JdbcClusterStore cluster;

  RotationTransactions(Connections connections, JdbcClusterStore cluster) {
    this.connections = connections;
    this.cluster = cluster;
  }

  Optional<RotationSchedule> rotationSchedule(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    return connections.read("rotationSchedule " + keyId, c -> RotationRows.findSchedule(c, keyId));
  }

  void putRotationSchedule(RotationSchedule schedule) {
    Objects.requireNonNull(schedule, "schedule");
    connections.write(
        "putRotationSchedule " + schedule.keyId(),
        c -> {
          RotationRows.putSchedule(c, schedule);
          return null;
        });
  }

  void deleteRotationSchedule(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    connections.write(
        "deleteRotationSchedule " + keyId,
        c -> {
          RotationRows.deleteSchedule(c, keyId);
          return null;
        });
  }

  List<RotationSchedule> dueRotationSchedules(Instant now) {
    Objects.requireNonNull(now, "now");
    return connections.read("dueRotationSchedules", c -> RotationRows.dueSchedules(c, now));
  }

  RotationClaim claimRotation(RotationRecord creating, int onDemandLimit) {
    Objects.requireNonNull(creating, "creating");
    return connections.write(
        "claimRotation " + creating.keyId(),
        c ->
            cluster.ownRotation(
                c, creating.materialId(), RotationRows.claim(c, creating, onDemandLimit)));
  }

  RotationRecord completeRotation(String materialId, Instant now) {
    Objects.requireNonNull(materialId, "materialId");
    Objects.requireNonNull(now, "now");
    return connections.write(
        "completeRotation " + materialId, c -> RotationRows.complete(c, materialId, now));
  }

  void deleteRotation(String materialId) {
    Objects.requireNonNull(materialId, "materialId");
    connections.write(
        "deleteRotation " + materialId,
        c -> {
          RotationRows.deleteRotation(c, materialId);
          return null;
        });
  }

  List<RotationRecord> rotations(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    return connections.read("rotations " + keyId, c -> RotationRows.ofKey(c, keyId));
  }

  List<RotationRecord> unfinishedRotations() {
    return connections.read("unfinishedRotations", RotationRows::unfinished);
  }

  void deleteRotationData(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    connections.write(
        "deleteRotationData " + keyId,
        c -> {
          RotationRows.deleteOfKey(c, keyId);
          return null;
        });
  }

  long materialUsage(String materialId) {
    Objects.requireNonNull(materialId, "materialId");
    return connections.read("materialUsage", c -> RotationRows.usage(c, materialId));
  }

  void putMaterialUsage(String materialId, long encryptions) {
    Objects.requireNonNull(materialId, "materialId");
    connections.writeUncached(
        "putMaterialUsage",
        c -> {
          RotationRows.putUsage(c, materialId, encryptions);
          return null;
        });
  }
}
