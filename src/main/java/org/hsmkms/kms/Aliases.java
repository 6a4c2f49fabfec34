package org.hsmkms.kms;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.hsmkms.authz.KmsActions.Resource;
import org.hsmkms.store.AliasRecord;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MetadataStore;

/** Aliases: friendly names for keys, per account and region, with AWS's naming rules. */
public final class Aliases {
  static final int MAX_LIMIT = 100;

  private static final String RESERVED_PREFIX = "alias/aws/";

  private final MetadataStore store;
  private final Keys keys;
  private final Clock clock;
  private final int maxAliasesPerKey;

  public Aliases(MetadataStore store, Keys keys, Clock clock) {
    this(store, keys, clock, ResourceQuotas.AWS);
  }

  public Aliases(MetadataStore store, Keys keys, Clock clock, ResourceQuotas quotas) {
    this.maxAliasesPerKey = quotas.aliasesPerKey();
    this.store = store;
    this.keys = keys;
    this.clock = clock;
  }

  public void createAlias(RequestContext ctx, String aliasName, String targetKeyId) {
    checkName(aliasName);
    checkNewName(aliasName);
    checkTarget(targetKeyId);
    KeyRecord key = keys.resolveKeyOnly(ctx, targetKeyId, Resource.TARGET_KEY);
    keys.checkState(key, "CreateAlias");
    checkAliasQuota(ctx, key);
    Instant now = clock.instant();
    if (!store.insertAlias(
        new AliasRecord(ctx.account(), ctx.region(), aliasName, key.keyId(), now, now))) {
      throw ManagementErrors.aliasExists(ctx.aliasArn(aliasName));
    }
  }

  public void updateAlias(RequestContext ctx, String aliasName, String targetKeyId) {
    checkName(aliasName);
    checkTarget(targetKeyId);
    AliasRecord alias = existing(ctx, aliasName);
    // UpdateAlias: kms:UpdateAlias on the alias, its current key and its new key.
    keys.resolveKeyOnly(ctx, KeyRecord.publicIdOf(alias.targetKeyId()), Resource.ALIAS_KEY);
    KeyRecord key = keys.resolveKeyOnly(ctx, targetKeyId, Resource.TARGET_KEY);
    // UpdateAlias: the key state table's row is the new target's ([10]).
    keys.checkState(key, "UpdateAlias");
    if (!key.keyId().equals(alias.targetKeyId())) {
      checkAliasQuota(ctx, key);
    }
    store.updateAlias(
        new AliasRecord(
            ctx.account(),
            ctx.region(),
            aliasName,
            key.keyId(),
            alias.creationDate(),
            clock.instant()));
  }

  /** AWS's "Aliases per KMS key" quota: reads at most one alias more than the quota. */
  private void checkAliasQuota(RequestContext ctx, KeyRecord key) {
    if (store.listAliases(ctx.account(), ctx.region(), key.keyId(), null, maxAliasesPerKey).size()
        >= maxAliasesPerKey) {
      throw ManagementErrors.aliasQuota(key.arn(), maxAliasesPerKey);
    }
  }

  public void deleteAlias(RequestContext ctx, String aliasName) {
    checkName(aliasName);
    // DeleteAlias: kms:DeleteAlias on the alias and on the key it points to.
    AliasRecord alias = existing(ctx, aliasName);
    KeyRecord key =
        keys.resolveKeyOnly(ctx, KeyRecord.publicIdOf(alias.targetKeyId()), Resource.ALIAS_KEY);
    keys.checkState(key, "DeleteAlias");
    if (!store.deleteAlias(ctx.account(), ctx.region(), aliasName)) {
      throw notFound(ctx, aliasName);
    }
  }

  /**
   * ListAliases, optionally only those of one key (key id or key ARN). AWS's API reference: Limit
   * "must be between 1 and 100, inclusive" (the model allows 1..1000).
   */
  public Page<AliasListEntry> listAliases(
      RequestContext ctx, String keyId, int limit, String marker) {
    if (limit > MAX_LIMIT) {
      throw KmsException.validation(
          "'" + limit + "'", "limit", "Member must have value less than or equal to " + MAX_LIMIT);
    }
    String filter = keyId == null ? null : keys.filterKey(ctx, keyId).keyId();
    String after = Markers.decode("alias", marker);
    List<AliasRecord> rows =
        store.listAliases(ctx.account(), ctx.region(), filter, after, limit + 1);
    if (rows.size() > limit) {
      List<AliasRecord> page = rows.subList(0, limit);
      return new Page<>(
          AliasListEntry.of(ctx, page), Markers.encode("alias", page.get(limit - 1).aliasName()));
    }
    return new Page<>(AliasListEntry.of(ctx, rows), null);
  }

  private AliasRecord existing(RequestContext ctx, String aliasName) {
    return store
        .findAlias(ctx.account(), ctx.region(), aliasName)
        .orElseThrow(() -> notFound(ctx, aliasName));
  }

  private static KmsException notFound(RequestContext ctx, String aliasName) {
    return Errors.aliasNotFound(ctx.aliasArn(aliasName));
  }

  private static void checkName(String aliasName) {
    // CreateAlias, UpdateAlias, DeleteAlias: the name must begin with alias/ (AWS answers
    // ValidationException, in the words recorded from AWS by localstack's suite).
    if (!aliasName.startsWith(Keys.ALIAS_PREFIX)
        || aliasName.length() == Keys.ALIAS_PREFIX.length()) {
      throw ValidationErrors.aliasPrefix();
    }
    // "The alias/aws/ prefix is reserved for AWS managed keys": AWS answers a customer's
    // CreateAlias or UpdateAlias with such a name NotAuthorizedException, without a message (as
    // moto's suite records it); DeleteAlias the same, since the alias is never the caller's.
    if (aliasName.startsWith(RESERVED_PREFIX)) {
      throw ManagementErrors.aliasReserved();
    }
  }

  /**
   * A name the model's pattern allows but AWS refuses for a new alias: one with a colon (a colon
   * would make the name's alias ARN ambiguous).
   */
  private static void checkNewName(String aliasName) {
    if (aliasName.indexOf(':') >= 0) {
      throw ValidationErrors.aliasCharacters(aliasName);
    }
  }

  /** CreateAlias, UpdateAlias TargetKeyId: "You cannot specify another alias." */
  private static void checkTarget(String targetKeyId) {
    if (targetKeyId.startsWith(Keys.ALIAS_PREFIX)
        || (targetKeyId.startsWith("arn:") && targetKeyId.contains(":alias/"))) {
      throw ValidationErrors.aliasTargetIsAlias();
    }
  }
}
