package org.hsmkms.kms;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.hsmkms.authz.AuthorizationResult;
import org.hsmkms.authz.Authorizer;
import org.hsmkms.authz.AuthzRequest;
import org.hsmkms.authz.KmsActions.Resource;
import org.hsmkms.authz.MalformedPolicyException;
import org.hsmkms.authz.PolicyDocument;
import org.hsmkms.authz.PolicyKind;
import org.hsmkms.store.AliasRecord;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MetadataStore;

/**
 * Decides whether a request may use a key, as AWS KMS does: the key policy, the caller's identity
 * policy and the key's grants ({@link Authorizer}), over the request's condition keys and the key's
 * own ({@code kms:KeySpec}, {@code kms:KeyUsage}, {@code kms:KeyOrigin}, {@code
 * aws:ResourceTag/<k>}, {@code kms:ResourceAliases}). {@link Keys} calls it for every key it
 * resolves for a client's request.
 *
 * <p>Fast: a key policy is compiled once and kept until the key's policy text changes; tags and
 * aliases are read (from the cached store) only when a policy mentions them. Security: a key of
 * another account is refused for an operation AWS does not allow across accounts, whatever the
 * policies say.
 */
public final class KeyAuthorizer {
  /** Above this many compiled policies the cache is emptied rather than grown. */
  private static final int MAX_CACHED = 10_000;

  private static final int MAX_ALIASES = 1_000;
  private static final List<String> FALSE = List.of("false");

  private final MetadataStore store;
  private final GrantIndex grants;
  private final Map<String, PolicyDocument> compiled = new ConcurrentHashMap<>();

  public KeyAuthorizer(MetadataStore store, GrantIndex grants) {
    this.store = store;
    this.grants = grants;
  }

  /**
   * Authorizes the request of {@code ctx} to use {@code key} as {@code role} (the key it names, the
   * source or destination of ReEncrypt, an alias's target, ...).
   *
   * @throws KmsException AccessDeniedException when it may not
   */
  void authorize(RequestContext ctx, Resource role, KeyRecord key) {
    authorize(ctx, role, key, false);
  }

  /**
   * As {@link #authorize(RequestContext, Resource, KeyRecord)}; {@code viaCiphertext}: the request
   * names no key, only a ciphertext whose header names this one, and a refusal does not name it.
   */
  void authorize(RequestContext ctx, Resource role, KeyRecord key, boolean viaCiphertext) {
    Authorization auth = ctx.authorization();
    if (auth.isTrusted()) {
      return;
    }
    String action = auth.actionFor(role);
    String arn = key.arn();
    boolean ownAccount = key.account().equals(auth.principalAccount());
    if (!ownAccount && !auth.crossAccount()) {
      // AWS's permissions table: this operation is never allowed on another account's key.
      auth.record(role, action, arn, AuthorizationResult.IMPLICIT_DENY);
      throw auth.denied(action, arn, AuthorizationResult.IMPLICIT_DENY, false, viaCiphertext);
    }
    PolicyDocument keyPolicy = keyPolicy(key);
    PolicyDocument identity = auth.identityPolicy();
    AuthzRequest request =
        new AuthzRequest(
            auth.principalArn(),
            auth.principalAccount(),
            action,
            arn,
            conditionKeys(auth, key, keyPolicy, identity));
    AuthorizationResult result =
        Authorizer.authorizeKeyAction(
            keyPolicy, identity, r -> grants.allowingGrant(key, r, auth.grantTokens()), request);
    auth.record(role, action, arn, result);
    if (!result.allowed()) {
      // The refusal names the identity side when the key policy did its part: it trusts the
      // caller's account, or (across accounts, where both sides must allow) names the caller.
      boolean identitySideMissing =
          keyPolicy.allowsAccount(request)
              || (!ownAccount && keyPolicy.evaluate(request).isAllow());
      throw auth.denied(action, arn, result, identitySideMissing, viaCiphertext);
    }
  }

  /**
   * Counts a permission as decided by an operation's own rule (RetireGrant by the grant's retiring
   * principal or grantee).
   */
  void decidedByRule(RequestContext ctx, Resource role, KeyRecord key, String rule) {
    Authorization auth = ctx.authorization();
    if (!auth.isTrusted()) {
      auth.recordRule(role, auth.actionFor(role), key.arn(), rule);
    }
  }

  private PolicyDocument keyPolicy(KeyRecord key) {
    PolicyDocument doc = compiled.get(key.keyId());
    if (doc != null && (doc.text() == key.policy() || doc.text().equals(key.policy()))) {
      return doc;
    }
    try {
      doc = PolicyDocument.parse(key.policy(), PolicyKind.KEY_POLICY);
    } catch (MalformedPolicyException e) {
      // Every stored policy passed the same parser: the row was changed behind our back.
      throw Errors.internal(new IllegalStateException(e));
    }
    if (compiled.size() >= MAX_CACHED) {
      compiled.clear();
    }
    compiled.put(key.keyId(), doc);
    return doc;
  }

  private Map<String, List<String>> conditionKeys(
      Authorization auth, KeyRecord key, PolicyDocument keyPolicy, PolicyDocument identity) {
    // Canonical (lower-case) names: layered over the request's keys as they are.
    Map<String, List<String>> keys = new HashMap<>(16);
    // Conditions for KMS key operations (AWS "AWS KMS condition keys"): the key's own properties.
    keys.put("kms:keyspec", List.of(key.keySpec()));
    keys.put("kms:keyusage", List.of(key.keyUsage()));
    keys.put("kms:keyorigin", List.of(key.origin()));
    keys.put("kms:multiregion", key.isMultiRegion() ? List.of("true") : FALSE);
    if (key.isMultiRegion() && mentions(keyPolicy, identity, "kms:multiregionkeytype")) {
      store
          .findMultiRegionKey(key.publicId())
          .ifPresent(
              m ->
                  keys.put(
                      "kms:multiregionkeytype",
                      List.of(m.primaryRegion().equals(key.region()) ? "PRIMARY" : "REPLICA")));
    }
    if (mentions(keyPolicy, identity, "aws:resourcetag/")) {
      for (Map.Entry<String, String> tag : store.tags(key.keyId()).entrySet()) {
        keys.put("aws:ResourceTag/" + tag.getKey(), List.of(tag.getValue()));
      }
    }
    if (mentions(keyPolicy, identity, "kms:resourcealiases")) {
      List<String> names = new ArrayList<>();
      for (AliasRecord a :
          store.listAliases(key.account(), key.region(), key.keyId(), null, MAX_ALIASES)) {
        names.add(a.aliasName());
      }
      if (!names.isEmpty()) {
        keys.put("kms:resourcealiases", names);
      }
    }
    return auth.requestKeys().with(keys);
  }

  private static boolean mentions(PolicyDocument a, PolicyDocument b, String lowerCaseText) {
    return a.mentions(lowerCaseText) || (b != null && b.mentions(lowerCaseText));
  }

  /** For tests: whether a compiled policy of the key is cached. */
  boolean isCached(String keyId) {
    return compiled.containsKey(keyId);
  }
}
