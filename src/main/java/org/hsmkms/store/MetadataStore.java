package org.hsmkms.store;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Key metadata persistence: keys, their material versions, aliases, tags and grants.
 * Implementations are thread-safe; every method is a blocking call meant for the worker pool.
 *
 * <p>Security: the store never holds key material, only ids that name HSM objects.
 */
public interface MetadataStore extends AutoCloseable {

  /** Inserts a key and its first material version in one transaction. */
  void insertKey(KeyRecord key, MaterialRecord firstMaterial);

  Optional<KeyRecord> findKey(String keyId);

  /**
   * Replaces the mutable columns (state, description, policy, deletion date, window, material) if
   * the row still has the version {@code key} was read with, and raises its version by one: a
   * compare-and-set, so that of two requests (on one node or several) that read the same row only
   * one writes it.
   *
   * @throws StoreConflictException if the row's version is another; nothing was written, and the
   *     caller re-reads the row and decides again
   */
  void updateKey(KeyRecord key);

  /**
   * Removes a key row with its materials, aliases, tags and grants, in one transaction. Called only
   * after the key's HSM objects are destroyed (completed deletion) or for a CreateKey that never
   * made one.
   */
  void deleteKey(String keyId);

  /**
   * Keys of one account and region ordered by key id, starting after {@code afterKeyId} (null for
   * the start), at most {@code limit} rows. Rows in the internal states Creating/Deleting are
   * excluded.
   */
  List<KeyRecord> listKeys(String account, String region, String afterKeyId, int limit);

  /**
   * How many keys one account has in one region, as {@link #listKeys} would list them all: the
   * count behind the keys-per-account resource quota, one query rather than a listing.
   */
  int countKeys(String account, String region);

  /** All keys (any account/region) whose state is one of {@code states}. */
  List<KeyRecord> keysInStates(Set<String> states);

  /** All keys of every state, for start-up reconciliation. */
  List<KeyRecord> allKeys();

  List<MaterialRecord> materials(String keyId);

  /** The materials of every key, by key id, each list oldest first; for start-up reconciliation. */
  Map<String, List<MaterialRecord>> allMaterials();

  /** Inserts an alias; returns false if the name is taken in that account and region. */
  boolean insertAlias(AliasRecord alias);

  Optional<AliasRecord> findAlias(String account, String region, String aliasName);

  /** Points an existing alias at another key; returns false if the alias does not exist. */
  boolean updateAlias(AliasRecord alias);

  /** Returns false if the alias does not exist. */
  boolean deleteAlias(String account, String region, String aliasName);

  /**
   * Aliases of one account and region ordered by name, after {@code afterAliasName} (null for the
   * start), at most {@code limit}; only those targeting {@code keyId} when it is non-null.
   */
  List<AliasRecord> listAliases(
      String account, String region, String keyId, String afterAliasName, int limit);

  /** Adds or overwrites tags. */
  void putTags(String keyId, Map<String, String> tags);

  void removeTags(String keyId, Set<String> tagKeys);

  /** Tags ordered by tag key. */
  Map<String, String> tags(String keyId);

  /**
   * Inserts a grant with its constraints and its first token, in one transaction.
   *
   * @param tokenHash the SHA-256 (hex) of the grant token CreateGrant answers; the token itself is
   *     never stored
   */
  void insertGrant(GrantRecord grant, String tokenHash);

  /** Adds another token (its SHA-256, hex) to an existing grant. */
  void addGrantToken(String grantId, String tokenHash);

  Optional<GrantRecord> findGrant(String grantId);

  /** The grant one of whose tokens has this SHA-256 (hex). */
  Optional<GrantRecord> findGrantByToken(String tokenHash);

  /** All grants of a key, in grant id order; empty for an unknown key. */
  List<GrantRecord> grantsOfKey(String keyId);

  /**
   * Grants of one region (of any account) whose retiring principal is {@code retiringPrincipal}, in
   * grant id order, after {@code afterGrantId} (null for the start), at most {@code limit}.
   */
  List<GrantRecord> grantsByRetiringPrincipal(
      String region, String retiringPrincipal, String afterGrantId, int limit);

  /** Deletes a grant with its constraints and tokens; returns false if it does not exist. */
  boolean deleteGrant(String grantId);

  // --- rotation ---

  /** The key's enabled automatic rotation, if any. */
  Optional<RotationSchedule> rotationSchedule(String keyId);

  /** Enables automatic rotation of a key, or changes its period and next date. */
  void putRotationSchedule(RotationSchedule schedule);

  /** Disables automatic rotation of a key (nothing if it has none). */
  void deleteRotationSchedule(String keyId);

  /** Every schedule whose next rotation date is not after {@code now}, the earliest first. */
  List<RotationSchedule> dueRotationSchedules(java.time.Instant now);

  /**
   * Writes a rotation in the Creating state, in one transaction with the checks that make it
   * exclusive: no other unfinished rotation of the key; for an on-demand one fewer than {@code
   * onDemandLimit} completed ones; for a scheduled one a schedule due at its date.
   */
  RotationClaim claimRotation(RotationRecord creating, int onDemandLimit);

  /**
   * In one transaction: the material row of a claimed rotation, the key's current material, the
   * rotation completed and (scheduled rotations) the schedule moved on by its period; answers the
   * completed rotation. Completing a completed rotation changes nothing.
   */
  RotationRecord completeRotation(String materialId, java.time.Instant now);

  /** Removes an unfinished rotation whose material was never made (nothing if there is none). */
  void deleteRotation(String materialId);

  /** The rotations of a key, completed or not, in the order they were claimed. */
  List<RotationRecord> rotations(String keyId);

  /** Every rotation not completed, for start-up reconciliation. */
  List<RotationRecord> unfinishedRotations();

  /**
   * Removes a key's schedule, rotations and usage counts; called by the deletion before {@link
   * #deleteKey}.
   */
  void deleteRotationData(String keyId);

  /** The encryptions recorded (reserved) for a material; 0 if none. */
  long materialUsage(String materialId);

  /** Records the encryptions reserved for a material. */
  void putMaterialUsage(String materialId, long encryptions);

  // --- multi-Region keys ---

  /**
   * Inserts the primary row of a new multi-Region key (row id {@code mrk-<hex>/<region>}) with its
   * first material, and the record its regions share, in one transaction.
   */
  void insertMultiRegionKey(KeyRecord primary, MaterialRecord firstMaterial);

  /** What the regions of multi-Region key {@code mrkId} ({@code mrk-<hex>}) share. */
  Optional<MultiRegionKeyRecord> findMultiRegionKey(String mrkId);

  /** Every region's row of multi-Region key {@code mrkId}, in any state, in row id order. */
  List<KeyRecord> multiRegionRows(String mrkId);

  /**
   * Inserts a replica's row with its tags, in one transaction. The key material rows stay with the
   * primary's row; the replica uses the same HSM objects.
   *
   * @throws StoreException if that region's row exists already
   */
  void insertReplica(KeyRecord replica, Map<String, String> tags);

  /**
   * Makes the row of {@code newPrimaryRegion} the primary: the material rows move to it from the
   * old primary's row and the shared record names the new region, in one transaction; only if the
   * primary is still {@code fromRegion} (a compare-and-set).
   *
   * @throws StoreConflictException if another region is the primary now; nothing was changed
   */
  void updatePrimaryRegion(String mrkId, String fromRegion, String newPrimaryRegion);

  // --- imported key material ---

  /** Records a GetParametersForImport answer (its token only as a hash). */
  void insertImportParameters(ImportParametersRecord parameters);

  /** The import parameters whose token has this SHA-256 (hex). */
  Optional<ImportParametersRecord> findImportParameters(String tokenHash);

  /** Parameters whose validity ended by {@code now} and whose wrapping key is not destroyed. */
  List<ImportParametersRecord> importParametersExpiredBy(java.time.Instant now);

  /** The ids (hex) of the wrapping keys of every recorded parameters not yet destroyed. */
  Set<String> liveWrappingKeyIds();

  /** Notes that the wrapping key of these parameters is destroyed. */
  void markWrappingKeyDestroyed(String tokenHash);

  /** Forgets parameters (wrapping key destroyed) that expired before {@code cutoff}. */
  int deleteImportParametersExpiredBefore(java.time.Instant cutoff);

  /** What is known of a key's imported material, if it ever had any. */
  Optional<ImportedMaterialRecord> findImportedMaterial(String keyId);

  /** Writes the imported material's record and the key's new row in one transaction. */
  void completeImport(ImportedMaterialRecord material, KeyRecord key);

  /** Imported materials in use (key Enabled or Disabled) whose ValidTo is not after {@code now}. */
  List<ImportedMaterialRecord> importedMaterialsExpiredBy(java.time.Instant now);

  /** Removes the imported-material records of keys that no longer exist. */
  int deleteImportedMaterialsOfMissingKeys();

  /**
   * Readiness: returns if the database answers a trivial query now.
   *
   * @throws StoreException if it does not
   */
  void checkReachable();

  @Override
  void close();

  // --- key last usage (GetKeyLastUsage) ---

  /**
   * Writes the last use of each key in one transaction (a batch flushed from memory, never once per
   * request); a stored use later than the given one is kept.
   */
  void saveKeyUsages(Collection<KeyUsageRecord> usages);

  /** The stored last use of a key, if it has been used since tracking began. */
  Optional<KeyUsageRecord> findKeyUsage(String keyId);

  /**
   * When usage tracking began: the time recorded by the first call (its {@code now}), returned by
   * every later one.
   */
  Instant keyUsageTrackingStart(Instant now);
}
