package org.hsmkms.kms;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hsmkms.authz.AuthorizationResult;
import org.hsmkms.authz.KmsActions.Permission;
import org.hsmkms.authz.KmsActions.Resource;
import org.hsmkms.store.AliasRecord;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MetadataStore;
import org.hsmkms.store.MultiRegionKeyRecord;

/**
 * Finds keys the way AWS does (key id, key ARN, alias name, alias ARN) and enforces the key states
 * each operation needs, by {@link KeyStateTable}. Key ids and aliases name keys of the caller's
 * account and region; a key ARN may name a key of another account of the region, for the operations
 * AWS allows across accounts.
 *
 * <p>Security: every key resolved for a client's request is authorized here ({@link KeyAuthorizer})
 * before the request can use it, and before its state is looked at.
 */
public final class Keys {
  static final Pattern KEY_ID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final Pattern ARN =
      Pattern.compile("arn:aws:kms:([a-z0-9-]+):(\\d{12}):((?:key/|alias/).+)");
  static final Pattern MULTI_REGION_KEY_ID = Pattern.compile("mrk-[0-9a-f]{32}");
  // A store row id: a UUID, or one region's row of a multi-Region key. Never named by a client.
  static final Pattern ROW_ID = Pattern.compile(KEY_ID.pattern() + "|mrk-[0-9a-f]{32}/[a-z0-9-]+");
  static final String ALIAS_PREFIX = "alias/";

  private final MetadataStore store;
  private final KeyAuthorizer authorizer;
  private final Object lifecycle = new Object();

  public Keys(MetadataStore store, KeyAuthorizer authorizer) {
    this.store = store;
    this.authorizer = authorizer;
  }

  /** For the service's own work and its tests: every key of the store, nothing authorized. */
  public Keys(MetadataStore store) {
    this(store, new KeyAuthorizer(store, new GrantIndex(store)));
  }

  /** The authorizer, for the operations that decide a permission by a rule of their own. */
  KeyAuthorizer authorizer() {
    return authorizer;
  }

  /**
   * Serialises key state transitions in this process (read state, decide, write), so that, for
   * example, CancelKeyDeletion and the deletion sweep cannot both win.
   */
  Object lifecycleLock() {
    return lifecycle;
  }

  /** Resolves any KeyId form to a visible key, authorized as the key the request names. */
  public KeyRecord resolve(RequestContext ctx, String keyId) {
    return resolve(ctx, keyId, Resource.KEY);
  }

  /** Resolves any KeyId form to a visible key, authorized as {@code role}. */
  public KeyRecord resolve(RequestContext ctx, String keyId, Resource role) {
    KeyRecord key = find(ctx, keyId, true).orElseThrow(() -> notFound(ctx, keyId));
    authorizer.authorize(ctx, role, key);
    return key;
  }

  /**
   * Resolves a key id or key ARN (not an alias), as CreateAlias's TargetKeyId requires, authorized
   * as {@code role}.
   */
  public KeyRecord resolveKeyOnly(RequestContext ctx, String keyId, Resource role) {
    KeyRecord key = find(ctx, keyId, false).orElseThrow(() -> notFound(ctx, keyId));
    authorizer.authorize(ctx, role, key);
    return key;
  }

  /**
   * A key of the caller's account named by key id or key ARN, used only to filter a listing
   * (ListAliases's KeyId): the listing's own permission covers it, so nothing more is authorized.
   */
  public KeyRecord filterKey(RequestContext ctx, String keyId) {
    return find(ctx, keyId, false)
        .filter(k -> k.account().equals(ctx.account()))
        .orElseThrow(() -> notFound(ctx, keyId));
  }

  /**
   * Resolves, authorizes as the key the request names, and checks the key's state for {@code
   * operation} (the AWS operation name, a row of {@link KeyStateTable}).
   */
  public KeyRecord resolveFor(RequestContext ctx, String keyId, String operation) {
    return resolveFor(ctx, keyId, operation, Resource.KEY);
  }

  /** Resolves, authorizes as {@code role}, and checks the key's state for {@code operation}. */
  public KeyRecord resolveFor(RequestContext ctx, String keyId, String operation, Resource role) {
    KeyRecord key = resolve(ctx, keyId, role);
    checkState(key, operation);
    return key;
  }

  /**
   * The key a blob names, if it exists and is visible in the caller's region, authorized as {@code
   * role}; empty otherwise. A key of another account is found only for a request that may use one.
   */
  public Optional<KeyRecord> byUuid(RequestContext ctx, UUID keyId, Resource role) {
    return byPublicId(ctx, keyId.toString(), role);
  }

  /**
   * The key a blob names by its public id (a UUID or {@code mrk-<hex>}), as {@link #byUuid}: for a
   * multi-Region key, the row of the caller's region, which shares the material of every region.
   */
  public Optional<KeyRecord> byPublicId(RequestContext ctx, String publicId, Resource role) {
    Optional<KeyRecord> key =
        rowId(publicId, ctx.region()).flatMap(row -> load(ctx, row, foreignAccount(ctx)));
    key.ifPresent(k -> authorizer.authorize(ctx, role, k, true));
    return key;
  }

  /**
   * The store row id of the key a client names by {@code publicId} in {@code region}: a UUID stays
   * as it is; {@code mrk-<hex>} becomes {@code mrk-<hex>/<region>}. Empty for anything else (a
   * client can never name a row id with '/').
   */
  static Optional<String> rowId(String publicId, String region) {
    if (isKeyId(publicId)) {
      return Optional.of(publicId);
    }
    if (isMultiRegionKeyId(publicId)) {
      return Optional.of(KeyRecord.multiRegionRowId(publicId, region));
    }
    return Optional.empty();
  }

  /**
   * The row id whose {@code key_materials} rows hold {@code key}'s material versions. Every lookup
   * of a key's materials goes through here: a multi-Region key's regions share one set of HSM
   * objects, recorded under the primary's row (UpdatePrimaryRegion moves them), so a replica's own
   * row has none.
   */
  public String materialOwner(KeyRecord key) {
    if (!key.isMultiRegion()) {
      return key.keyId();
    }
    return store
        .findMultiRegionKey(key.publicId())
        .map(MultiRegionKeyRecord::primaryRowId)
        .orElse(key.keyId());
  }

  /**
   * Resolves any KeyId form without authorizing it: only for an operation that then decides by its
   * own rule ({@link #decidedByRule}) or authorizes the key itself ({@link #authorize}).
   */
  public KeyRecord resolveForOwnRule(RequestContext ctx, String keyId) {
    return find(ctx, keyId, true).orElseThrow(() -> notFound(ctx, keyId));
  }

  /**
   * Authorizes {@code key} as {@code role} by the caller's identity policy alone, for a permission
   * AWS does not let a key policy give (RetireGrant: "not effective in a key policy").
   */
  public void authorizeByIdentity(RequestContext ctx, Resource role, KeyRecord key) {
    Authorization auth = ctx.authorization();
    if (!auth.isTrusted()) {
      auth.authorizeAccount(new Permission(auth.actionFor(role), role), key.arn());
    }
  }

  /** Authorizes the request to use {@code key} as {@code role}. */
  public void authorize(RequestContext ctx, Resource role, KeyRecord key) {
    authorizer.authorize(ctx, role, key);
  }

  /** Records a refusal by the operation's own rule, for the audit record. */
  public void refusedByRule(RequestContext ctx, Resource role, KeyRecord key) {
    Authorization auth = ctx.authorization();
    if (!auth.isTrusted()) {
      auth.record(role, auth.actionFor(role), key.arn(), AuthorizationResult.IMPLICIT_DENY);
    }
  }

  /**
   * Counts a permission as decided by the operation's own rule (RetireGrant: the grant's retiring
   * principal or grantee), where AWS does not ask the key policy.
   */
  public void decidedByRule(RequestContext ctx, Resource role, KeyRecord key, String rule) {
    authorizer.decidedByRule(ctx, role, key, rule);
  }

  /**
   * Refuses {@code operation} on {@code key} as AWS's key state table does ({@link KeyStateTable},
   * the one place that decides by a key's state).
   *
   * @throws KmsException the error of the table's cell
   */
  public void checkState(KeyRecord key, String operation) {
    KeyStateTable.check(operation, key);
  }

  private Optional<KeyRecord> find(RequestContext ctx, String keyId, boolean aliasesAllowed) {
    if (keyId.startsWith("arn:")) {
      Matcher m = ARN.matcher(keyId);
      if (!m.matches()) {
        throw Errors.invalidArn(keyId);
      }
      if (!m.group(1).equals(ctx.region())) {
        // DescribeKey etc. with an ARN of another region, as AWS answers it.
        throw Errors.invalidArn(m.group(1));
      }
      boolean ownAccount = m.group(2).equals(ctx.account());
      if (!ownAccount && !foreignAccounts(ctx)) {
        return Optional.empty();
      }
      String resource = m.group(3);
      if (resource.startsWith("key/")) {
        return rowId(resource.substring(4), ctx.region())
            .flatMap(row -> load(ctx, row, m.group(2)));
      }
      // Aliases are never used across accounts (AWS).
      return aliasesAllowed && ownAccount ? viaAlias(ctx, resource) : Optional.empty();
    }
    if (keyId.startsWith(ALIAS_PREFIX)) {
      return aliasesAllowed ? viaAlias(ctx, keyId) : Optional.empty();
    }
    if (isMultiRegionKeyId(keyId)) {
      // A multi-Region key id names the key's row in the caller's region.
      return load(ctx, KeyRecord.multiRegionRowId(keyId, ctx.region()), ctx.account());
    }
    if (!isKeyId(keyId)) {
      throw Errors.invalidKeyId(keyId);
    }
    return load(ctx, keyId, ctx.account());
  }

  /**
   * Whether keys of other accounts may be found at all: for a client's request (its authorization
   * then decides), never for the service's own work.
   */
  private static boolean foreignAccounts(RequestContext ctx) {
    return !ctx.authorization().isTrusted();
  }

  /** The account a key found by its UUID must belong to: any, or the caller's. */
  private static String foreignAccount(RequestContext ctx) {
    return foreignAccounts(ctx) ? null : ctx.account();
  }

  private Optional<KeyRecord> viaAlias(RequestContext ctx, String aliasName) {
    Optional<AliasRecord> alias = store.findAlias(ctx.account(), ctx.region(), aliasName);
    return alias.flatMap(a -> load(ctx, a.targetKeyId(), ctx.account()));
  }

  /**
   * A visible key of the caller's region, of {@code account} (null: of any account), by its row id
   * (an alias's target is one).
   */
  private Optional<KeyRecord> load(RequestContext ctx, String keyId, String account) {
    if (!isRowId(keyId)) {
      return Optional.empty();
    }
    Optional<KeyRecord> key =
        store
            .findKey(keyId)
            .filter(k -> account == null || k.account().equals(account))
            .filter(k -> k.region().equals(ctx.region()))
            .filter(k -> KeyState.fromAwsName(k.keyState()).isVisible());
    key.ifPresent(ctx::used);
    return key;
  }

  /*
   * The shapes of KEY_ID, MULTI_REGION_KEY_ID and ROW_ID checked by hand: every request that names
   * a key checks two or three of them, and a regular expression cost more than the rest of the
   * lookup (KeysShapeTest holds them to the patterns).
   */

  /** As {@code KEY_ID}: a lower-case UUID. */
  static boolean isKeyId(String s) {
    if (s.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(i);
      boolean ok = i == 8 || i == 13 || i == 18 || i == 23 ? c == '-' : isLowerHex(c);
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** As {@code MULTI_REGION_KEY_ID}: {@code mrk-} and 32 lower-case hex digits. */
  static boolean isMultiRegionKeyId(String s) {
    return s.length() == 36 && s.startsWith("mrk-") && lowerHex(s, 4, 36);
  }

  /** As {@code ROW_ID}: a key id, or a multi-Region key id, '/' and a region name. */
  static boolean isRowId(String s) {
    if (isKeyId(s)) {
      return true;
    }
    if (s.length() < 38 || s.charAt(36) != '/' || !isMultiRegionKeyId(s.substring(0, 36))) {
      return false;
    }
    for (int i = 37; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private static boolean lowerHex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!isLowerHex(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLowerHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }

  private static KmsException notFound(RequestContext ctx, String keyId) {
    if (keyId.startsWith(ALIAS_PREFIX)) {
      return Errors.aliasNotFound(ctx.aliasArn(keyId));
    }
    if (keyId.startsWith("arn:") && keyId.contains(":alias/")) {
      return Errors.aliasNotFound(keyId);
    }
    return Errors.keyNotFound(keyId.startsWith("arn:") ? keyId : ctx.keyArn(keyId));
  }
}
