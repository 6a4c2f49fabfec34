package org.hsmkms.store.jdbc;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.hsmkms.store.AliasRecord;
import org.hsmkms.store.ClusterChanges;
import org.hsmkms.store.GrantRecord;
import org.hsmkms.store.ImportParametersRecord;
import org.hsmkms.store.ImportedMaterialRecord;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.KeyUsageRecord;
import org.hsmkms.store.MaterialRecord;
import org.hsmkms.store.MetadataStore;
import org.hsmkms.store.MultiRegionKeyRecord;
import org.hsmkms.store.RotationClaim;
import org.hsmkms.store.RotationRecord;
import org.hsmkms.store.RotationSchedule;
import org.hsmkms.store.StoreException;

/**
 * {@link MetadataStore} over JDBC. The embedded default is a SQLite file ({@code
 * jdbc:sqlite:/path/metadata.db}) in WAL mode; several nodes share a PostgreSQL database ({@code
 * jdbc:postgresql://host:port/db}). The SQL is the same on both.
 *
 * <p>The constructor makes the SQLite file's directory if needed and applies the {@link
 * Migrations}; a database newer than this build is refused. A write call is one transaction. On
 * SQLite writes share one connection and reads run concurrently on a few others; on PostgreSQL both
 * come from a validating pool, writes at SERIALIZABLE ({@link PostgresConnections}).
 *
 * <p>Each call goes to its domain's {@code *Transactions} class (checks, transaction, its {@link
 * StoreException}s); each table's SQL is in a {@code *Rows} class. Instants are epoch millis.
 *
 * <p>Security: the store holds ids of HSM objects, never key material. {@link StoreException}
 * messages name the operation and key id or alias name only: no description, policy, tag value,
 * JDBC URL or password.
 */
public final class JdbcMetadataStore implements MetadataStore {
  /** Read connections kept when none is given; enough for a worker pool of 8-16 threads. */
  public static final int DEFAULT_READ_CONNECTIONS = 4;

  /** How long a PostgreSQL caller waits for a pooled connection when no wait is given. */
  public static final Duration DEFAULT_ACQUIRE_TIMEOUT = Duration.ofSeconds(30);

  private final Connections connections;
  private final JdbcClusterStore cluster;
  private final KeyTransactions keys;
  private final AliasTransactions aliases;
  private final GrantTransactions grants;
  private final ImportTransactions imports;
  private final RotationTransactions rotations;
  private final MultiRegionTransactions multiRegion;

  /** Opens the database at {@code jdbcUrl} without credentials (as SQLite needs). */
  public JdbcMetadataStore(String jdbcUrl) {
    this(jdbcUrl, null, null, DEFAULT_READ_CONNECTIONS);
  }

  /** Opens the database at {@code jdbcUrl} with credentials; either may be null. */
  public JdbcMetadataStore(String jdbcUrl, String user, String password) {
    this(jdbcUrl, user, password, DEFAULT_READ_CONNECTIONS);
  }

  /** Opens the database with the default wait for a connection. */
  public JdbcMetadataStore(String jdbcUrl, String user, String password, int connections) {
    this(jdbcUrl, user, password, connections, DEFAULT_ACQUIRE_TIMEOUT);
  }

  /**
   * Opens the database and migrates its schema.
   *
   * @param user the database user (PostgreSQL), or null
   * @param password the user's password (PostgreSQL), or null; not kept by this object
   * @param connections SQLite: read connections kept beside the writer; PostgreSQL: the size of the
   *     pool; at least 1
   * @param acquireTimeout PostgreSQL: how long a call waits for a pooled connection
   * @throws StoreException if the URL is not SQLite's or PostgreSQL's, or the database cannot be
   *     opened, configured or migrated
   */
  public JdbcMetadataStore(
      String jdbcUrl, String user, String password, int connections, Duration acquireTimeout) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(acquireTimeout, "acquireTimeout");
    if (connections < 1) {
      throw new IllegalArgumentException("connections must be at least 1");
    }
    this.connections =
        Connections.open(
            jdbcUrl, user, password, connections, acquireTimeout, Migrations.fromClasspath());
    this.cluster = new JdbcClusterStore(this.connections);
    this.keys = new KeyTransactions(this.connections, cluster);
    this.aliases = new AliasTransactions(this.connections);
    this.grants = new GrantTransactions(this.connections);
    this.imports = new ImportTransactions(this.connections);
    this.rotations = new RotationTransactions(this.connections, cluster);
    this.multiRegion = new MultiRegionTransactions(this.connections, cluster);
  }

  /** Nodes, ownership of unfinished work, leadership and atomic counters on this database. */
  public org.hsmkms.store.ClusterStore cluster() {
    return cluster;
  }

  @Override
  public void insertKey(KeyRecord key, MaterialRecord firstMaterial) {
    keys.insertKey(key, firstMaterial);
  }

  @Override
  public Optional<KeyRecord> findKey(String keyId) {
    return keys.findKey(keyId);
  }

  @Override
  public Map<String, List<MaterialRecord>> allMaterials() {
    return keys.allMaterials();
  }

  @Override
  public void updateKey(KeyRecord key) {
    keys.updateKey(key);
  }

  @Override
  public void deleteKey(String keyId) {
    keys.deleteKey(keyId);
  }

  @Override
  public List<KeyRecord> listKeys(String account, String region, String afterKeyId, int limit) {
    return keys.listKeys(account, region, afterKeyId, limit);
  }

  @Override
  public int countKeys(String account, String region) {
    return keys.countKeys(account, region);
  }

  @Override
  public List<KeyRecord> keysInStates(Set<String> states) {
    return keys.keysInStates(states);
  }

  @Override
  public List<KeyRecord> allKeys() {
    return keys.allKeys();
  }

  @Override
  public List<MaterialRecord> materials(String keyId) {
    return keys.materials(keyId);
  }

  @Override
  public void putTags(String keyId, Map<String, String> tags) {
    keys.putTags(keyId, tags);
  }

  @Override
  public void removeTags(String keyId, Set<String> tagKeys) {
    keys.removeTags(keyId, tagKeys);
  }

  @Override
  public Map<String, String> tags(String keyId) {
    return keys.tags(keyId);
  }

  @Override
  public void saveKeyUsages(Collection<KeyUsageRecord> usages) {
    keys.saveKeyUsages(usages);
  }

  @Override
  public Optional<KeyUsageRecord> findKeyUsage(String keyId) {
    return keys.findKeyUsage(keyId);
  }

  @Override
  public Instant keyUsageTrackingStart(Instant now) {
    return keys.keyUsageTrackingStart(now);
  }

  @Override
  public boolean insertAlias(AliasRecord alias) {
    return aliases.insertAlias(alias);
  }

  @Override
  public Optional<AliasRecord> findAlias(String account, String region, String aliasName) {
    return aliases.findAlias(account, region, aliasName);
  }

  @Override
  public boolean updateAlias(AliasRecord alias) {
    return aliases.updateAlias(alias);
  }

  @Override
  public boolean deleteAlias(String account, String region, String aliasName) {
    return aliases.deleteAlias(account, region, aliasName);
  }

  @Override
  public List<AliasRecord> listAliases(
      String account, String region, String keyId, String afterAliasName, int limit) {
    return aliases.listAliases(account, region, keyId, afterAliasName, limit);
  }

  @Override
  public void insertGrant(GrantRecord grant, String tokenHash) {
    grants.insertGrant(grant, tokenHash);
  }

  @Override
  public void addGrantToken(String grantId, String tokenHash) {
    grants.addGrantToken(grantId, tokenHash);
  }

  @Override
  public Optional<GrantRecord> findGrant(String grantId) {
    return grants.findGrant(grantId);
  }

  @Override
  public Optional<GrantRecord> findGrantByToken(String tokenHash) {
    return grants.findGrantByToken(tokenHash);
  }

  @Override
  public List<GrantRecord> grantsOfKey(String keyId) {
    return grants.grantsOfKey(keyId);
  }

  @Override
  public List<GrantRecord> grantsByRetiringPrincipal(
      String region, String retiringPrincipal, String afterGrantId, int limit) {
    return grants.grantsByRetiringPrincipal(region, retiringPrincipal, afterGrantId, limit);
  }

  @Override
  public boolean deleteGrant(String grantId) {
    return grants.deleteGrant(grantId);
  }

  @Override
  public void insertImportParameters(ImportParametersRecord parameters) {
    imports.insertImportParameters(parameters);
  }

  @Override
  public Optional<ImportParametersRecord> findImportParameters(String tokenHash) {
    return imports.findImportParameters(tokenHash);
  }

  @Override
  public List<ImportParametersRecord> importParametersExpiredBy(java.time.Instant now) {
    return imports.importParametersExpiredBy(now);
  }

  @Override
  public Set<String> liveWrappingKeyIds() {
    return imports.liveWrappingKeyIds();
  }

  @Override
  public void markWrappingKeyDestroyed(String tokenHash) {
    imports.markWrappingKeyDestroyed(tokenHash);
  }

  @Override
  public int deleteImportParametersExpiredBefore(java.time.Instant cutoff) {
    return imports.deleteImportParametersExpiredBefore(cutoff);
  }

  @Override
  public Optional<ImportedMaterialRecord> findImportedMaterial(String keyId) {
    return imports.findImportedMaterial(keyId);
  }

  @Override
  public void completeImport(ImportedMaterialRecord material, KeyRecord key) {
    imports.completeImport(material, key);
  }

  @Override
  public List<ImportedMaterialRecord> importedMaterialsExpiredBy(java.time.Instant now) {
    return imports.importedMaterialsExpiredBy(now);
  }

  @Override
  public int deleteImportedMaterialsOfMissingKeys() {
    return imports.deleteImportedMaterialsOfMissingKeys();
  }

  @Override
  public Optional<RotationSchedule> rotationSchedule(String keyId) {
    return rotations.rotationSchedule(keyId);
  }

  @Override
  public void putRotationSchedule(RotationSchedule schedule) {
    rotations.putRotationSchedule(schedule);
  }

  @Override
  public void deleteRotationSchedule(String keyId) {
    rotations.deleteRotationSchedule(keyId);
  }

  @Override
  public List<RotationSchedule> dueRotationSchedules(java.time.Instant now) {
    return rotations.dueRotationSchedules(now);
  }

  @Override
  public RotationClaim claimRotation(RotationRecord creating, int onDemandLimit) {
    return rotations.claimRotation(creating, onDemandLimit);
  }

  @Override
  public RotationRecord completeRotation(String materialId, java.time.Instant now) {
    return rotations.completeRotation(materialId, now);
  }

  @Override
  public void deleteRotation(String materialId) {
    rotations.deleteRotation(materialId);
  }

  @Override
  public List<RotationRecord> rotations(String keyId) {
    return rotations.rotations(keyId);
  }

  @Override
  public List<RotationRecord> unfinishedRotations() {
    return rotations.unfinishedRotations();
  }

  @Override
  public void deleteRotationData(String keyId) {
    rotations.deleteRotationData(keyId);
  }

  @Override
  public long materialUsage(String materialId) {
    return rotations.materialUsage(materialId);
  }

  @Override
  public void putMaterialUsage(String materialId, long encryptions) {
    rotations.putMaterialUsage(materialId, encryptions);
  }

  @Override
  public void insertMultiRegionKey(KeyRecord primary, MaterialRecord firstMaterial) {
    multiRegion.insertMultiRegionKey(primary, firstMaterial);
  }

  @Override
  public Optional<MultiRegionKeyRecord> findMultiRegionKey(String mrkId) {
    return multiRegion.findMultiRegionKey(mrkId);
  }

  @Override
  public List<KeyRecord> multiRegionRows(String mrkId) {
    return multiRegion.multiRegionRows(mrkId);
  }

  @Override
  public void insertReplica(KeyRecord replica, Map<String, String> tags) {
    multiRegion.insertReplica(replica, tags);
  }

  @Override
  public void updatePrimaryRegion(String mrkId, String fromRegion, String newPrimaryRegion) {
    multiRegion.updatePrimaryRegion(mrkId, fromRegion, newPrimaryRegion);
  }

  /** How this node hears of other nodes' changes: on PostgreSQL only (SQLite has one writer). */
  public Optional<ClusterChanges> clusterChanges() {
    return connections.clusterChanges();
  }

  @Override
  public void close() {
    connections.close();
  }

  @Override
  public void checkReachable() {
    connections.checkReachable();
  }
}
