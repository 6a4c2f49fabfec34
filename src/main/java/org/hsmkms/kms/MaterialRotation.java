package org.hsmkms.kms;

import java.time.Clock;
import java.util.Optional;
import org.hsmkms.hsm.KeyInventory;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.RandomSource;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MetadataStore;
import org.hsmkms.store.RotationClaim;
import org.hsmkms.store.RotationRecord;
import org.hsmkms.store.RotationSchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a key's next material and switches the key to it, crash-safely and exactly once; and the
 * sweep that carries out due scheduled rotations and the rotations of materials at their usage
 * limit.
 *
 * <p>A rotation has three steps, like CreateKey: the rotation row is claimed in the store (state
 * Creating; the claim is exclusive per key and checks the schedule or the on-demand limit in the
 * same transaction), then the HSM generates the new AES-256 key as a token object with the CMK's
 * attributes, then one transaction makes it the key's current material. A crash between the steps
 * is finished or rolled back at start-up by {@link Reconciler}. The steps run under the key
 * lifecycle lock, so that a deletion or a state change cannot interleave with them.
 *
 * <p>Security: the new material is generated inside the HSM, sensitive and never extractable; only
 * its id reaches the store. Earlier materials are kept, so that every ciphertext they made still
 * decrypts; they are destroyed with the key.
 */
public final class MaterialRotation {
  private static final Logger LOG = LoggerFactory.getLogger(MaterialRotation.class);

  /** AWS: "You can perform on-demand key rotation a maximum of 25 times per KMS key". */
  static final int ON_DEMAND_LIMIT = 25;

  private final KeyInventory hsm;
  private final RandomSource random;
  private final MetadataStore store;
  private final Keys keys;
  private final UsageLimits usage;
  private final Clock clock;

  public MaterialRotation(
      KeyInventory hsm,
      RandomSource random,
      MetadataStore store,
      Keys keys,
      UsageLimits usage,
      Clock clock) {
    this.hsm = hsm;
    this.random = random;
    this.store = store;
    this.keys = keys;
    this.usage = usage;
    this.clock = clock;
  }

  /** What a rotation attempt came to: the completed rotation, or why none was made. */
  record Outcome(RotationClaim claim, RotationRecord rotation) {}

  /**
   * Rotates {@code keyId} now, if it is still Enabled and can rotate and the claim succeeds.
   * Callers check the state rules they answer errors for before.
   */
  Outcome rotate(String keyId, String cause) {
    synchronized (keys.lifecycleLock()) {
      // Re-read under the lock: the key may have been disabled or scheduled for deletion.
      Optional<KeyRecord> key = store.findKey(keyId);
      if (key.isEmpty()
          || KeyState.fromAwsName(key.get().keyState()) != KeyState.ENABLED
          || !RotationRules.canRotate(key.get())) {
        return new Outcome(RotationClaim.NOT_DUE, null);
      }
      MaterialId material = MaterialId.of(random.generateRandom(16));
      RotationRecord creating =
          new RotationRecord(material.hex(), keyId, cause, false, clock.instant());
      RotationClaim claim = store.claimRotation(creating, ON_DEMAND_LIMIT);
      if (claim != RotationClaim.CLAIMED) {
        return new Outcome(claim, null);
      }
      CrashPoints.reach(CrashPoints.ROTATION_CLAIMED);
      try {
        hsm.generateAesKey(material, keyId);
      } catch (RuntimeException e) {
        store.deleteRotation(material.hex());
        throw e;
      }
      CrashPoints.reach(CrashPoints.ROTATION_MATERIAL_MADE);
      RotationRecord done = store.completeRotation(material.hex(), clock.instant());
      LOG.info(
          "key {} rotated ({}): material {} replaces {}, which still decrypts",
          keyId,
          cause,
          material.hex(),
          key.get().currentMaterialId());
      return new Outcome(RotationClaim.CLAIMED, done);
    }
  }

  /**
   * Carries out every scheduled rotation that is due and every rotation asked for by a material at
   * its usage limit; answers how many rotations it made. Run by a periodic timer (and by tests
   * directly); safe to run concurrently with itself and after a restart: a due rotation is claimed
   * in the store before the HSM makes anything, and a completed one moves its schedule on.
   */
  public int sweep() {
    int rotated = 0;
    for (RotationSchedule due : store.dueRotationSchedules(clock.instant())) {
      try {
        if (rotate(due.keyId(), RotationRecord.SCHEDULED).rotation() != null) {
          rotated++;
        }
      } catch (RuntimeException e) {
        LOG.error("key {}: scheduled rotation failed; retried at the next sweep", due.keyId(), e);
      }
    }
    for (UsageLimits.Request r : usage.takeRequests()) {
      Optional<KeyRecord> key = store.findKey(r.keyId());
      if (key.isEmpty() || !r.materialId().equals(key.get().currentMaterialId())) {
        continue; // rotated already, or deleted
      }
      try {
        // A multi-Region key's material is rotated through the row that owns it (the primary's).
        if (rotate(keys.materialOwner(key.get()), RotationRecord.USAGE_LIMIT).rotation() != null) {
          rotated++;
        } else {
          usage.dropped(r);
        }
      } catch (RuntimeException e) {
        usage.dropped(r);
        LOG.error("key {}: rotation at the usage limit failed", r.keyId(), e);
      }
    }
    return rotated;
  }
}
