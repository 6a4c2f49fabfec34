package org.hsmkms.store.jdbc;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
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
 * <p>The constructor creates the SQLite file's directory if needed and applies the {@link
 * Migrations} before the store is usable; a database newer than this build is refused. Each write
 * call is one transaction. On SQLite writes go through one connection and reads use a small set of
 * read connections that run concurrently with each other and with writes; on PostgreSQL both come
 * from a validating pool and writes run at SERIALIZABLE (see {@link PostgresConnections}).
 *
 * <p>This class checks each call's arguments, chooses its connection and transaction and names the
 * operation; the SQL of each table lives in {@link KeyRows} (keys and their materials), {@link
 * AliasRows}, {@link TagRows} and {@link GrantRows}.
 *
 * <p>Instants are stored as epoch milliseconds, so precision below a millisecond is dropped.
 *
 * <p>Security: the store holds ids of HSM objects, never key material. {@link StoreException}
 * messages name the operation and key id or alias name only, never descriptions, policies or tag
 * values, and never the JDBC URL or password.
 */
public final class JdbcMetadataStore implements MetadataStore {

  /** Read connections kept when none is given; enough for a worker pool of 8-16 threads. */
  public static final int DEFAULT_READ_CONNECTIONS = 4;

  /** How long a PostgreSQL caller waits for a pooled connection when no wait is given. */
  public static final Duration DEFAULT_ACQUIRE_TIMEOUT = Duration.ofSeconds(30);

  private final Connections connections;
  private final JdbcClusterStore cluster;

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
  }

  /** Nodes, ownership of unfinished work, leadership and atomic counters on this database. */
  public org.hsmkms.store.ClusterStore cluster() {
    return cluster;
  }

  @Override
  public void insertKey(KeyRecord key, MaterialRecord firstMaterial) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(firstMaterial, "firstMaterial");
    if (!key.keyId().equals(firstMaterial.keyId())) {
      throw new IllegalArgumentException("first material belongs to a different key");
    }
    connections.write(
        "insertKey " + key.keyId(),
        c -> {
          KeyRows.insert(c, key, firstMaterial);
          cluster.ownCreatingKey(c, key.keyId());
          return null;
        });
  }

  @Override
  public Optional<KeyRecord> findKey(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    return connections.read("findKey " + keyId, c -> KeyRows.find(c, keyId));
  }

  @Override
  public Map<String, List<MaterialRecord>> allMaterials() {
    return connections.read("allMaterials", KeyRows::allMaterials);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The key id, account, region, spec, usage, origin and creation date of {@code key} are not
   * written; the row is found by key id.
   *
   * @throws StoreException if there is no key with that id
   */
  @Override
  public void updateKey(KeyRecord key) {
    Objects.requireNonNull(key, "key");
    String operation = "updateKey " + key.keyId();
    connections.write(
        operation,
        c -> {
          if (!KeyRows.update(c, key)) {
            throw new StoreException(operation + " failed: no such key");
          }
          return null;
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Deleting a key that does not exist does nothing, so a deletion interrupted after this call
   * can be completed again at start-up.
   */
  @Override
  public void deleteKey(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    connections.write(
        "deleteKey " + keyId,
        c -> {
          // Children first: the foreign keys would refuse the key row while they exist.
          TagRows.deleteOfKey(c, keyId);
          GrantRows.deleteOfKey(c, keyId);
          AliasRows.deleteOfKey(c, keyId);
          MultiRegionRows.checkDeletable(c, keyId);
          KeyRows.delete(c, keyId);
          MultiRegionRows.deleteIfLast(c, keyId);
          return null;
        });
  }

  @Override
  public List<KeyRecord> listKeys(String account, String region, String afterKeyId, int limit) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(region, "region");
    requirePositive(limit);
    return connections.read("listKeys", c -> KeyRows.list(c, account, region, afterKeyId, limit));
  }

  @Override
  public List<KeyRecord> keysInStates(Set<String> states) {
    Objects.requireNonNull(states, "states");
    if (states.isEmpty()) {
      return List.of();
    }
    List<String> stateList = List.copyOf(states);
    return connections.read("keysInStates", c -> KeyRows.inStates(c, stateList));
  }

  @Override
  public List<KeyRecord> allKeys() {
    return connections.read("allKeys", KeyRows::all);
  }

  /** {@inheritDoc} Oldest first. */
  @Override
  public List<MaterialRecord> materials(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    return connections.read("materials " + keyId, c -> KeyRows.materials(c, keyId));
  }

  /**
   * {@inheritDoc}
   *
   * @throws StoreException if the target key does not exist
   */
  @Override
  public boolean insertAlias(AliasRecord alias) {
    AliasRows.requireComplete(alias);
    return connections.write("insertAlias " + alias.aliasName(), c -> AliasRows.insert(c, alias));
  }

  @Override
  public Optional<AliasRecord> findAlias(String account, String region, String aliasName) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(aliasName, "aliasName");
    return connections.read(
        "findAlias " + aliasName, c -> AliasRows.find(c, account, region, aliasName));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Writes the target key id and last-updated date; the creation date is kept.
   *
   * @throws StoreException if the new target key does not exist
   */
  @Override
  public boolean updateAlias(AliasRecord alias) {
    AliasRows.requireComplete(alias);
    return connections.write("updateAlias " + alias.aliasName(), c -> AliasRows.update(c, alias));
  }

  @Override
  public boolean deleteAlias(String account, String region, String aliasName) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(aliasName, "aliasName");
    return connections.write(
        "deleteAlias " + aliasName, c -> AliasRows.delete(c, account, region, aliasName));
  }

  @Override
  public List<AliasRecord> listAliases(
      String account, String region, String keyId, String afterAliasName, int limit) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(region, "region");
    requirePositive(limit);
    return connections.read(
        keyId == null ? "listAliases" : "listAliases " + keyId,
        c -> AliasRows.list(c, account, region, keyId, afterAliasName, limit));
  }

  /**
   * {@inheritDoc}
   *
   * @throws StoreException if the key does not exist
   */
  @Override
  public void putTags(String keyId, Map<String, String> tags) {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(tags, "tags");
    if (tags.isEmpty()) {
      return;
    }
    Map<String, String> copy = new TreeMap<>(tags);
    copy.forEach(
        (k, v) -> {
          Objects.requireNonNull(k, "tag key");
          Objects.requireNonNull(v, "tag value");
        });
    connections.write(
        "putTags " + keyId,
        c -> {
          TagRows.put(c, keyId, copy);
          return null;
        });
  }

  @Override
  public void removeTags(String keyId, Set<String> tagKeys) {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(tagKeys, "tagKeys");
    if (tagKeys.isEmpty()) {
      return;
    }
    List<String> keys = List.copyOf(tagKeys);
    connections.write(
        "removeTags " + keyId,
        c -> {
          TagRows.remove(c, keyId, keys);
          return null;
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Sorted in Java ({@link String} order) so the order does not depend on the database's
   * collation. The map is unmodifiable; it is empty for an unknown key.
   */
  @Override
  public Map<String, String> tags(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    return connections.read("tags " + keyId, c -> TagRows.ofKey(c, keyId));
  }

  /**
   * {@inheritDoc}
   *
   * @throws StoreException if the key does not exist or the grant id or token hash is taken
   */
  @Override
  public void insertGrant(GrantRecord grant, String tokenHash) {
    Objects.requireNonNull(grant, "grant");
    Objects.requireNonNull(tokenHash, "tokenHash");
    connections.write(
        "insertGrant " + grant.grantId(),
        c -> {
          GrantRows.insert(c, grant, tokenHash);
          return null;
        });
  }

  /**
   * {@inheritDoc}
   *
   * @throws StoreException if the grant does not exist or the token hash is taken
   */
  @Override
  public void addGrantToken(String grantId, String tokenHash) {
    Objects.requireNonNull(grantId, "grantId");
    Objects.requireNonNull(tokenHash, "tokenHash");
    connections.write(
        "addGrantToken " + grantId,
        c -> {
          GrantRows.addToken(c, grantId, tokenHash);
          return null;
        });
  }

  @Override
  public Optional<GrantRecord> findGrant(String grantId) {
    Objects.requireNonNull(grantId, "grantId");
    return connections.read("findGrant " + grantId, c -> GrantRows.find(c, grantId));
  }

  @Override
  public Optional<GrantRecord> findGrantByToken(String tokenHash) {
    Objects.requireNonNull(tokenHash, "tokenHash");
    // The hash is not named in the message: it identifies a bearer token.
    return connections.read("findGrantByToken", c -> GrantRows.findByToken(c, tokenHash));
  }

  @Override
  public List<GrantRecord> grantsOfKey(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    return connections.read("grantsOfKey " + keyId, c -> GrantRows.ofKey(c, keyId));
  }

  @Override
  public List<GrantRecord> grantsByRetiringPrincipal(
      String region, String retiringPrincipal, String afterGrantId, int limit) {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(retiringPrincipal, "retiringPrincipal");
    requirePositive(limit);
    return connections.read(
        "grantsByRetiringPrincipal",
        c -> GrantRows.byRetiringPrincipal(c, region, retiringPrincipal, afterGrantId, limit));
  }

  @Override
  public boolean deleteGrant(String grantId) {
    Objects.requireNonNull(grantId, "grantId");
    return connections.write("deleteGrant " + grantId, c -> GrantRows.delete(c, grantId));
  }

  // --- imported key material ---

  @Override
  public void insertImportParameters(ImportParametersRecord parameters) {
    Objects.requireNonNull(parameters, "parameters");
    connections.write(
        "insertImportParameters " + parameters.keyId(),
        c -> {
          ImportRows.insertParameters(c, parameters);
          return null;
        });
  }

  @Override
  public Optional<ImportParametersRecord> findImportParameters(String tokenHash) {
    Objects.requireNonNull(tokenHash, "tokenHash");
    return connections.read("findImportParameters", c -> ImportRows.findParameters(c, tokenHash));
  }

  @Override
  public List<ImportParametersRecord> importParametersExpiredBy(java.time.Instant now) {
    Objects.requireNonNull(now, "now");
    return connections.read(
        "importParametersExpiredBy", c -> ImportRows.parametersExpiredBy(c, now));
  }

  @Override
  public Set<String> liveWrappingKeyIds() {
    return connections.read("liveWrappingKeyIds", ImportRows::liveWrappingKeyIds);
  }

  @Override
  public void markWrappingKeyDestroyed(String tokenHash) {
    Objects.requireNonNull(tokenHash, "tokenHash");
    connections.write(
        "markWrappingKeyDestroyed",
        c -> {
          ImportRows.markWrappingKeyDestroyed(c, tokenHash);
          return null;
        });
  }

  @Override
  public int deleteImportParametersExpiredBefore(java.time.Instant cutoff) {
    Objects.requireNonNull(cutoff, "cutoff");
    return connections.write(
        "deleteImportParametersExpiredBefore",
        c -> ImportRows.deleteParametersExpiredBefore(c, cutoff));
  }

  @Override
  public Optional<ImportedMaterialRecord> findImportedMaterial(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    return connections.read(
        "findImportedMaterial " + keyId, c -> ImportRows.findMaterial(c, keyId));
  }

  @Override
  public void completeImport(ImportedMaterialRecord material, KeyRecord key) {
    Objects.requireNonNull(material, "material");
    Objects.requireNonNull(key, "key");
    if (!material.keyId().equals(key.keyId())) {
      throw new IllegalArgumentException("imported material belongs to a different key");
    }
    String operation = "completeImport " + key.keyId();
    connections.write(
        operation,
        c -> {
          ImportRows.upsertMaterial(c, material);
          if (!KeyRows.update(c, key)) {
            throw new StoreException(operation + " failed: no such key");
          }
          return null;
        });
  }

  @Override
  public List<ImportedMaterialRecord> importedMaterialsExpiredBy(java.time.Instant now) {
    Objects.requireNonNull(now, "now");
    return connections.read(
        "importedMaterialsExpiredBy", c -> ImportRows.materialsExpiredBy(c, now));
  }

  @Override
  public int deleteImportedMaterialsOfMissingKeys() {
    return connections.write(
        "deleteImportedMaterialsOfMissingKeys", ImportRows::deleteMaterialsOfMissingKeys);
  }

  // --- rotation ---

  @Override
  public Optional<RotationSchedule> rotationSchedule(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    return connections.read("rotationSchedule " + keyId, c -> RotationRows.findSchedule(c, keyId));
  }

  @Override
  public void putRotationSchedule(RotationSchedule schedule) {
    Objects.requireNonNull(schedule, "schedule");
    connections.write(
        "putRotationSchedule " + schedule.keyId(),
        c -> {
          RotationRows.putSchedule(c, schedule);
          return null;
        });
  }

  @Override
  public void deleteRotationSchedule(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    connections.write(
        "deleteRotationSchedule " + keyId,
        c -> {
          RotationRows.deleteSchedule(c, keyId);
          return null;
        });
  }

  @Override
  public List<RotationSchedule> dueRotationSchedules(java.time.Instant now) {
    Objects.requireNonNull(now, "now");
    return connections.read("dueRotationSchedules", c -> RotationRows.dueSchedules(c, now));
  }

  @Override
  public RotationClaim claimRotation(RotationRecord creating, int onDemandLimit) {
    Objects.requireNonNull(creating, "creating");
    return connections.write(
        "claimRotation " + creating.keyId(),
        c ->
            cluster.ownRotation(
                c, creating.materialId(), RotationRows.claim(c, creating, onDemandLimit)));
  }

  @Override
  public RotationRecord completeRotation(String materialId, java.time.Instant now) {
    Objects.requireNonNull(materialId, "materialId");
    Objects.requireNonNull(now, "now");
    return connections.write(
        "completeRotation " + materialId, c -> RotationRows.complete(c, materialId, now));
  }

  @Override
  public void deleteRotation(String materialId) {
    Objects.requireNonNull(materialId, "materialId");
    connections.write(
        "deleteRotation " + materialId,
        c -> {
          RotationRows.deleteRotation(c, materialId);
          return null;
        });
  }

  @Override
  public List<RotationRecord> rotations(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    return connections.read("rotations " + keyId, c -> RotationRows.ofKey(c, keyId));
  }

  @Override
  public List<RotationRecord> unfinishedRotations() {
    return connections.read("unfinishedRotations", RotationRows::unfinished);
  }

  @Override
  public void deleteRotationData(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    connections.write(
        "deleteRotationData " + keyId,
        c -> {
          RotationRows.deleteOfKey(c, keyId);
          return null;
        });
  }

  @Override
  public long materialUsage(String materialId) {
    Objects.requireNonNull(materialId, "materialId");
    return connections.read("materialUsage", c -> RotationRows.usage(c, materialId));
  }

  @Override
  public void putMaterialUsage(String materialId, long encryptions) {
    Objects.requireNonNull(materialId, "materialId");
    connections.writeUncached(
        "putMaterialUsage",
        c -> {
          RotationRows.putUsage(c, materialId, encryptions);
          return null;
        });
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
    connections.read(
        "checkReachable",
        c -> {
          try (var statement = c.createStatement();
              var rows = statement.executeQuery("SELECT 1")) {
            if (!rows.next()) {
              throw new StoreException("checkReachable failed: SELECT 1 returned no row");
            }
            return null;
          }
        });
  }

  private static void requirePositive(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
  }

  // --- key last usage (GetKeyLastUsage) ---

  @Override
  public void saveKeyUsages(Collection<KeyUsageRecord> usages) {
    Objects.requireNonNull(usages, "usages");
    if (usages.isEmpty()) {
      return;
    }
    List<KeyUsageRecord> copy = List.copyOf(usages);
    connections.writeUncached(
        "saveKeyUsages (" + copy.size() + ")",
        c -> {
          KeyUsageRows.save(c, copy);
          return null;
        });
  }

  @Override
  public Optional<KeyUsageRecord> findKeyUsage(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    return connections.read("findKeyUsage " + keyId, c -> KeyUsageRows.find(c, keyId));
  }

  @Override
  public Instant keyUsageTrackingStart(Instant now) {
    Objects.requireNonNull(now, "now");
    return connections.write("keyUsageTrackingStart", c -> KeyUsageRows.trackingStart(c, now));
  }

  // --- multi-Region keys ---

  @Override
  public void insertMultiRegionKey(KeyRecord primary, MaterialRecord firstMaterial) {
    Objects.requireNonNull(primary, "primary");
    Objects.requireNonNull(firstMaterial, "firstMaterial");
    if (!primary.isMultiRegion() || !primary.keyId().contains("/")) {
      throw new IllegalArgumentException("not a multi-Region key row id");
    }
    if (!primary.keyId().equals(firstMaterial.keyId())) {
      throw new IllegalArgumentException("first material belongs to a different key");
    }
    connections.write(
        "insertMultiRegionKey " + primary.keyId(),
        c -> {
          MultiRegionRows.insert(
              c, new MultiRegionKeyRecord(primary.publicId(), primary.account(), primary.region()));
          KeyRows.insert(c, primary, firstMaterial);
          cluster.ownCreatingKey(c, primary.keyId());
          return null;
        });
  }

  @Override
  public Optional<MultiRegionKeyRecord> findMultiRegionKey(String mrkId) {
    Objects.requireNonNull(mrkId, "mrkId");
    return connections.read("findMultiRegionKey " + mrkId, c -> MultiRegionRows.find(c, mrkId));
  }

  @Override
  public List<KeyRecord> multiRegionRows(String mrkId) {
    Objects.requireNonNull(mrkId, "mrkId");
    return connections.read("multiRegionRows " + mrkId, c -> MultiRegionRows.rows(c, mrkId));
  }

  /**
   * {@inheritDoc}
   *
   * @throws StoreException if the multi-Region key does not exist or the region's row does
   */
  @Override
  public void insertReplica(KeyRecord replica, Map<String, String> tags) {
    Objects.requireNonNull(replica, "replica");
    Map<String, String> copy = new TreeMap<>(tags);
    String operation = "insertReplica " + replica.keyId();
    connections.write(
        operation,
        c -> {
          if (MultiRegionRows.find(c, replica.publicId()).isEmpty()) {
            throw new StoreException(operation + " failed: no such multi-Region key");
          }
          KeyRows.insertRow(c, replica);
          if (!copy.isEmpty()) {
            TagRows.put(c, replica.keyId(), copy);
          }
          return null;
        });
  }

  @Override
  public void updatePrimaryRegion(String mrkId, String fromRegion, String newPrimaryRegion) {
    Objects.requireNonNull(mrkId, "mrkId");
    Objects.requireNonNull(fromRegion, "fromRegion");
    connections.write(
        "updatePrimaryRegion " + mrkId,
        c -> {
          MultiRegionRows.setPrimary(c, mrkId, fromRegion, newPrimaryRegion);
          return null;
        });
  }
}
