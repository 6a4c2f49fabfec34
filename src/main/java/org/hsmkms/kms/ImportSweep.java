package org.hsmkms.kms;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.hsmkms.hsm.KeyImport;
import org.hsmkms.hsm.KeyInventory;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.kms.cluster.ClusterNode;
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
 *
 * <p>Several nodes: such an object is destroyed only by a node that owns the key's row (an
 * exclusive claim, see {@link KeyMaterialImport}), so never while another live node imports into
 * the key; a wrapping key pair leased by another live node is left to it. The expiry of material is
 * a compare-and-set in the database (Enabled or Disabled with the same ValidTo to PendingImport),
 * so two leaders for a moment withdraw it once. What dead nodes left is repaired by {@link
 * #reconcileAbandoned()}, which the leader runs periodically.
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
  private final ClusterNode cluster;

  /** The sweep of a process that is its store's only user. */
  public ImportSweep(
      KeyMaterialImport imports,
      KeyImport hsm,
      KeyInventory inventory,
      MetadataStore store,
      Keys keys,
      Clock clock) {
    this(imports, hsm, inventory, store, keys, clock, null);
  }

  /**
   * @param cluster this process as a node of the cluster sharing the store; null when it is the
   *     store's only user
   */
  public ImportSweep(
      KeyMaterialImport imports,
      KeyImport hsm,
      KeyInventory inventory,
      MetadataStore store,
      Keys keys,
      Clock clock,
      ClusterNode cluster) {
    this.cluster = cluster;
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
    if (cluster == null) {
      imports.withdraw(key);
      return true;
    }
    if (!cluster.beginExpiry(keyId, current.validTo())) {
      return false; // withdrawn, re-imported or being worked on by another node meanwhile
    }
    try {
      // The claim moved the state; the row's own compare-and-set follows on a fresh read (a
      // DisableKey written between the read above and the claim raised the version).
      ConflictRetry.retry(() -> imports.withdraw(store.findKey(keyId).orElseThrow()));
    } finally {
      imports.disown(keyId);
    }
    return true;
  }

  /**
   * Start-up repair, before any request: destroys the HSM objects of PendingImport keys (a
   * half-done import or withdrawal), and the wrapping key pairs that no recorded import parameters
   * name (a GetParametersForImport interrupted between the HSM and the store: its token was never
   * answered, so the pair can never be used), except what other live nodes have in flight. Answers
   * how many keys had an object.
   */
  public int reconcile() {
    List<MaterialId> pairs = hsm.listWrappingKeys();
    // In this order: a pair is leased before the HSM makes it, and its lease is released only
    // after its parameters are recorded, so a listed pair is in one of the two sets read after.
    Set<String> busy = cluster == null ? Set.of() : cluster.workOfOtherLiveNodes();
    Set<String> live = store.liveWrappingKeyIds();
    for (MaterialId wrapping : pairs) {
      if (live.contains(wrapping.hex())) {
        continue;
      }
      if (busy.contains(KeyMaterialImport.wrappingLease(wrapping))) {
        LOG.info("wrapping key {}: being made by another live node; left to it", wrapping.hex());
        continue;
      }
      hsm.destroyWrappingKey(wrapping);
      LOG.warn(
          "wrapping key {}: made by an interrupted GetParametersForImport, never answered;"
              + " destroyed",
          wrapping.hex());
    }
    int repaired = 0;
    for (KeyRecord key : store.keysInStates(Set.of(KeyState.PENDING_IMPORT.awsName()))) {
      if (repairObject(key.keyId())) {
        repaired++;
      }
    }
    return repaired;
  }

  /**
   * The periodic repair (the leader's, before the dead nodes are forgotten): the HSM objects of
   * PendingImport keys that dead nodes owned, and the wrapping key pairs that dead nodes leased and
   * never recorded. Looks up only those objects (no listing of the token beside requests). Answers
   * how many objects were destroyed.
   */
  public int reconcileAbandoned() {
    if (cluster == null) {
      return 0;
    }
    Set<String> abandoned = cluster.abandonedImports();
    if (abandoned.isEmpty()) {
      return 0;
    }
    // Read after the leases: a dead node recorded whatever it recorded before it died.
    Set<String> live = store.liveWrappingKeyIds();
    int destroyed = 0;
    for (String id : abandoned) {
      if (id.startsWith(KeyMaterialImport.WRAPPING_LEASE)) {
        String hex = id.substring(KeyMaterialImport.WRAPPING_LEASE.length());
        if (!live.contains(hex)) {
          hsm.destroyWrappingKey(MaterialId.fromHex(hex));
          destroyed++;
          LOG.warn(
              "wrapping key {}: made by a GetParametersForImport of a dead node, never answered;"
                  + " destroyed",
              hex);
        }
        cluster.releaseLease(id);
      } else if (repairObject(id)) {
        destroyed++;
      }
    }
    return destroyed;
  }

  /**
   * Destroys the HSM object of a PendingImport key, if it has one, as the owner of its row; leaves
   * it if another live node owns the row (its import is in flight). True if an object was
   * destroyed.
   */
  private boolean repairObject(String keyId) {
    KeyRecord listed = store.findKey(keyId).orElse(null);
    if (listed == null || !KeyState.PENDING_IMPORT.awsName().equals(listed.keyState())) {
      return false;
    }
    MaterialId material = MaterialId.fromHex(listed.currentMaterialId());
    if (!inventory.keyExists(material)) {
      return false;
    }
    synchronized (keys.lifecycleLock()) {
      if (cluster != null && !cluster.ownKey(keyId)) {
        LOG.info("key {}: an import in progress on a live node; left to it", keyId);
        return false;
      }
      try {
        // Read again as the owner: the import may have finished since the listing.
        KeyRecord key = store.findKey(keyId).orElse(null);
        if (key == null
            || !KeyState.PENDING_IMPORT.awsName().equals(key.keyState())
            || !inventory.keyExists(material)) {
          return false;
        }
        inventory.destroyKey(material);
      } finally {
        imports.disown(keyId);
      }
    }
    LOG.warn(
        "key {}: an interrupted import or deletion of key material left an HSM object;"
            + " destroyed, the key stays PendingImport",
        keyId);
    return true;
  }
}
