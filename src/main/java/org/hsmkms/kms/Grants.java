package org.hsmkms.kms;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.hsmkms.authz.KmsActions.Resource;
import org.hsmkms.hsm.RandomSource;
import org.hsmkms.store.GrantRecord;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MetadataStore;

/**
 * Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant and RevokeGrant, with AWS's
 * validation and limits. Whether a grant lets a request through is {@link GrantIndex}'s question.
 *
 * <p>Security: grant ids and tokens come from the HSM's generator (32 bytes each); only a SHA-256
 * of each token is stored. Who may call CreateGrant, ListGrants and RevokeGrant is decided when
 * {@link Keys} resolves the key; who may retire a grant is decided here, by the grant's own rules.
 */
public final class Grants {
  // AWS KMS quota (formerly): "Grants for a given principal per KMS key: 500". Grants per key are
  // ResourceQuotas.grantsPerKey.
  static final int MAX_GRANTS_PER_GRANTEE = 500;
  // ListGrants, ListRetirableGrants: Limit "must be between 1 and 100, inclusive", default 50.
  static final int MAX_LIMIT = 100;

  private final MetadataStore store;
  private final Keys keys;
  private final RandomSource random;
  private final Clock clock;
  private final int maxGrantsPerKey;

  public Grants(MetadataStore store, Keys keys, RandomSource random, Clock clock) {
    this(store, keys, random, clock, ResourceQuotas.AWS);
  }

  public Grants(
      MetadataStore store, Keys keys, RandomSource random, Clock clock, ResourceQuotas quotas) {
    this.maxGrantsPerKey = quotas.grantsPerKey();
    this.store = store;
    this.keys = keys;
    this.random = random;
    this.clock = clock;
  }

  /** CreateGrant's answer. Security: the token is a bearer credential; never log it. */
  public record CreatedGrant(String grantId, String grantToken) {
    @Override
    public String toString() {
      return "CreatedGrant[grantId=" + grantId + ", grantToken=[REDACTED]]";
    }
  }

  /**
   * CreateGrant. With a Name, a request equal to an existing grant of the key (same name, grantee,
   * retiring principal, operations and constraints) answers that grant's id with a new token, as
   * AWS does ("the returned grant token is unique with every CreateGrant request, even when a
   * duplicate GrantId is returned").
   */
  public CreatedGrant createGrant(RequestContext ctx, CreateGrantRequest r) {
    GrantRules.checkPrincipal("GranteePrincipal", r.granteePrincipal());
    if (r.retiringPrincipal() != null) {
      GrantRules.checkPrincipal("RetiringPrincipal", r.retiringPrincipal());
    }
    List<String> operations = GrantRules.checkOperations(r.operations());
    GrantRules.checkConstraints(r.constraints());
    // Under the lifecycle lock: the limits count the key's grants, and the deletion sweep must not
    // delete the key between the check of its state and the insertion.
    synchronized (keys.lifecycleLock()) {
      KeyRecord key = keys.resolveFor(ctx, r.keyId(), "CreateGrant");
      GrantRules.checkFitsKey(key, operations, r.constraints());
      CryptoOperations.dryRunStop(r.dryRun());
      List<GrantRecord> existing = store.grantsOfKey(key.keyId());
      String token = GrantTokens.newToken(random);
      if (r.name() != null) {
        for (GrantRecord g : existing) {
          if (sameGrant(g, r, operations)) {
            store.addGrantToken(g.grantId(), GrantTokens.hash(token));
            return new CreatedGrant(g.grantId(), token);
          }
        }
      }
      checkLimits(key, existing, r.granteePrincipal());
      GrantRecord grant =
          new GrantRecord(
              GrantTokens.newGrantId(random),
              key.keyId(),
              key.account(),
              key.region(),
              r.name(),
              r.granteePrincipal(),
              r.retiringPrincipal(),
              operations,
              r.constraints() == null ? null : r.constraints().encryptionContextEquals(),
              r.constraints() == null ? null : r.constraints().encryptionContextSubset(),
              key.account(),
              clock.instant());
      store.insertGrant(grant, GrantTokens.hash(token));
      return new CreatedGrant(grant.grantId(), token);
    }
  }

  /** ListGrants: the key's grants, optionally only one grant id or one grantee. */
  public Page<GrantListEntry> listGrants(
      RequestContext ctx,
      String keyId,
      String grantId,
      String granteePrincipal,
      int limit,
      String marker) {
    checkLimit(limit);
    KeyRecord key = keys.resolveFor(ctx, keyId, "ListGrants");
    String after = Markers.decode("grant", marker);
    List<GrantRecord> matching = new ArrayList<>();
    for (GrantRecord g : store.grantsOfKey(key.keyId())) {
      if ((grantId == null || grantId.equals(g.grantId()))
          && (granteePrincipal == null || granteePrincipal.equals(g.granteePrincipal()))
          && (after == null || g.grantId().compareTo(after) > 0)) {
        matching.add(g);
      }
    }
    return page(matching, limit);
  }

  /**
   * ListRetirableGrants: grants of the caller's region, on keys of any account, whose retiring
   * principal is {@code retiringPrincipal}. AWS: "You must specify a principal in your AWS
   * account"; a principal of another account is refused (AccessDeniedException).
   */
  public Page<GrantListEntry> listRetirableGrants(
      RequestContext ctx, String retiringPrincipal, int limit, String marker) {
    checkLimit(limit);
    GrantRules.checkPrincipal("RetiringPrincipal", retiringPrincipal);
    if (!ctx.account().equals(GrantRules.accountOf(retiringPrincipal))) {
      throw Authorization.notAllowedByRule(ctx.principal(), "kms:ListRetirableGrants", "*");
    }
    String after = Markers.decode("grant", marker);
    return page(
        store.grantsByRetiringPrincipal(ctx.region(), retiringPrincipal, after, limit + 1), limit);
  }

  /**
   * RetireGrant, by its token or by key and grant id. RetireGrant: "This operation can be called by
   * the retiring principal for a grant, by the grantee principal if the grant allows the
   * RetireGrant operation, and by the AWS account in which the grant is created" (here: a principal
   * of the key's account).
   */
  public void retireGrant(
      RequestContext ctx, String grantToken, String keyId, String grantId, boolean dryRun) {
    GrantRecord grant;
    if (grantToken != null) {
      if (!GrantTokens.wellFormed(grantToken)) {
        throw GrantErrors.invalidGrantToken();
      }
      grant =
          store
              .findGrantByToken(GrantTokens.hash(grantToken))
              .orElseThrow(GrantErrors::grantTokenNotFound);
      if (grantId != null && !grantId.equals(grant.grantId())) {
        throw notFound(grantId);
      }
      if (grant.account().equals(ctx.account()) && grant.region().equals(ctx.region())) {
        ctx.used(
            KeyRecord.publicIdOf(
                grant.keyId())); // for the audit record, as a resolved key would be
      }
    } else {
      if (keyId == null || grantId == null) {
        throw GrantErrors.grantIdentification();
      }
      // RetireGrant is decided by the grant's own rules below, not by this lookup.
      KeyRecord key = keys.resolveForOwnRule(ctx, keyId);
      Optional<GrantRecord> found =
          store.findGrant(grantId).filter(g -> g.keyId().equals(key.keyId()));
      if (found.isEmpty()) {
        // Only a caller allowed RetireGrant learns that no such grant exists.
        keys.authorizeByIdentity(ctx, Resource.KEY, key);
        throw notFound(grantId);
      }
      grant = found.get();
    }
    if (grantToken != null
        && keyId != null
        && !keyId.equals(KeyRecord.publicIdOf(grant.keyId()))
        && !keyId.equals(arn(grant))) {
      // The token names the grant; a KeyId beside it must name the grant's key (id or ARN).
      throw notFound(grant.grantId());
    }
    KeyRecord key = store.findKey(grant.keyId()).orElseThrow(() -> notFound(grant.grantId()));
    if (ctx.principal().equals(grant.retiringPrincipal())) {
      keys.decidedByRule(
          ctx, Resource.KEY, key, "grant " + grant.grantId() + " (its retiring principal)");
    } else if (ctx.principal().equals(grant.granteePrincipal())
        && grant.operations().contains("RetireGrant")) {
      keys.decidedByRule(
          ctx, Resource.KEY, key, "grant " + grant.grantId() + " (its grantee, with RetireGrant)");
    } else if (ctx.account().equals(grant.account())) {
      // "the AWS account in which the grant is created": a principal of that account whose
      // identity policy allows kms:RetireGrant (AWS: the permission "is not effective in a key
      // policy").
      keys.authorizeByIdentity(ctx, Resource.KEY, key);
    } else {
      keys.refusedByRule(ctx, Resource.KEY, key);
      throw Authorization.notAllowedByRule(ctx.principal(), "kms:RetireGrant", arn(grant));
    }
    keys.checkState(key, "RetireGrant");
    CryptoOperations.dryRunStop(dryRun);
    store.deleteGrant(grant.grantId());
  }

  /** RevokeGrant: deletes a grant of the key. */
  public void revokeGrant(RequestContext ctx, String keyId, String grantId, boolean dryRun) {
    KeyRecord key = keys.resolveFor(ctx, keyId, "RevokeGrant");
    GrantRecord grant = grantOf(key, grantId);
    CryptoOperations.dryRunStop(dryRun);
    store.deleteGrant(grant.grantId());
  }

  private GrantRecord grantOf(KeyRecord key, String grantId) {
    return store
        .findGrant(grantId)
        .filter(g -> g.keyId().equals(key.keyId()))
        .orElseThrow(() -> notFound(grantId));
  }

  private void checkLimits(KeyRecord key, List<GrantRecord> existing, String grantee) {
    if (existing.size() >= maxGrantsPerKey) {
      throw GrantErrors.tooManyGrants(key.publicId(), maxGrantsPerKey);
    }
    long forGrantee = existing.stream().filter(g -> g.granteePrincipal().equals(grantee)).count();
    if (forGrantee >= MAX_GRANTS_PER_GRANTEE) {
      throw GrantErrors.tooManyGrantsForGrantee(key.publicId(), grantee, MAX_GRANTS_PER_GRANTEE);
    }
  }

  private static boolean sameGrant(GrantRecord g, CreateGrantRequest r, List<String> operations) {
    GrantConstraints c = r.constraints();
    return r.name().equals(g.name())
        && r.granteePrincipal().equals(g.granteePrincipal())
        && Objects.equals(r.retiringPrincipal(), g.retiringPrincipal())
        && new HashSet<>(operations).equals(new HashSet<>(g.operations()))
        && Objects.equals(
            c == null ? null : c.encryptionContextEquals(), g.encryptionContextEquals())
        && Objects.equals(
            c == null ? null : c.encryptionContextSubset(), g.encryptionContextSubset());
  }

  private static Page<GrantListEntry> page(List<GrantRecord> rows, int limit) {
    List<GrantRecord> items = rows.size() > limit ? rows.subList(0, limit) : rows;
    List<GrantListEntry> entries = items.stream().map(GrantListEntry::of).toList();
    String next =
        rows.size() > limit ? Markers.encode("grant", items.get(limit - 1).grantId()) : null;
    return new Page<>(entries, next);
  }

  private static void checkLimit(int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw KmsException.validation(
          "'" + limit + "'",
          "limit",
          limit < 1
              ? "Member must have value greater than or equal to 1"
              : "Member must have value less than or equal to " + MAX_LIMIT);
    }
  }

  private static String arn(GrantRecord g) {
    return "arn:aws:kms:"
        + g.region()
        + ":"
        + g.account()
        + ":key/"
        + KeyRecord.publicIdOf(g.keyId());
  }

  private static KmsException notFound(String grantId) {
    return GrantErrors.grantNotFound(grantId);
  }
}
