package org.hsmkms.store;

import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

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
 * database.
 */
public final class CachingMetadataStore implements MetadataStore {
  /** Above this many entries a cache is emptied rather than grown (random ids cost no memory). */
  static final int MAX_ENTRIES = 100_000;

  private final MetadataStore store;
  private final ClusterChanges cluster;
  private final AtomicLong generation = new AtomicLong();
  private final Map<String, Optional<KeyRecord>> keys = new ConcurrentHashMap<>();
  private final Map<String, Optional<AliasRecord>> aliases = new ConcurrentHashMap<>();
  private final Map<String, List<MaterialRecord>> materials = new ConcurrentHashMap<>();
  private final Map<String, List<GrantRecord>> grants = new ConcurrentHashMap<>();
  private final Map<String, Optional<GrantRecord>> grantsByToken = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> tags = new ConcurrentHashMap<>();
  private final Map<String, List<AliasRecord>> aliasesOfKey = new ConcurrentHashMap<>();

  /** Caches in front of a store that no other process writes. */
  public CachingMetadataStore(MetadataStore store) {
    this(store, null);
  }

  private CachingMetadataStore(MetadataStore store, ClusterChanges cluster) {
    this.store = store;
    this.cluster = cluster;
  }

  /**
   * Caches in front of a store that other nodes write too, and starts following {@code cluster}
   * (which this object closes); until the feed first confirms the caches, reads go to the store.
   */
  public static CachingMetadataStore following(
      MetadataStore store, ClusterChanges cluster, ClusterChanges.Observer observer) {
    CachingMetadataStore caching = new CachingMetadataStore(store, cluster);
    cluster.start(caching::invalidate, observer);
    return caching;
  }

  private <K, V> V cached(Map<K, V> cache, K key, Supplier<V> load) {
    if (cluster != null && !cluster.confirmsCache()) {
      // Other nodes' changes may be unreported: neither answer from memory nor fill it.
      return load.get();
    }
    V v = cache.get(key);
    if (v != null) {
      return v;
    }
    long before = generation.get();
    v = load.get();
    if (generation.get() == before) {
      if (cache.size() >= MAX_ENTRIES) {
        cache.clear();
      }
      cache.put(key, v);
      // A write that began after the check above has emptied the caches already, or will.
      if (generation.get() != before) {
        cache.remove(key);
      }
    }
    return v;
  }

  private void invalidate() {
    generation.incrementAndGet();
    keys.clear();
    aliases.clear();
    materials.clear();
    grants.clear();
    grantsByToken.clear();
    tags.clear();
    aliasesOfKey.clear();
  }

  /** Runs a write, emptying the caches before and after it. */
  private <T> T write(Supplier<T> w) {
    invalidate();
    try {
      return w.get();
    } finally {
      invalidate();
    }
  }

  private void write(Runnable w) {
    write(
        () -> {
          w.run();
          return null;
        });
  }

  @Override
  public void insertKey(KeyRecord key, MaterialRecord firstMaterial) {
    write(() -> store.insertKey(key, firstMaterial));
  }

  @Override
  public Optional<KeyRecord> findKey(String keyId) {
    return cached(keys, keyId, () -> store.findKey(keyId));
  }

  @Override
  public void updateKey(KeyRecord key) {
    write(() -> store.updateKey(key));
  }

  @Override
  public void deleteKey(String keyId) {
    write(() -> store.deleteKey(keyId));
  }

  @Override
  public List<KeyRecord> listKeys(String account, String region, String afterKeyId, int limit) {
    return store.listKeys(account, region, afterKeyId, limit);
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
    return cached(materials, keyId, () -> List.copyOf(store.materials(keyId)));
  }

  @Override
  public Map<String, List<MaterialRecord>> allMaterials() {
    return store.allMaterials();
  }

  @Override
  public boolean insertAlias(AliasRecord alias) {
    return write(() -> store.insertAlias(alias));
  }

  @Override
  public Optional<AliasRecord> findAlias(String account, String region, String aliasName) {
    return cached(
        aliases,
        account + '\n' + region + '\n' + aliasName,
        () -> store.findAlias(account, region, aliasName));
  }

  @Override
  public boolean updateAlias(AliasRecord alias) {
    return write(() -> store.updateAlias(alias));
  }

  @Override
  public boolean deleteAlias(String account, String region, String aliasName) {
    return write(() -> store.deleteAlias(account, region, aliasName));
  }

  @Override
  public List<AliasRecord> listAliases(
      String account, String region, String keyId, String afterAliasName, int limit) {
    if (keyId == null || afterAliasName != null) {
      return store.listAliases(account, region, keyId, afterAliasName, limit);
    }
    // The first page of one key's aliases: what kms:ResourceAliases reads on every request.
    return cached(
        aliasesOfKey,
        account + '\n' + region + '\n' + keyId + '\n' + limit,
        () -> List.copyOf(store.listAliases(account, region, keyId, null, limit)));
  }

  @Override
  public void putTags(String keyId, Map<String, String> tags) {
    write(() -> store.putTags(keyId, tags));
  }

  @Override
  public void removeTags(String keyId, Set<String> tagKeys) {
    write(() -> store.removeTags(keyId, tagKeys));
  }

  @Override
  public Map<String, String> tags(String keyId) {
    // aws:ResourceTag conditions read a key's tags on every request.
    return cached(
        tags, keyId, () -> Collections.unmodifiableMap(new LinkedHashMap<>(store.tags(keyId))));
  }

  @Override
  public void insertGrant(GrantRecord grant, String tokenHash) {
    write(() -> store.insertGrant(grant, tokenHash));
  }

  @Override
  public void addGrantToken(String grantId, String tokenHash) {
    write(() -> store.addGrantToken(grantId, tokenHash));
  }

  @Override
  public Optional<GrantRecord> findGrant(String grantId) {
    return store.findGrant(grantId);
  }

  @Override
  public Optional<GrantRecord> findGrantByToken(String tokenHash) {
    return cached(grantsByToken, tokenHash, () -> store.findGrantByToken(tokenHash));
  }

  @Override
  public List<GrantRecord> grantsOfKey(String keyId) {
    return cached(grants, keyId, () -> List.copyOf(store.grantsOfKey(keyId)));
  }

  @Override
  public List<GrantRecord> grantsByRetiringPrincipal(
      String region, String retiringPrincipal, String afterGrantId, int limit) {
    return store.grantsByRetiringPrincipal(region, retiringPrincipal, afterGrantId, limit);
  }

  @Override
  public boolean deleteGrant(String grantId) {
    return write(() -> store.deleteGrant(grantId));
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
    return write(() -> store.completeRotation(materialId, now));
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
    write(() -> store.insertImportParameters(parameters));
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
    write(() -> store.markWrappingKeyDestroyed(tokenHash));
  }

  @Override
  public int deleteImportParametersExpiredBefore(java.time.Instant cutoff) {
    return write(() -> store.deleteImportParametersExpiredBefore(cutoff));
  }

  @Override
  public Optional<ImportedMaterialRecord> findImportedMaterial(String keyId) {
    return store.findImportedMaterial(keyId);
  }

  @Override
  public void completeImport(ImportedMaterialRecord material, KeyRecord key) {
    write(() -> store.completeImport(material, key));
  }

  @Override
  public List<ImportedMaterialRecord> importedMaterialsExpiredBy(java.time.Instant now) {
    return store.importedMaterialsExpiredBy(now);
  }

  @Override
  public int deleteImportedMaterialsOfMissingKeys() {
    return write(store::deleteImportedMaterialsOfMissingKeys);
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
    write(() -> store.insertMultiRegionKey(primary, firstMaterial));
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
    write(() -> store.insertReplica(replica, tags));
  }

  @Override
  public void updatePrimaryRegion(String mrkId, String fromRegion, String newPrimaryRegion) {
    write(() -> store.updatePrimaryRegion(mrkId, fromRegion, newPrimaryRegion));
  }
}
