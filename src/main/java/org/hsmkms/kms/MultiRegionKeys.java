package org.hsmkms.kms;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hsmkms.authz.KmsActions.Resource;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ReplicateKey and UpdatePrimaryRegion: the multi-Region keys of one account, with one key per
 * region of this service and the same key id ({@code mrk-<hex>}) in each.
 *
 * <p>Security: a replica uses the very HSM objects of its primary (one HSM serves every region of a
 * deployment), so replication copies no key material; it only writes the replica's own metadata
 * row. The material's ids stay recorded under the primary's row ({@link Keys#materialOwner}), and
 * the HSM objects are destroyed only with the last region's key ({@link Reconciler}).
 */
public final class MultiRegionKeys {
  private static final Logger LOG = LoggerFactory.getLogger(MultiRegionKeys.class);

  private final MetadataStore store;
  private final Keys keys;
  private final KeyPolicies policies;
  private final KeyManagement management;
  private final Clock clock;

  MultiRegionKeys(
      MetadataStore store, Keys keys, KeyPolicies policies, KeyManagement management, Clock clock) {
    this.store = store;
    this.keys = keys;
    this.policies = policies;
    this.management = management;
    this.clock = clock;
  }

  /** ReplicateKey's answer: the replica's metadata, policy and tags. */
  public record Replicated(KeyMetadata replicaKeyMetadata, String replicaPolicy, List<Tag> tags) {}

  /**
   * ReplicateKey: a replica of the primary key {@code keyId} (of the caller's region) in {@code
   * replicaRegion}, with its own description, policy (the default key policy if none) and tags.
   */
  public Replicated replicateKey(
      RequestContext ctx,
      String keyId,
      String replicaRegion,
      String policy,
      boolean bypassPolicyLockoutSafetyCheck,
      String description,
      List<Tag> tags) {
    // kms:ReplicateKey on the primary (its key policy); kms:CreateKey (and kms:TagResource with
    // Tags) in the identity policy were decided before the operation ran.
    KeyRecord primary = keys.resolve(ctx, keyId, Resource.KEY);
    if (!primary.isMultiRegion()) {
      throw ManagementErrors.notMultiRegion(primary.arn());
    }
    if (policy != null) {
      policies.checkPolicy(ctx, policy, bypassPolicyLockoutSafetyCheck);
    }
    Map<String, String> tagMap =
        TagRules.check(tags, Map.of(), true, management.quotas().tagsPerKey());
    management.checkKeyQuota(primary.account(), replicaRegion);
    KeyRecord replica;
    synchronized (keys.lifecycleLock()) {
      primary = reread(primary);
      // ReplicateKey: "It's the only key that can be replicated" (the primary).
      if (!MultiRegionConfiguration.isPrimary(store, primary)) {
        throw ManagementErrors.replicateReplica(primary.arn());
      }
      // The key state table: a primary that is not Enabled cannot be replicated ([1], [3], [5]).
      keys.checkState(primary, "ReplicateKey");
      // "each must be in a different Region": the primary's and every existing replica's.
      String rowId = KeyRecord.multiRegionRowId(primary.publicId(), replicaRegion);
      if (replicaRegion.equals(primary.region()) || store.findKey(rowId).isPresent()) {
        throw ManagementErrors.replicaExists(
            MultiRegionConfiguration.arnIn(primary, replicaRegion));
      }
      replica =
          new KeyRecord(
              rowId,
              primary.account(),
              replicaRegion,
              // AWS shows Creating for a few seconds; here the replica is complete when the
              // answer is sent (no material to copy), so it is Enabled at once.
              KeyState.ENABLED.awsName(),
              primary.keySpec(),
              primary.keyUsage(),
              primary.origin(),
              description,
              policy != null ? policy : KeyPolicies.defaultPolicy(primary.account()),
              clock.instant(),
              null,
              null,
              primary.currentMaterialId());
      store.insertReplica(replica, tagMap);
    }
    ctx.used(replica);
    LOG.info("key {} replicated into {}", primary.keyId(), replicaRegion);
    List<Tag> replicaTags =
        store.tags(replica.keyId()).entrySet().stream()
            .map(e -> new Tag(e.getKey(), e.getValue()))
            .toList();
    return new Replicated(management.metadata(ctx, replica), replica.policy(), replicaTags);
  }

  /**
   * UpdatePrimaryRegion: the replica of {@code keyId}'s multi-Region key in {@code primaryRegion}
   * becomes the primary, and the primary {@code keyId} (of the caller's region) a replica.
   */
  public void updatePrimaryRegion(RequestContext ctx, String keyId, String primaryRegion) {
    KeyRecord primary = keys.resolve(ctx, keyId, Resource.KEY);
    if (!primary.isMultiRegion()) {
      throw ManagementErrors.notMultiRegion(primary.arn());
    }
    KeyRecord resolved = primary;
    synchronized (keys.lifecycleLock()) {
      // Re-reads the primary and its multi-Region key on each attempt: another node may have moved
      // the primary since (the store's compare-and-set refuses a move from a region that is not).
      ConflictRetry.retry(() -> updatePrimaryRegionLocked(ctx, resolved, primaryRegion));
    }
    LOG.info("key {}: primary region is now {}", primary.publicId(), primaryRegion);
  }

  private void updatePrimaryRegionLocked(
      RequestContext ctx, KeyRecord resolved, String primaryRegion) {
    KeyRecord primary = reread(resolved);
    if (!MultiRegionConfiguration.isPrimary(store, primary)) {
      throw ManagementErrors.notPrimary(primary.arn());
    }
    String target = MultiRegionConfiguration.arnIn(primary, primaryRegion);
    if (primaryRegion.equals(primary.region())) {
      throw ManagementErrors.alreadyPrimary(target);
    }
    KeyRecord replica =
        store
            .findKey(KeyRecord.multiRegionRowId(primary.publicId(), primaryRegion))
            .filter(k -> KeyState.fromAwsName(k.keyState()).isVisible())
            .orElseThrow(() -> Errors.keyNotFound(target));
    // kms:UpdatePrimaryRegion on the replica too, by its own key policy.
    keys.authorize(ctx, Resource.REPLICA_KEY, replica);
    ctx.used(replica);
    // "Both the primary key and the replica key must be in the Enabled key state".
    keys.checkState(primary, "UpdatePrimaryRegion");
    keys.checkState(replica, "UpdatePrimaryRegion");
    store.updatePrimaryRegion(primary.publicId(), primary.region(), primaryRegion);
  }

  /**
   * Once a primary in PendingReplicaDeletion is the only row left of the multi-Region key of {@code
   * row} (a replica just deleted, or the primary itself): "the key state of the primary key changes
   * from PendingReplicaDeletion to PendingDeletion", and its waiting period begins. Called under
   * the lifecycle lock.
   */
  static void afterReplicaDeleted(MetadataStore store, KeyRecord row, Instant now) {
    if (row.isMultiRegion()) {
      ConflictRetry.retry(() -> startWaitingPeriod(store, row, now));
    }
  }

  private static void startWaitingPeriod(MetadataStore store, KeyRecord row, Instant now) {
    List<KeyRecord> rows = store.multiRegionRows(row.publicId());
    Optional<KeyRecord> waiting =
        rows.stream()
            .filter(r -> KeyState.PENDING_REPLICA_DELETION.awsName().equals(r.keyState()))
            .findFirst();
    if (waiting.isPresent() && rows.size() == 1) {
      KeyRecord primary = waiting.get();
      int window =
          primary.pendingWindowDays() == null
              ? KeyManagement.DEFAULT_PENDING_WINDOW_DAYS
              : primary.pendingWindowDays();
      store.updateKey(
          primary.withState(
              KeyState.PENDING_DELETION.awsName(), now.plus(Duration.ofDays(window)), window));
      LOG.info("key {}: its last replica is deleted; its waiting period begins", primary.keyId());
    }
  }

  private KeyRecord reread(KeyRecord key) {
    return store.findKey(key.keyId()).orElseThrow(() -> Errors.keyNotFound(key.arn()));
  }
}
