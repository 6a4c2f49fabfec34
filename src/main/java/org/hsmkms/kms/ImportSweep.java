package org.hsmkms.kms;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.hsmkms.hsm.KeyImport;
import org.hsmkms.hsm.KeyInventory;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.store.ImportParametersRecord;
import org.hsmkms.store.ImportedMaterialRecord;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background work of imported key material: materials whose ValidTo has passed are destroyed
 * (the key goes to PendingImport), wrapping keys whose 24 hours are over are destroyed, and at
 * start-up what an interrupted import or deletion left is repaired.
 *
 * <p>Security: a PendingImport key never has valid material, so any HSM object under its material
 * id is what an interrupted import or withdrawal left; it is destroyed (the client of such an
 * import got no success answer, and withdrawn material was to be destroyed).
 */
public final class ImportSweep {
  private static final Logger LOG = LoggerFactory.getLogger(ImportSweep.class);

  /** Expired import parameters are remembered this long, to answer ExpiredImportTokenException. */
  static final Duration EXPIRED_TOKENS_KEPT = Duration.ofDays(7);

  private final KeyMaterialImport imports;
  private final KeyImport hsm;
  private final KeyInventory inventory;
  private final MetadataStore store;
  private final Keys keys;
  private final Clock clock;

  public ImportSweep(
      KeyMaterialImport imports,
      KeyImport hsm,
      KeyInventory inventory,
      MetadataStore store,
      Keys keys,
      Clock clock) {
    this.imports = imports;
    this.hsm = hsm;
    this.inventory = inventory;
    this.store = store;
    this.keys = keys;
    this.clock = clock;
  }

  /** What one sweep did, for the log and for tests. */
  public record Result(int materialsExpired, int wrappingKeysDestroyed) {}

  /** Carries out what is due now. Safe to run at any time, and again after a crash. */
  public Result sweep() {
    Instant now = clock.instant();
    int expired = 0;
    for (ImportedMaterialRecord m : store.importedMaterialsExpiredBy(now)) {
      boolean withdrawn;
      synchronized (keys.lifecycleLock()) {
        withdrawn = ConflictRetry.retry(() -> withdrawIfExpired(m.keyId(), now));
      }
      if (!withdrawn) {
        continue;
      }
      expired++;
      LOG.info("key {}: imported key material expired and was destroyed", m.keyId());
    }
    int destroyed = 0;
    for (ImportParametersRecord p : store.importParametersExpiredBy(now)) {
      hsm.destroyWrappingKey(MaterialId.fromHex(p.wrappingKeyId()));
      store.markWrappingKeyDestroyed(p.tokenHash());
      destroyed++;
    }
    store.deleteImportParametersExpiredBefore(now.minus(EXPIRED_TOKENS_KEPT));
    store.deleteImportedMaterialsOfMissingKeys();
    return new Result(expired, destroyed);
  }

  /** Withdraws the key's imported material if it is still expired and in use (re-read here). */
  private boolean withdrawIfExpired(String keyId, Instant now) {
    // Re-read: the material may have been re-imported with a later ValidTo since the query.
    KeyRecord key = store.findKey(keyId).orElse(null);
    ImportedMaterialRecord current = store.findImportedMaterial(keyId).orElse(null);
    if (key == null
        || current == null
        || current.validTo() == null
        || current.validTo().isAfter(now)
        || !Set.of(KeyState.ENABLED.awsName(), KeyState.DISABLED.awsName())
            .contains(key.keyState())) {
      return false;
    }
    imports.withdraw(key);
    return true;
  }

  /**
   * Start-up repair, before any request: destroys the HSM objects of PendingImport keys (a
   * half-done import or withdrawal), and the wrapping key pairs that no recorded import parameters
   * name (a GetParametersForImport interrupted between the HSM and the store: its token was never
   * answered, so the pair can never be used). Answers how many keys had an object.
   */
  public int reconcile() {
    Set<String> live = store.liveWrappingKeyIds();
    for (MaterialId wrapping : hsm.listWrappingKeys()) {
      if (!live.contains(wrapping.hex())) {
        hsm.destroyWrappingKey(wrapping);
        LOG.warn(
            "wrapping key {}: made by an interrupted GetParametersForImport, never answered;"
                + " destroyed",
            wrapping.hex());
      }
    }
    List<KeyRecord> pending = store.keysInStates(Set.of(KeyState.PENDING_IMPORT.awsName()));
    int repaired = 0;
    for (KeyRecord key : pending) {
      MaterialId material = MaterialId.fromHex(key.currentMaterialId());
      if (inventory.keyExists(material)) {
        inventory.destroyKey(material);
        repaired++;
        LOG.warn(
            "key {}: an interrupted import or deletion of key material left an HSM object;"
                + " destroyed, the key stays PendingImport",
            key.keyId());
      }
    }
    return repaired;
  }
}
