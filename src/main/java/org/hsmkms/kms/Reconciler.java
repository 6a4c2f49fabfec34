package org.hsmkms.kms;

import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hsmkms.hsm.KeyInventory;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.kms.cluster.ClusterNode;
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
 *
 * <p>Several nodes: a row whose unfinished work (Creating, Deleting, a rotation) is owned by a live
 * node is left alone, by start-up repair and by {@link #reconcileAbandoned()}, which the leader
 * runs periodically for what dead nodes left. Each row is read again right before it is repaired,
 * after the owners were read, so work that finished meanwhile is not touched. A due deletion starts
 * with a compare-and-set in the database (PendingDeletion with the same date to Deleting), so two
 * nodes sweeping at once delete a key once.
 */
public final class Reconciler {
  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

  private final KeyInventory hsm;
  private final MetadataStore store;
  private final Keys keys;
  private final Clock clock;
  private final ClusterNode cluster;

  /** A reconciler for a process that is its store's only user. */
  public Reconciler(KeyInventory hsm, MetadataStore store, Keys keys, Clock clock) {
    this(hsm, store, keys, clock, null);
  }

  /**
   * @param cluster this process as a node of the cluster sharing the store; null when it is the
   *     store's only user
   */
  public Reconciler(
      KeyInventory hsm, MetadataStore store, Keys keys, Clock clock, ClusterNode cluster) {
    this.hsm = hsm;
    this.store = store;
    this.keys = keys;
    this.clock = clock;
    this.cluster = cluster;
  }

  /** Unfinished work of live nodes, read after the rows it is checked against. */
  private Set<String> workOfLiveNodes() {
    return cluster == null ? Set.of() : cluster.workOfLiveNodes();
  }

  /** At start-up this node has nothing in flight: only the other live nodes' work is left. */
  private Set<String> workOfOtherLiveNodes() {
    return cluster == null ? Set.of() : cluster.workOfOtherLiveNodes();
  }

  /** What start-up reconciliation found, for the log and for tests. */
  public record Report(
      int creationsCompleted,
      int creationsRolledBack,
      int deletionsCompleted,
      int rowsWithoutMaterial,
      int objectsWithoutRow) {}

  /**
   * Start-up repair, before this node serves: every row in Creating or Deleting and every
   * unfinished rotation, except the work of other live nodes, against one listing of the token.
   */
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
    List<RotationRecord> rotations = store.unfinishedRotations();
    List<KeyRecord> allKeys = store.allKeys();
    Set<String> busy = workOfOtherLiveNodes();
    reconcileRotations(rotations, busy, r -> inToken.contains(r.materialId()));
    Map<String, List<MaterialRecord>> allMaterials = store.allMaterials();
    for (KeyRecord key : allKeys) {
      List<MaterialRecord> materials = allMaterials.getOrDefault(key.keyId(), List.of());
      materials.forEach(m -> known.add(m.materialId()));
      KeyState state = KeyState.fromAwsName(key.keyState());
      boolean present = inToken.contains(key.currentMaterialId());
      if (state == KeyState.CREATING || state == KeyState.DELETING) {
        switch (repair(key, busy, k -> present)) {
          case COMPLETED -> completed++;
          case ROLLED_BACK -> rolledBack++;
          case DELETED -> deleted++;
          case LEFT -> {}
        }
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
  private void reconcileRotations(
      List<RotationRecord> unfinished,
      Set<String> busy,
      java.util.function.Predicate<RotationRecord> present) {
    for (RotationRecord r : unfinished) {
      if (busy.contains(r.materialId())) {
        LOG.info("key {}: a rotation in progress on a live node; left to it", r.keyId());
        continue;
      }
      if (store.rotations(r.keyId()).stream()
          .noneMatch(x -> x.materialId().equals(r.materialId()) && !x.completed())) {
        continue; // finished or rolled back since the listing
      }
      KeyRecord key = store.findKey(r.keyId()).orElse(null);
      if (key != null && KeyState.fromAwsName(key.keyState()) == KeyState.DELETING) {
        continue;
      }
      if (key != null && present.test(r)) {
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

  private enum Repair {
    COMPLETED,
    ROLLED_BACK,
    DELETED,
    LEFT
  }

  /**
   * Repairs a key row listed in Creating or Deleting, unless a live node owns it or it changed
   * since the listing: a CreateKey whose material exists is completed, one without it removed; a
   * deletion is completed.
   */
  private Repair repair(
      KeyRecord listed, Set<String> busy, java.util.function.Predicate<KeyRecord> present) {
    if (busy.contains(listed.keyId())) {
      LOG.info(
          "key {} ({}): work in progress on a live node; left to it",
          listed.keyId(),
          listed.keyState());
      return Repair.LEFT;
    }
    // Read again: the owner may have finished since the listing (it was not busy then, or is dead).
    KeyRecord key = store.findKey(listed.keyId()).orElse(null);
    if (key == null || !key.keyState().equals(listed.keyState())) {
      return Repair.LEFT;
    }
    if (KeyState.fromAwsName(key.keyState()) == KeyState.DELETING) {
      completeDeletion(key, store.materials(keys.materialOwner(key)));
      return Repair.DELETED;
    }
    if (present.test(key)) {
      // The material exists, so the key is rolled forward; it is never destroyed unasked.
      store.updateKey(key.withState(KeyState.ENABLED.awsName(), null, null));
      LOG.warn(
          "key {}: CreateKey was interrupted after the HSM made the key; completed", key.keyId());
      return Repair.COMPLETED;
    }
    store.deleteKey(key.keyId());
    LOG.warn(
        "key {}: CreateKey was interrupted before the HSM made the key; row removed", key.keyId());
    return Repair.ROLLED_BACK;
  }

  /**
   * The periodic reconciliation (the leader's): what dead nodes left half done, and rows of unknown
   * owner, repaired as at start-up. Looks up only the rows' own objects in the token (a listing of
   * the token beside requests upset SoftHSM2), then forgets the dead nodes.
   */
  public Report reconcileAbandoned() {
    List<RotationRecord> rotations = store.unfinishedRotations();
    List<KeyRecord> rows =
        store.keysInStates(Set.of(KeyState.CREATING.awsName(), KeyState.DELETING.awsName()));
    Set<String> busy = workOfLiveNodes();
    reconcileRotations(rotations, busy, r -> hsm.keyExists(MaterialId.fromHex(r.materialId())));
    int completed = 0;
    int rolledBack = 0;
    int deleted = 0;
    for (KeyRecord key : rows) {
      switch (repair(key, busy, k -> hsm.keyExists(MaterialId.fromHex(k.currentMaterialId())))) {
        case COMPLETED -> completed++;
        case ROLLED_BACK -> rolledBack++;
        case DELETED -> deleted++;
        case LEFT -> {}
      }
    }
    if (cluster != null) {
      cluster.forgetDeadNodes();
    }
    Report report = new Report(completed, rolledBack, deleted, 0, 0);
    if (completed + rolledBack + deleted > 0) {
      LOG.info("reconciliation of abandoned work: {}", report);
    }
    return report;
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
    // Several nodes: only the one whose compare-and-set wins carries the deletion out.
    if (cluster != null && !cluster.beginDeletion(current.keyId(), current.deletionDate())) {
      return null;
    }
    // The key row's own compare-and-set: a CancelKeyDeletion written since the read wins, and
    // the retry finds the key Disabled. (This write also empties this process's caches.)
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
