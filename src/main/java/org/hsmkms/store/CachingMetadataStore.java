package org.hsmkms.store;

import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps the rows every data-plane request reads (a key, an alias, a key's materials, grants and
 * tags) in memory, in front of a store that only this process writes (the embedded SQLite store),
 * or that several nodes share and whose changes a {@link ClusterChanges} feed reports (PostgreSQL).
 *
 * <p>Every write through this object empties the caches, and so does every change the feed reports.
 * A read that raced either does not put its possibly older answer into the cache: a generation
 * number, raised by every invalidation, must be unchanged between the start of the read and the
 * insertion. With a feed, the caches answer only while the feed confirms them ({@link
 * ClusterChanges#confirmsCache()}): a change through another node is seen here within {@link
 * ClusterChanges#STALENESS_BOUND}, and while the feed is disconnected every read goes to the
 * database. The caches and their bookkeeping are a {@link RowCaches}.
 */
public final class CachingMetadataStore implements MetadataStore {
  private final MetadataStore store;
  private final ClusterChanges cluster;
  private final RowCaches caches;

  /** Caches in front of a store that no other process writes. */
  public CachingMetadataStore(MetadataStore store) {
    this(store, null);
  }

  private CachingMetadataStore(MetadataStore store, ClusterChanges cluster) {
    this.store = store;
    this.cluster = cluster;
    this.caches = new RowCaches(cluster);
  }

  /**
   * Caches in front of a store that other nodes write too, and starts following {@code cluster}
   * (which this object closes); until the feed first confirms the caches, reads go to the store.
   */
  public static CachingMetadataStore following(
      MetadataStore store, ClusterChanges cluster, ClusterChanges.Observer observer) {
    CachingMetadataStore caching = new CachingMetadataStore(store, cluster);
    cluster.start(caching.caches::invalidate, observer);
    return caching;
  }

  @Override
  public void insertKey(KeyRecord key, MaterialRecord firstMaterial) {
    caches.write(() -> store.insertKey(key, firstMaterial));
  }

  @Override
  public Optional<KeyRecord> findKey(String keyId) {
    return caches.cached(caches.keys, keyId, () -> store.findKey(keyId));
  }

  @Override
  public void updateKey(KeyRecord key) {
    caches.write(() -> store.updateKey(key));
  }

  @Override
  public void deleteKey(String keyId) {
    caches.write(() -> store.deleteKey(keyId));
  }

  @Override
  public List<KeyRecord> listKeys(String account, String region, String afterKeyId, int limit) {
    return store.listKeys(account, region, afterKeyId, limit);
  }

  @Override
  public int countKeys(String account, String region) {
    return store.countKeys(account, region);
  }

  @Override
  public List<KeyRecord> keysInStates(Set<String> states) {
    return store.keysInStates(states);
  }

  @Override
  public List<KeyRecord> allKeys() {
    return store.allKeys();
  }

  @Override
  public List<MaterialRecord> materials(String keyId) {
    return caches.cached(caches.materials, keyId, () -> List.copyOf(store.materials(keyId)));
  }

  @Override
  public Map<String, List<MaterialRecord>> allMaterials() {
    return store.allMaterials();
  }

  @Override
  public boolean insertAlias(AliasRecord alias) {
    return caches.write(() -> store.insertAlias(alias));
  }

  @Override
  public Optional<AliasRecord> findAlias(String account, String region, String aliasName) {
    return caches.cached(
        caches.aliases,
        account + '\n' + region + '\n' + aliasName,
        () -> store.findAlias(account, region, aliasName));
  }

  @Override
  public boolean updateAlias(AliasRecord alias) {
    return caches.write(() -> store.updateAlias(alias));
  }

  @Override
  public boolean deleteAlias(String account, String region, String aliasName) {
    return caches.write(() -> store.deleteAlias(account, region, aliasName));
  }

  @Override
  public List<AliasRecord> listAliases(
      String account, String region, String keyId, String afterAliasName, int limit) {
    if (keyId == null || afterAliasName != null) {
      return store.listAliases(account, region, keyId, afterAliasName, limit);
    }
    // The first page of one key's aliases: what kms:ResourceAliases reads on every request.
    return caches.cached(
        caches.aliasesOfKey,
        account + '\n' + region + '\n' + keyId + '\n' + limit,
        () -> List.copyOf(store.listAliases(account, region, keyId, null, limit)));
  }

  @Override
  public void putTags(String keyId, Map<String, String> tags) {
    caches.write(() -> store.putTags(keyId, tags));
  }

  @Override
  public void removeTags(String keyId, Set<String> tagKeys) {
    caches.write(() -> store.removeTags(keyId, tagKeys));
  }

  @Override
  public Map<String, String> tags(String keyId) {
    // aws:ResourceTag conditions read a key's tags on every request.
    return caches.cached(
        caches.tags,
        keyId,
        () -> Collections.unmodifiableMap(new LinkedHashMap<>(store.tags(keyId))));
  }

  @Override
  public void insertGrant(GrantRecord grant, String tokenHash) {
    caches.write(() -> store.insertGrant(grant, tokenHash));
  }

  @Override
  public void addGrantToken(String grantId, String tokenHash) {
    caches.write(() -> store.addGrantToken(grantId, tokenHash));
  }

  @Override
  public Optional<GrantRecord> findGrant(String grantId) {
    return store.findGrant(grantId);
  }

  @Override
  public Optional<GrantRecord> findGrantByToken(String tokenHash) {
    return caches.cached(caches.grantsByToken, tokenHash, () -> store.findGrantByToken(tokenHash));
  }

  @Override
  public List<GrantRecord> grantsOfKey(String keyId) {
    return caches.cached(caches.grants, keyId, () -> List.copyOf(store.grantsOfKey(keyId)));
  }

  @Override
  public List<GrantRecord> grantsByRetiringPrincipal(
      String region, String retiringPrincipal, String afterGrantId, int limit) {
    return store.grantsByRetiringPrincipal(region, retiringPrincipal, afterGrantId, limit);
  }

  @Override
  public boolean deleteGrant(String grantId) {
    return caches.write(() -> store.deleteGrant(grantId));
  }

  // --- rotation ---

  @Override
  public Optional<RotationSchedule> rotationSchedule(String keyId) {
    return store.rotationSchedule(keyId);
  }

  @Override
  public void putRotationSchedule(RotationSchedule schedule) {
    store.putRotationSchedule(schedule);
  }

  @Override
  public void deleteRotationSchedule(String keyId) {
    store.deleteRotationSchedule(keyId);
  }

  @Override
  public List<RotationSchedule> dueRotationSchedules(java.time.Instant now) {
    return store.dueRotationSchedules(now);
  }

  @Override
  public RotationClaim claimRotation(RotationRecord creating, int onDemandLimit) {
    return store.claimRotation(creating, onDemandLimit);
  }

  /** Changes the key's current material and its materials: the caches are emptied. */
  @Override
  public RotationRecord completeRotation(String materialId, java.time.Instant now) {
    return caches.write(() -> store.completeRotation(materialId, now));
  }

  @Override
  public void deleteRotation(String materialId) {
    store.deleteRotation(materialId);
  }

  @Override
  public List<RotationRecord> rotations(String keyId) {
    return store.rotations(keyId);
  }

  @Override
  public List<RotationRecord> unfinishedRotations() {
    return store.unfinishedRotations();
  }

  @Override
  public void deleteRotationData(String keyId) {
    store.deleteRotationData(keyId);
  }

  @Override
  public long materialUsage(String materialId) {
    return store.materialUsage(materialId);
  }

  @Override
  public void putMaterialUsage(String materialId, long encryptions) {
    store.putMaterialUsage(materialId, encryptions);
  }

  // --- imported key material ---

  @Override
  public void insertImportParameters(ImportParametersRecord parameters) {
    caches.write(() -> store.insertImportParameters(parameters));
  }

  @Override
  public Optional<ImportParametersRecord> findImportParameters(String tokenHash) {
    return store.findImportParameters(tokenHash);
  }

  @Override
  public List<ImportParametersRecord> importParametersExpiredBy(java.time.Instant now) {
    return store.importParametersExpiredBy(now);
  }

  @Override
  public Set<String> liveWrappingKeyIds() {
    return store.liveWrappingKeyIds();
  }

  @Override
  public void markWrappingKeyDestroyed(String tokenHash) {
    caches.write(() -> store.markWrappingKeyDestroyed(tokenHash));
  }

  @Override
  public int deleteImportParametersExpiredBefore(java.time.Instant cutoff) {
    return caches.write(() -> store.deleteImportParametersExpiredBefore(cutoff));
  }

  @Override
  public Optional<ImportedMaterialRecord> findImportedMaterial(String keyId) {
    return store.findImportedMaterial(keyId);
  }

  @Override
  public void completeImport(ImportedMaterialRecord material, KeyRecord key) {
    caches.write(() -> store.completeImport(material, key));
  }

  @Override
  public List<ImportedMaterialRecord> importedMaterialsExpiredBy(java.time.Instant now) {
    return store.importedMaterialsExpiredBy(now);
  }

  @Override
  public int deleteImportedMaterialsOfMissingKeys() {
    return caches.write(store::deleteImportedMaterialsOfMissingKeys);
  }

  @Override
  public void close() {
    if (cluster != null) {
      cluster.close();
    }
    store.close();
  }

  @Override
  public void checkReachable() {
    store.checkReachable();
  }

  // --- key last usage (GetKeyLastUsage) ---

  // Not cached, and written without emptying the caches: the periodic flush must not cost every
  // other cache its entries, and GetKeyLastUsage reads the table rarely.
  @Override
  public void saveKeyUsages(Collection<KeyUsageRecord> usages) {
    store.saveKeyUsages(usages);
  }

  @Override
  public Optional<KeyUsageRecord> findKeyUsage(String keyId) {
    return store.findKeyUsage(keyId);
  }

  @Override
  public Instant keyUsageTrackingStart(Instant now) {
    return store.keyUsageTrackingStart(now);
  }

  // --- multi-Region keys ---
  // Not cached: read by management operations and by Decrypt of a material that is not current.

  @Override
  public void insertMultiRegionKey(KeyRecord primary, MaterialRecord firstMaterial) {
    caches.write(() -> store.insertMultiRegionKey(primary, firstMaterial));
  }

  @Override
  public Optional<MultiRegionKeyRecord> findMultiRegionKey(String mrkId) {
    return store.findMultiRegionKey(mrkId);
  }

  @Override
  public List<KeyRecord> multiRegionRows(String mrkId) {
    return store.multiRegionRows(mrkId);
  }

  @Override
  public void insertReplica(KeyRecord replica, Map<String, String> tags) {
    caches.write(() -> store.insertReplica(replica, tags));
  }

  @Override
  public void updatePrimaryRegion(String mrkId, String fromRegion, String newPrimaryRegion) {
    caches.write(() -> store.updatePrimaryRegion(mrkId, fromRegion, newPrimaryRegion));
  }
}
