package org.hsmkms.kms;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.hsmkms.authz.AuthorizationResult;
import org.hsmkms.authz.Authorizer;
import org.hsmkms.authz.AuthzRequest;
import org.hsmkms.authz.ConditionKeyMap;
import org.hsmkms.authz.KmsActions;
import org.hsmkms.authz.KmsActions.Permission;
import org.hsmkms.authz.KmsActions.Resource;
import org.hsmkms.authz.PolicyDocument;

/**
 * The authorization of one client request: who asks, under which identity policy, for which
 * operation (its entry in {@link KmsActions}), with which condition keys taken from the request;
 * and every decision made for it, for the audit record.
 *
 * <p>The request pipeline makes it and decides the account-level permissions at once ({@link
 * #authorizeAccount}); the key-level ones are decided by {@link KeyAuthorizer} for each key the
 * request resolves through {@link Keys}, so that no key is used unauthorized. {@link #trusted()} is
 * the authorization of the service's own work, which checks nothing.
 *
 * <p>Security: a refusal is {@code AccessDeniedException} in AWS's words, which name the caller,
 * the action and the resource, never the policy's content. Thread-safe: one request's checks may
 * run on different threads, one after the other.
 */
public final class Authorization {
  private static final Authorization TRUSTED =
      new Authorization(null, null, null, null, ConditionKeyMap.of(Map.of()), List.of());

  private final String principalArn;
  private final String principalAccount;
  private final PolicyDocument identityPolicy;
  private final KmsActions.Entry entry;
  private final ConditionKeyMap requestKeys;
  private final List<String> grantTokens;
  private final List<String> decisions = new ArrayList<>(2); // guarded by this
  private final Set<Resource> checked = EnumSet.noneOf(Resource.class); // guarded by this

  private Authorization(
      String principalArn,
      String principalAccount,
      PolicyDocument identityPolicy,
      KmsActions.Entry entry,
      ConditionKeyMap requestKeys,
      List<String> grantTokens) {
    this.principalArn = principalArn;
    this.principalAccount = principalAccount;
    this.identityPolicy = identityPolicy;
    this.entry = entry;
    this.requestKeys = requestKeys;
    this.grantTokens = grantTokens;
  }

  /** The service's own work (sweeps, reconciliation) and service-level tests: nothing checked. */
  public static Authorization trusted() {
    return TRUSTED;
  }

  /**
   * The authorization of a client's request.
   *
   * @param identityPolicy the caller's identity policy, or null when it has none
   * @param entry the operation's entry in the table
   * @param requestKeys the condition keys the request itself gives (the caller, the request's
   *     encryption context, algorithms, tags, ...); the key's own are added per key
   * @param grantTokens the request's {@code GrantTokens}
   */
  public static Authorization of(
      String principalArn,
      String principalAccount,
      PolicyDocument identityPolicy,
      KmsActions.Entry entry,
      Map<String, List<String>> requestKeys,
      List<String> grantTokens) {
    return new Authorization(
        Objects.requireNonNull(principalArn, "principalArn"),
        Objects.requireNonNull(principalAccount, "principalAccount"),
        identityPolicy,
        Objects.requireNonNull(entry, "entry"),
        ConditionKeyMap.of(requestKeys),
        List.copyOf(grantTokens));
  }

  /** Whether this is the service's own work, which no policy restricts. */
  public boolean isTrusted() {
    return entry == null;
  }

  /** Whether the operation may be allowed on a key of another account (AWS's table says so). */
  public boolean crossAccount() {
    return entry != null && entry.crossAccount();
  }

  /**
   * Decides one account-level permission (resource {@code "*"} or an alias ARN) by the caller's
   * identity policy alone.
   *
   * @throws KmsException AccessDeniedException when it is not allowed
   */
  public void authorizeAccount(Permission permission, String resource) {
    AuthzRequest request =
        new AuthzRequest(
            principalArn, principalAccount, permission.action(), resource, requestKeys);
    AuthorizationResult result = Authorizer.authorizeAccountAction(identityPolicy, request);
    record(permission.resource(), permission.action(), resource, result);
    if (!result.allowed()) {
      // Decided by the identity policy alone: it is what did not allow.
      throw denied(permission.action(), resource, result, true, false);
    }
  }

  /** The action the operation needs on {@code role}. */
  String actionFor(Resource role) {
    for (Permission p : entry.permissions()) {
      if (p.resource() == role) {
        return p.action();
      }
    }
    throw new IllegalStateException(entry.operation() + " has no permission on " + role);
  }

  String principalArn() {
    return principalArn;
  }

  String principalAccount() {
    return principalAccount;
  }

  PolicyDocument identityPolicy() {
    return identityPolicy;
  }

  ConditionKeyMap requestKeys() {
    return requestKeys;
  }

  List<String> grantTokens() {
    return grantTokens;
  }

  synchronized void record(
      Resource role, String action, String resource, AuthorizationResult result) {
    checked.add(role);
    decisions.add(action + " on " + resource + ": " + result.describe());
  }

  /**
   * Records a permission that an operation decides by its own rule (RetireGrant: the grant's
   * retiring principal or grantee), so that it counts as checked.
   */
  synchronized void recordRule(Resource role, String action, String resource, String rule) {
    checked.add(role);
    decisions.add(action + " on " + resource + ": allowed by " + rule);
  }

  /** The decisions made so far, e.g. {@code kms:Decrypt on arn:...: allowed by grant 0f3a...}. */
  public synchronized List<String> decisions() {
    return List.copyOf(decisions);
  }

  /**
   * The key-level permissions of the operation that no check has decided yet. Empty for a request
   * that succeeded, unless an operation forgot to resolve a key through {@link Keys}.
   */
  public synchronized Set<Resource> unchecked() {
    if (entry == null) {
      return Set.of();
    }
    Set<Resource> missing = EnumSet.noneOf(Resource.class);
    for (Permission p : entry.permissions()) {
      if (!checked.contains(p.resource())) {
        missing.add(p.resource());
      }
    }
    return missing;
  }

  /**
   * AWS's AccessDeniedException for a refused request.
   *
   * @param identitySideMissing for an implicit deny: whether the caller's identity policy is what
   *     did not allow (an account-level action, or a key policy that left the decision to it)
   * @param viaCiphertext the request named no key, only a ciphertext: AWS's message then does not
   *     name the key either ("on the resource associated with this ciphertext")
   */
  KmsException denied(
      String action,
      String resource,
      AuthorizationResult result,
      boolean identitySideMissing,
      boolean viaCiphertext) {
    String why;
    if (result.isExplicitDeny()) {
      why =
          result.source() == AuthorizationResult.Source.KEY_POLICY
              ? " with an explicit deny in a resource-based policy"
              : " with an explicit deny in an identity-based policy";
    } else {
      why = implicitDenyReason(action, identitySideMissing);
    }
    return accessDenied(principalArn, action, viaCiphertext ? null : resource, why);
  }

  /**
   * AccessDeniedException of an operation that decides by a rule of its own (RetireGrant,
   * ListRetirableGrants): no policy allows, in AWS's words.
   */
  static KmsException notAllowedByRule(String principal, String action, String resource) {
    return accessDenied(principal, action, resource, implicitDenyReason(action, false));
  }

  private static String implicitDenyReason(String action, boolean identitySideMissing) {
    return (identitySideMissing
            ? " because no identity-based policy allows the "
            : " because no resource-based policy allows the ")
        + action
        + " action";
  }

  /** The one wording of AccessDeniedException; {@code resource} null: a ciphertext's key. */
  private static KmsException accessDenied(
      String principal, String action, String resource, String why) {
    return Errors.accessDenied(principal, action, resource, why);
  }

  @Override
  public String toString() {
    return isTrusted() ? "Authorization[trusted]" : "Authorization[" + entry.operation() + "]";
  }
}
