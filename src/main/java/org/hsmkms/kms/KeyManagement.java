package org.hsmkms.kms;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hsmkms.hsm.KeyInventory;
import org.hsmkms.hsm.KeyPairUsage;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.RandomSource;
import org.hsmkms.store.ImportedMaterialRecord;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MaterialRecord;
import org.hsmkms.store.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane for keys: creation, description, listing, enabling, deletion scheduling and
 * tags, with AWS's rules and state checks.
 *
 * <p>Security: CreateKey generates the key material inside the HSM; only its id reaches the store.
 * The row is written first in the internal Creating state, so a crash between the two steps is
 * repaired at start-up by {@link Reconciler}.
 */
public final class KeyManagement {
  private static final Logger LOG = LoggerFactory.getLogger(KeyManagement.class);
  static final String SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT";
  static final String ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT";
  static final int DEFAULT_PENDING_WINDOW_DAYS = 30;

  private final KeyInventory hsm;
  private final RandomSource random;
  private final MetadataStore store;
  private final Keys keys;
  private final KeyPolicies policies;
  private final Clock clock;
  private final ResourceQuotas quotas;

  public KeyManagement(
      KeyInventory hsm,
      RandomSource random,
      MetadataStore store,
      Keys keys,
      KeyPolicies policies,
      Clock clock) {
    this(hsm, random, store, keys, policies, clock, ResourceQuotas.AWS);
  }

  public KeyManagement(
      KeyInventory hsm,
      RandomSource random,
      MetadataStore store,
      Keys keys,
      KeyPolicies policies,
      Clock clock,
      ResourceQuotas quotas) {
    this.quotas = quotas;
    this.hsm = hsm;
    this.random = random;
    this.store = store;
    this.keys = keys;
    this.policies = policies;
    this.clock = clock;
  }

  public KeyMetadata createKey(RequestContext ctx, CreateKeyRequest req) {
    if (req.policy() != null) {
      policies.checkPolicy(ctx, req.policy(), req.bypassPolicyLockoutSafetyCheck());
    }
    // CreateKey: KeySpec and the deprecated CustomerMasterKeySpec are alternatives.
    if (req.keySpec() != null && req.customerMasterKeySpec() != null) {
      throw ValidationErrors.keySpecAndCustomerMasterKeySpec();
    }
    String spec = req.keySpec() != null ? req.keySpec() : req.customerMasterKeySpec();
    spec = spec == null ? SYMMETRIC_DEFAULT : spec;
    String usage = req.keyUsage() == null ? ENCRYPT_DECRYPT : req.keyUsage();
    // SM2 and ML_DSA_* are in the model, but SoftHSM2 and common HSMs offer neither.
    String requested = spec;
    KeySpec keySpec = KeySpec.of(spec).orElseThrow(() -> NotSupportedErrors.keySpec(requested));
    // CreateKey: the KeyUsage values each KeySpec allows (AWS CreateKey API reference), in
    // AWS's words.
    if (!keySpec.usages().contains(usage)) {
      if (req.keyUsage() == null) {
        throw ValidationErrors.keyUsageRequired();
      }
      throw ValidationErrors.keyUsageIncompatible(usage, spec);
    }
    checkCustomKeyStore(req);
    if (Boolean.TRUE.equals(req.multiRegion()) && "EXTERNAL".equals(req.origin())) {
      throw NotSupportedErrors.multiRegionImportedMaterial();
    }
    boolean external = ImportRules.EXTERNAL.equals(req.origin());
    if (external) {
      ImportRules.checkExternalSpec(keySpec);
    }
    if (req.origin() != null && !"AWS_KMS".equals(req.origin()) && !external) {
      throw NotSupportedErrors.origin(req.origin());
    }
    boolean multiRegion = Boolean.TRUE.equals(req.multiRegion());
    Map<String, String> tags = TagRules.check(req.tags(), Map.of(), true, quotas.tagsPerKey());
    checkKeyQuota(ctx.account(), ctx.region());

    // CreateKey MultiRegion: a multi-Region key's id is mrk- and 32 lowercase hex digits; its row
    // is that of its first (primary) region.
    String id =
        multiRegion
            ? KeyRecord.MULTI_REGION_PREFIX + HexFormat.of().formatHex(random.generateRandom(16))
            : UUID.randomUUID().toString();
    String rowId = multiRegion ? KeyRecord.multiRegionRowId(id, ctx.region()) : id;
    MaterialId material = MaterialId.of(random.generateRandom(16));
    String materialHex = material.hex();
    Instant now = clock.instant();
    String policy = req.policy() != null ? req.policy() : KeyPolicies.defaultPolicy(ctx.account());
    KeyRecord row =
        new KeyRecord(
            rowId,
            ctx.account(),
            ctx.region(),
            (external ? KeyState.PENDING_IMPORT : KeyState.CREATING).awsName(),
            spec,
            usage,
            external ? ImportRules.EXTERNAL : "AWS_KMS",
            req.description(),
            policy,
            now,
            null,
            null,
            materialHex);
    ctx.used(id);
    MaterialRecord first = new MaterialRecord(materialHex, rowId, now);
    if (multiRegion) {
      store.insertMultiRegionKey(row, first);
    } else {
      store.insertKey(row, first);
    }
    if (external) {
      // Origin EXTERNAL: no material until ImportKeyMaterial; the material id is reserved now, so
      // that every import of the key's material uses the same one (blobs name it).
      if (!tags.isEmpty()) {
        store.putTags(rowId, tags);
      }
      LOG.info("created key {} (origin EXTERNAL) in {}/{}", id, ctx.account(), ctx.region());
      return metadata(ctx, row);
    }
    try {
      // Tags go in with the Creating row, so a crash cannot leave a completed key without them.
      if (!tags.isEmpty()) {
        store.putTags(rowId, tags);
      }
      if (keySpec.isSymmetric()) {
        hsm.generateAesKey(material, id);
      } else if (keySpec.isHmac()) {
        hsm.generateHmacKey(material, keySpec.hmacKeyBytes(), id);
      } else {
        hsm.generateKeyPair(material, keySpec.keyPairType(), KeyPairUsage.valueOf(usage), id);
      }
    } catch (RuntimeException e) {
      store.deleteKey(rowId);
      throw e;
    }
    CrashPoints.reach(CrashPoints.CREATE_KEY_MATERIAL_MADE);
    KeyRecord enabled = row.withState(KeyState.ENABLED.awsName(), null, null);
    store.updateKey(enabled);
    LOG.info("created key {} in {}/{}", id, ctx.account(), ctx.region());
    return metadata(ctx, enabled);
  }

  /** AWS's "AWS KMS keys" resource quota, per account and region: one count query. */
  void checkKeyQuota(String account, String region) {
    int usage = store.countKeys(account, region);
    if (usage >= quotas.keysPerAccount()) {
      throw ManagementErrors.keyQuota(quotas.keysPerAccount(), usage);
    }
  }

  ResourceQuotas quotas() {
    return quotas;
  }

  /** ReplicateKey and UpdatePrimaryRegion, over the same store, keys and policies. */
  public MultiRegionKeys multiRegionKeys() {
    return new MultiRegionKeys(store, keys, policies, this, clock);
  }

  public KeyMetadata describeKey(RequestContext ctx, String keyId) {
    return metadata(ctx, keys.resolveFor(ctx, keyId, "DescribeKey"));
  }

  public Page<KeyListEntry> listKeys(RequestContext ctx, int limit, String marker) {
    String after = Markers.decode("key", marker);
    List<KeyRecord> rows = store.listKeys(ctx.account(), ctx.region(), after, limit + 1);
    if (rows.size() > limit) {
      List<KeyRecord> page = rows.subList(0, limit);
      return new Page<>(
          KeyListEntry.of(ctx, page), Markers.encode("key", page.get(limit - 1).keyId()));
    }
    return new Page<>(KeyListEntry.of(ctx, rows), null);
  }

  /**
   * CreateKey's custom key store parameters. XksKeyId: "This parameter is required for a KMS key
   * with an Origin value of EXTERNAL_KEY_STORE. It is not valid for KMS keys with any other Origin
   * value." This service has no custom key stores, so any CustomKeyStoreId names one that does not
   * exist in the account and Region (AWS: CustomKeyStoreNotFoundException). AWS's messages for
   * these refusals are not documented (docs/key-usage.md).
   */
  private static void checkCustomKeyStore(CreateKeyRequest req) {
    boolean externalKeyStore = "EXTERNAL_KEY_STORE".equals(req.origin());
    if (req.xksKeyId() != null && !externalKeyStore) {
      throw ValidationErrors.xksKeyIdNotAllowed();
    }
    if (externalKeyStore && req.xksKeyId() == null) {
      throw ValidationErrors.xksKeyIdRequired();
    }
    if (req.customKeyStoreId() != null) {
      throw ManagementErrors.customKeyStoreNotFound(req.customKeyStoreId());
    }
  }

  public void enableKey(RequestContext ctx, String keyId) {
    setEnabled(ctx, keyId, true);
  }

  public void disableKey(RequestContext ctx, String keyId) {
    setEnabled(ctx, keyId, false);
  }

  private void setEnabled(RequestContext ctx, String keyId, boolean enable) {
    synchronized (keys.lifecycleLock()) {
      ConflictRetry.retry(() -> setEnabledLocked(ctx, keyId, enable));
    }
  }

  private void setEnabledLocked(RequestContext ctx, String keyId, boolean enable) {
    KeyRecord key = keys.resolveFor(ctx, keyId, enable ? "EnableKey" : "DisableKey");
    KeyState state = KeyState.fromAwsName(key.keyState());
    KeyState target = enable ? KeyState.ENABLED : KeyState.DISABLED;
    if (state != target) {
      store.updateKey(key.withState(target.awsName(), null, null));
    }
  }

  /**
   * ScheduleKeyDeletion's answer; {@code deletionDate} is null for a multi-Region primary with
   * replicas (state PendingReplicaDeletion: "The deletion date for the primary key isn't known
   * until its last replica key is deleted").
   */
  public record DeletionScheduled(
      String keyArn, Instant deletionDate, String keyState, int pendingWindowInDays) {}

  public DeletionScheduled scheduleKeyDeletion(RequestContext ctx, String keyId, Integer days) {
    // ScheduleKeyDeletion: PendingWindowInDays 7..30, default 30.
    int window = days == null ? DEFAULT_PENDING_WINDOW_DAYS : days;
    if (window < 7) {
      throw KmsException.validation(
          "'" + window + "'",
          "pendingWindowInDays",
          "Member must have value greater than or equal to 7");
    }
    if (window > 30) {
      throw KmsException.validation(
          "'" + window + "'",
          "pendingWindowInDays",
          "Member must have value less than or equal to 30");
    }
    Instant due = clock.instant().plus(Duration.ofDays(window));
    synchronized (keys.lifecycleLock()) {
      return ConflictRetry.retry(() -> scheduleKeyDeletionLocked(ctx, keyId, window, due));
    }
  }

  private DeletionScheduled scheduleKeyDeletionLocked(
      RequestContext ctx, String keyId, int window, Instant due) {
    KeyRecord key = keys.resolveFor(ctx, keyId, "ScheduleKeyDeletion");
    // ScheduleKeyDeletion: "If you schedule the deletion of a primary key with replicas, its key
    // state changes to PendingReplicaDeletion"; the waiting period begins when the last replica
    // is deleted (Reconciler).
    if (!MultiRegionConfiguration.otherRows(store, key).isEmpty()
        && MultiRegionConfiguration.isPrimary(store, key)) {
      String state = KeyState.PENDING_REPLICA_DELETION.awsName();
      store.updateKey(key.withState(state, null, window));
      LOG.info("key {} waits for its replicas' deletion", key.keyId());
      return new DeletionScheduled(key.arn(), null, state, window);
    }
    store.updateKey(key.withState(KeyState.PENDING_DELETION.awsName(), due, window));
    LOG.info("key {} scheduled for deletion at {}", key.keyId(), due);
    return new DeletionScheduled(key.arn(), due, KeyState.PENDING_DELETION.awsName(), window);
  }

  /** CancelKeyDeletion: the key returns to Disabled; answers its ARN. */
  public String cancelKeyDeletion(RequestContext ctx, String keyId) {
    synchronized (keys.lifecycleLock()) {
      return ConflictRetry.retry(() -> cancelKeyDeletionLocked(ctx, keyId));
    }
  }

  private String cancelKeyDeletionLocked(RequestContext ctx, String keyId) {
    // Only PendingDeletion and PendingReplicaDeletion pass (the key state table).
    KeyRecord key = keys.resolveFor(ctx, keyId, "CancelKeyDeletion");
    // A key of imported material whose material is gone returns to PendingImport, not Disabled.
    boolean withoutMaterial =
        ImportRules.EXTERNAL.equals(key.origin())
            && !hsm.keyExists(MaterialId.fromHex(key.currentMaterialId()));
    KeyState back = withoutMaterial ? KeyState.PENDING_IMPORT : KeyState.DISABLED;
    store.updateKey(key.withState(back.awsName(), null, null));
    return key.arn();
  }

  public void updateKeyDescription(RequestContext ctx, String keyId, String description) {
    synchronized (keys.lifecycleLock()) {
      ConflictRetry.retry(
          () -> {
            KeyRecord key = keys.resolveFor(ctx, keyId, "UpdateKeyDescription");
            store.updateKey(key.withDescription(description));
          });
    }
  }

  /**
   * TagResource. Under the lifecycle lock, like every other change of a key: so that a key being
   * scheduled for deletion gets no tag after its state was checked, and two calls cannot both pass
   * the 50-tag limit on the same count.
   */
  public void tagResource(RequestContext ctx, String keyId, List<Tag> tags) {
    synchronized (keys.lifecycleLock()) {
      KeyRecord key = keys.resolveFor(ctx, keyId, "TagResource");
      Map<String, String> existing = store.tags(key.keyId());
      store.putTags(key.keyId(), TagRules.check(tags, existing, false, quotas.tagsPerKey()));
    }
  }

  /** UntagResource, under the lifecycle lock for the same reason as {@link #tagResource}. */
  public void untagResource(RequestContext ctx, String keyId, List<String> tagKeys) {
    synchronized (keys.lifecycleLock()) {
      KeyRecord key = keys.resolveFor(ctx, keyId, "UntagResource");
      for (String k : tagKeys) {
        TagRules.checkKey(k);
      }
      store.removeTags(key.keyId(), new HashSet<>(tagKeys));
    }
  }

  public Page<Tag> listResourceTags(RequestContext ctx, String keyId, int limit, String marker) {
    KeyRecord key = keys.resolveFor(ctx, keyId, "ListResourceTags");
    String after = Markers.decode("tag", marker);
    List<Tag> all = new ArrayList<>();
    for (Map.Entry<String, String> e : store.tags(key.keyId()).entrySet()) {
      if (after == null || e.getKey().compareTo(after) > 0) {
        all.add(new Tag(e.getKey(), e.getValue()));
      }
    }
    if (all.size() > limit) {
      List<Tag> page = all.subList(0, limit);
      return new Page<>(page, Markers.encode("tag", page.get(limit - 1).key()));
    }
    return new Page<>(all, null);
  }

  public KeyMetadata metadata(RequestContext ctx, KeyRecord key) {
    KeyState state = KeyState.fromAwsName(key.keyState());
    KeySpec spec = KeySpec.ofKey(key.keySpec());
    String usage = key.keyUsage();
    // Imported key material: its expiration, while the key has material.
    ImportedMaterialRecord imported =
        ImportRules.EXTERNAL.equals(key.origin()) && state != KeyState.PENDING_IMPORT
            ? store.findImportedMaterial(key.keyId()).orElse(null)
            : null;
    return new KeyMetadata(
        key.account(),
        key.publicId(),
        key.arn(),
        key.creationDate(),
        state == KeyState.ENABLED,
        key.description(),
        usage,
        key.keyState(),
        key.deletionDate(),
        key.origin(),
        key.keySpec(),
        spec.encryptionAlgorithms(usage),
        spec.signingAlgorithms(usage),
        spec.macAlgorithms(),
        spec.keyAgreementAlgorithms(usage),
        spec.isSymmetric() ? KeyMaterialIds.toWire(key.currentMaterialId()) : null,
        MultiRegionConfiguration.of(store, key).orElse(null),
        state == KeyState.PENDING_REPLICA_DELETION ? key.pendingWindowDays() : null,
        imported == null ? null : imported.expirationModel(),
        imported == null ? null : imported.validTo());
  }
}
