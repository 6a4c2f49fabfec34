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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the store and the token in agreement: at start-up it repairs what a crash left half done,
 * and from then on it carries out deletions when they fall due.
 *
 * <p>Security: key material is destroyed only for a key whose ScheduleKeyDeletion has completed
 * (state Deleting, or PendingDeletion past its date). A row without its token object is reported
 * and kept; a token object without a row is reported and kept.
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

  /** Deletes every key whose pending deletion is due; returns how many. */
  public int deleteDueKeys() {
    Instant now = clock.instant();
    int count = 0;
    for (KeyRecord key : store.keysInStates(Set.of(KeyState.PENDING_DELETION.awsName()))) {
      if (key.deletionDate() != null && !key.deletionDate().isAfter(now)) {
        KeyRecord current;
        synchronized (keys.lifecycleLock()) {
          // Re-read: the key may have been cancelled since the listing.
          current = store.findKey(key.keyId()).orElse(null);
          if (current == null || !KeyState.PENDING_DELETION.awsName().equals(current.keyState())) {
            continue;
          }
          store.updateKey(
              current.withState(
                  KeyState.DELETING.awsName(),
                  current.deletionDate(),
                  current.pendingWindowDays()));
        }
        completeDeletion(current, store.materials(current.keyId()));
        count++;
      }
    }
    return count;
  }

  private void completeDeletion(KeyRecord key, List<MaterialRecord> materials) {
    for (MaterialRecord m : materials) {
      hsm.destroyKey(MaterialId.fromHex(m.materialId()));
    }
    hsm.destroyKey(MaterialId.fromHex(key.currentMaterialId()));
    store.deleteKey(key.keyId());
    LOG.info("key {} deleted: its key material was destroyed in the HSM", key.keyId());
  }
}
