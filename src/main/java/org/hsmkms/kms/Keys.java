package org.hsmkms.kms;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hsmkms.store.AliasRecord;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MetadataStore;

/**
 * Finds keys the way AWS does (key id, key ARN, alias name, alias ARN), within the caller's account
 * and region, and enforces the key states each kind of operation needs.
 */
public final class Keys {
  private static final Pattern KEY_ID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final Pattern ARN =
      Pattern.compile("arn:aws:kms:([a-z0-9-]+):(\\d{12}):((?:key/|alias/).+)");
  static final String ALIAS_PREFIX = "alias/";

  private final MetadataStore store;
  private final Object lifecycle = new Object();

  public Keys(MetadataStore store) {
    this.store = store;
  }

  /**
   * Serialises key state transitions in this process (read state, decide, write), so that, for
   * example, CancelKeyDeletion and the deletion sweep cannot both win.
   */
  Object lifecycleLock() {
    return lifecycle;
  }

  /** What an operation needs of a key's state. */
  public enum Use {
    /** Encrypt, Decrypt, GenerateDataKey...: the key must be Enabled. */
    CRYPTO,
    /** Changes to a key (enable, disable, description, tags, aliases): not pending deletion. */
    MANAGE,
    /** Reading metadata: any visible state. */
    READ
  }

  /** Resolves any KeyId form to a visible key of the caller's account and region. */
  public KeyRecord resolve(RequestContext ctx, String keyId) {
    KeyRecord key =
        find(ctx, keyId, true)
            .orElseThrow(() -> new KmsException(ErrorCode.NOT_FOUND, notFoundMessage(ctx, keyId)));
    return key;
  }

  /** Resolves a key id or key ARN (not an alias), as CreateAlias's TargetKeyId requires. */
  public KeyRecord resolveKeyOnly(RequestContext ctx, String keyId) {
    return find(ctx, keyId, false)
        .orElseThrow(() -> new KmsException(ErrorCode.NOT_FOUND, notFoundMessage(ctx, keyId)));
  }

  /** Resolves and checks the state for {@code use}. */
  public KeyRecord resolve(RequestContext ctx, String keyId, Use use) {
    KeyRecord key = resolve(ctx, keyId);
    checkState(ctx, key, use);
    return key;
  }

  /** The key a blob names, if it is visible to the caller; empty otherwise. */
  public Optional<KeyRecord> byUuid(RequestContext ctx, UUID keyId) {
    return load(ctx, keyId.toString());
  }

  public void checkState(RequestContext ctx, KeyRecord key, Use use) {
    KeyState state = KeyState.fromAwsName(key.keyState());
    String arn = ctx.keyArn(key.keyId());
    if (use == Use.READ) {
      return;
    }
    switch (state) {
      case PENDING_DELETION ->
          throw new KmsException(ErrorCode.INVALID_STATE, arn + " is pending deletion.");
      case DISABLED -> {
        if (use == Use.CRYPTO) {
          throw new KmsException(ErrorCode.DISABLED, arn + " is disabled.");
        }
      }
      case UNAVAILABLE -> {
        if (use == Use.CRYPTO) {
          throw new KmsException(ErrorCode.KEY_UNAVAILABLE, arn + " is unavailable.");
        }
      }
      default -> {}
    }
  }

  private Optional<KeyRecord> find(RequestContext ctx, String keyId, boolean aliasesAllowed) {
    if (keyId.startsWith("arn:")) {
      Matcher m = ARN.matcher(keyId);
      if (!m.matches()) {
        throw new KmsException(ErrorCode.NOT_FOUND, "Invalid arn " + keyId);
      }
      if (!m.group(1).equals(ctx.region()) || !m.group(2).equals(ctx.account())) {
        return Optional.empty();
      }
      String resource = m.group(3);
      if (resource.startsWith("key/")) {
        return load(ctx, resource.substring(4));
      }
      return aliasesAllowed ? viaAlias(ctx, resource) : Optional.empty();
    }
    if (keyId.startsWith(ALIAS_PREFIX)) {
      return aliasesAllowed ? viaAlias(ctx, keyId) : Optional.empty();
    }
    if (!KEY_ID.matcher(keyId).matches()) {
      throw new KmsException(ErrorCode.NOT_FOUND, "Invalid keyId '" + keyId + "'");
    }
    return load(ctx, keyId);
  }

  private Optional<KeyRecord> viaAlias(RequestContext ctx, String aliasName) {
    Optional<AliasRecord> alias = store.findAlias(ctx.account(), ctx.region(), aliasName);
    return alias.flatMap(a -> load(ctx, a.targetKeyId()));
  }

  private Optional<KeyRecord> load(RequestContext ctx, String keyId) {
    if (!KEY_ID.matcher(keyId).matches()) {
      return Optional.empty();
    }
    Optional<KeyRecord> key =
        store
            .findKey(keyId)
            .filter(k -> k.account().equals(ctx.account()) && k.region().equals(ctx.region()))
            .filter(k -> KeyState.fromAwsName(k.keyState()).isVisible());
    key.ifPresent(k -> ctx.used(k.keyId()));
    return key;
  }

  private static String notFoundMessage(RequestContext ctx, String keyId) {
    if (keyId.startsWith(ALIAS_PREFIX)) {
      return "Alias " + ctx.aliasArn(keyId) + " is not found.";
    }
    if (keyId.startsWith("arn:") && keyId.contains(":alias/")) {
      return "Alias " + keyId + " is not found.";
    }
    String arn = keyId.startsWith("arn:") ? keyId : ctx.keyArn(keyId);
    return "Key '" + arn + "' does not exist";
  }
}
