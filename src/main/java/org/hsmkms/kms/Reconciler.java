package org.hsmkms.kms;

import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hsmkms.hsm.KeyInventory;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MaterialRecord;
import org.hsmkms.store.MetadataStore;
import org.hsmkms.store.RotationRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the store and the token in agreement: at start-up it repairs what a crash left half done,
 * and from then on it carries out deletions when they fall due.
 *
 * <p>Security: key material is destroyed only for a key whose ScheduleKeyDeletion has completed
 * (state Deleting, or PendingDeletion past its date), and for a multi-Region key only with the last
 * region's key: the regions share the HSM objects. A row without its token object is reported and
 * kept; a token object without a row is reported and kept.
 */
public final class Reconciler {
  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

  private final KeyInventory hsm;
  private final MetadataStore store;
  private final Keys keys;
  private final Clock clock;

  public Reconciler(KeyInventory hsm, MetadataStore store, Keys keys, Clock clock) {
    this.hsm = hsm;
    this.store = store;
    this.keys = keys;
    this.clock = clock;
  }

  /** What start-up reconciliation found, for the log and for tests. */
  public record Report(
      int creationsCompleted,
      int creationsRolledBack,
      int deletionsCompleted,
      int rowsWithoutMaterial,
      int objectsWithoutRow) {}

  public Report reconcile() {
    int completed = 0;
    int rolledBack = 0;
    int deleted = 0;
    int missing = 0;
    Set<String> known = new HashSet<>();
    // One listing of the token instead of a search per key: a search visits every object, so a
    // search per key made start-up quadratic in the number of keys.
    List<MaterialId> tokenIds = hsm.listKeyIds();
    Set<String> inToken = new HashSet<>();
    tokenIds.forEach(id -> inToken.add(id.hex()));
    reconcileRotations(inToken);
    Map<String, List<MaterialRecord>> allMaterials = store.allMaterials();
    for (KeyRecord key : store.allKeys()) {
      List<MaterialRecord> materials = allMaterials.getOrDefault(key.keyId(), List.of());
      materials.forEach(m -> known.add(m.materialId()));
      KeyState state = KeyState.fromAwsName(key.keyState());
      boolean present = inToken.contains(key.currentMaterialId());
      if (state == KeyState.CREATING) {
        if (present) {
          // The material exists, so the key is rolled forward; it is never destroyed unasked.
          store.updateKey(key.withState(KeyState.ENABLED.awsName(), null, null));
          LOG.warn(
              "key {}: CreateKey was interrupted after the HSM made the key; completed",
              key.keyId());
          completed++;
        } else {
          store.deleteKey(key.keyId());
          LOG.warn(
              "key {}: CreateKey was interrupted before the HSM made the key; row removed",
              key.keyId());
          rolledBack++;
        }
      } else if (state == KeyState.DELETING) {
        completeDeletion(key, materials);
        deleted++;
      } else if (!present && state != KeyState.PENDING_IMPORT) {
        // (A PendingImport key has no material; ImportSweep.reconcile repairs such keys.)
        missing++;
        LOG.error(
            "key {} ({}): its key object {} is missing from the token; the key answers"
                + " KeyUnavailableException until it is restored",
            key.keyId(),
            key.keyState(),
            key.currentMaterialId());
      }
    }
    int orphans = 0;
    for (MaterialId id : tokenIds) {
      String hex = id.hex();
      if (!known.contains(hex)) {
        orphans++;
        LOG.warn("token object {} belongs to no key in the store; left in place", hex);
      }
    }
    Report report = new Report(completed, rolledBack, deleted, missing, orphans);
    LOG.info("reconciliation: {}", report);
    return report;
  }

  /**
   * Rotations interrupted by a crash, like interrupted CreateKeys: with the new material in the
   * token the rotation is completed (the material becomes current; it is never destroyed unasked),
   * without it the rotation row is removed, and a scheduled rotation is then due again. Rotations
   * of keys being deleted are left to the deletion, which destroys their material.
   */
  private void reconcileRotations(Set<String> inToken) {
    for (RotationRecord r : store.unfinishedRotations()) {
      KeyRecord key = store.findKey(r.keyId()).orElse(null);
      if (key != null && KeyState.fromAwsName(key.keyState()) == KeyState.DELETING) {
        continue;
      }
      if (key != null && inToken.contains(r.materialId())) {
        store.completeRotation(r.materialId(), clock.instant());
        LOG.warn(
            "key {}: a rotation was interrupted after the HSM made material {}; completed",
            r.keyId(),
            r.materialId());
      } else {
        store.deleteRotation(r.materialId());
        LOG.warn(
            "key {}: a rotation was interrupted before the HSM made its material; rolled back",
            r.keyId());
      }
    }
  }

  /** Deletes every key whose pending deletion is due; returns how many. */
  public int deleteDueKeys() {
    Instant now = clock.instant();
    int count = 0;
    // A primary whose last replica went while the service stopped between the two steps.
    for (KeyRecord key : store.keysInStates(Set.of(KeyState.PENDING_REPLICA_DELETION.awsName()))) {
      synchronized (keys.lifecycleLock()) {
        MultiRegionKeys.afterReplicaDeleted(store, key, now);
      }
    }
    for (KeyRecord key : store.keysInStates(Set.of(KeyState.PENDING_DELETION.awsName()))) {
      if (key.deletionDate() != null && !key.deletionDate().isAfter(now)) {
        KeyRecord current;
        synchronized (keys.lifecycleLock()) {
          current = ConflictRetry.retry(() -> startDeletion(key));
        }
        if (current == null) {
          continue;
        }
        completeDeletion(current, store.materials(keys.materialOwner(current)));
        count++;
      }
    }
    return count;
  }

  /**
   * Moves a key that is still pending deletion to Deleting and answers it; null if it is not (it
   * may have been cancelled since the listing, on this node or another).
   */
  private KeyRecord startDeletion(KeyRecord listed) {
    KeyRecord current = store.findKey(listed.keyId()).orElse(null);
    if (current == null || !KeyState.PENDING_DELETION.awsName().equals(current.keyState())) {
      return null;
    }
    store.updateKey(
        current.withState(
            KeyState.DELETING.awsName(), current.deletionDate(), current.pendingWindowDays()));
    return current;
  }

  private void completeDeletion(KeyRecord key, List<MaterialRecord> materials) {
    if (!MultiRegionConfiguration.otherRows(store, key).isEmpty()) {
      // Another region's key of this multi-Region key uses the same HSM objects: only this
      // region's row goes (the store refuses to remove a primary's row while replicas exist).
      store.deleteKey(key.keyId());
      synchronized (keys.lifecycleLock()) {
        MultiRegionKeys.afterReplicaDeleted(store, key, clock.instant());
      }
      LOG.info("key {} deleted; its key material stays for the other regions", key.keyId());
      return;
    }
    for (MaterialRecord m : materials) {
      hsm.destroyKey(MaterialId.fromHex(m.materialId()));
    }
    hsm.destroyKey(MaterialId.fromHex(key.currentMaterialId()));
    // A rotation interrupted before its material became the key's: its object may exist.
    for (RotationRecord r : store.rotations(key.keyId())) {
      if (!r.completed()) {
        hsm.destroyKey(MaterialId.fromHex(r.materialId()));
      }
    }
    store.deleteRotationData(key.keyId());
    store.deleteKey(key.keyId());
    LOG.info("key {} deleted: its key material was destroyed in the HSM", key.keyId());
  }
}
