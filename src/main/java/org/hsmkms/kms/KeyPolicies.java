package org.hsmkms.kms;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.hsmkms.authz.DefaultKeyPolicy;
import org.hsmkms.authz.LockoutCheck;
import org.hsmkms.authz.MalformedPolicyException;
import org.hsmkms.authz.PolicyDocument;
import org.hsmkms.authz.PolicyKind;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MetadataStore;

/**
 * Key policy documents: GetKeyPolicy, ListKeyPolicies and PutKeyPolicy, the default policy of a key
 * created without one, and the one check every policy passes before it is stored ({@link
 * #checkPolicy}), for CreateKey and PutKeyPolicy alike.
 *
 * <p>Security: policies are validated and stored as given, and returned as stored; {@link
 * KeyAuthorizer} evaluates them on every request. Each key has one policy, named {@value
 * #DEFAULT_NAME}, as in AWS KMS.
 */
public final class KeyPolicies {
  /** The only policy name AWS KMS knows. */
  public static final String DEFAULT_NAME = "default";

  private final MetadataStore store;
  private final Keys keys;

  // PutKeyPolicy, CreateKey: "The key policy size quota is 32 kilobytes (32768 bytes)."
  private final int maxPolicyBytes;

  public KeyPolicies(MetadataStore store, Keys keys) {
    this(store, keys, ResourceQuotas.AWS);
  }

  public KeyPolicies(MetadataStore store, Keys keys, ResourceQuotas quotas) {
    this.store = store;
    this.keys = keys;
    this.maxPolicyBytes = quotas.keyPolicyBytes();
  }

  /**
   * The checks a key policy passes before CreateKey or PutKeyPolicy stores it: at most 32 KiB, the
   * policy grammar of a key policy ({@link PolicyDocument}), and AWS's lockout safety check (the
   * policy must let the caller, by its ARN or through its account, call PutKeyPolicy later) unless
   * {@code bypassLockoutSafetyCheck}.
   *
   * @throws KmsException MalformedPolicyDocumentException, saying what is wrong;
   *     LimitExceededException for a policy over the size quota
   */
  public void checkPolicy(RequestContext ctx, String policy, boolean bypassLockoutSafetyCheck) {
    if (policy.getBytes(StandardCharsets.UTF_8).length > maxPolicyBytes) {
      throw ManagementErrors.policyTooLarge(maxPolicyBytes);
    }
    PolicyDocument document;
    try {
      document = PolicyDocument.parse(policy, PolicyKind.KEY_POLICY);
    } catch (MalformedPolicyException e) {
      throw ManagementErrors.malformedPolicy(e.getMessage());
    }
    // CreateKey, PutKeyPolicy: BypassPolicyLockoutSafetyCheck.
    if (!bypassLockoutSafetyCheck && wouldLockOut(ctx, document)) {
      throw ManagementErrors.policyLockout();
    }
  }

  /**
   * The lockout check with the caller's whole permissions: its identity policy counts for a
   * client's request; the service's own work has none to consult.
   */
  private static boolean wouldLockOut(RequestContext ctx, PolicyDocument document) {
    Authorization auth = ctx.authorization();
    if (auth.isTrusted()) {
      return LockoutCheck.wouldLockOut(document, ctx.principal(), ctx.account());
    }
    return LockoutCheck.wouldLockOut(
        document, auth.principalArn(), auth.principalAccount(), auth.identityPolicy());
  }

  /** GetKeyPolicy: the policy exactly as stored. PolicyName defaults to {@value #DEFAULT_NAME}. */
  public String getKeyPolicy(RequestContext ctx, String keyId, String policyName) {
    KeyRecord key = keys.resolveFor(ctx, keyId, "GetKeyPolicy");
    checkName(ctx, key, policyName);
    return key.policy();
  }

  /** ListKeyPolicies: the one name {@value #DEFAULT_NAME}, paged as AWS pages (Limit 1..1000). */
  public Page<String> listKeyPolicies(RequestContext ctx, String keyId, int limit, String marker) {
    keys.resolveFor(ctx, keyId, "ListKeyPolicies");
    String after = Markers.decode("policy", marker);
    List<String> names = new ArrayList<>();
    for (String name : List.of(DEFAULT_NAME)) {
      if (after == null || name.compareTo(after) > 0) {
        names.add(name);
      }
    }
    if (names.size() > limit) {
      List<String> page = names.subList(0, limit);
      return new Page<>(page, Markers.encode("policy", page.get(limit - 1)));
    }
    return new Page<>(names, null);
  }

  /**
   * PutKeyPolicy: replaces the key's policy. A management operation: keys of the caller's account
   * only, not while the key is pending deletion (KMSInvalidStateException).
   */
  public void putKeyPolicy(
      RequestContext ctx,
      String keyId,
      String policyName,
      String policy,
      boolean bypassLockoutSafetyCheck) {
    synchronized (keys.lifecycleLock()) {
      ConflictRetry.retry(
          () -> {
            KeyRecord key = keys.resolveFor(ctx, keyId, "PutKeyPolicy");
            checkName(ctx, key, policyName);
            checkPolicy(ctx, policy, bypassLockoutSafetyCheck);
            store.updateKey(key.withPolicy(policy));
          });
    }
  }

  /** The policy a key created without one gets: the account (its root principal) may do all. */
  static String defaultPolicy(String account) {
    return DefaultKeyPolicy.forAccount(account);
  }

  private static void checkName(RequestContext ctx, KeyRecord key, String policyName) {
    // GetKeyPolicy, PutKeyPolicy: "The only valid name is default."
    if (policyName != null && !DEFAULT_NAME.equals(policyName)) {
      throw ManagementErrors.policyNotFound(policyName, key.arn());
    }
  }
}
