package org.hsmkms.authz;

import java.util.Objects;
import java.util.Optional;

/**
 * AWS KMS's combination of the three sources of permission: the key policy, the caller's identity
 * policy and the key's grants.
 *
 * <ol>
 *   <li>An explicit Deny in the key policy or the identity policy refuses the request.
 *   <li>The key policy allows the caller's principal ARN: allowed.
 *   <li>The key policy allows the caller's account (its root, {@code arn:aws:iam::ACCOUNT:root})
 *       and the caller's identity policy allows: allowed. This is how the default key policy lets
 *       IAM policies give access, and how cross-account use works.
 *   <li>A grant allows: allowed.
 *   <li>Otherwise: implicit deny.
 * </ol>
 *
 * An account-level action (no key) is decided by the identity policy alone. A caller without an
 * identity policy gets only what the key policy and grants give its ARN.
 *
 * <p>Across accounts (the caller's account is not the key's) the key policy alone is not enough:
 * the caller's identity policy must allow too, or a grant.
 *
 * <p>Security: pure and stateless; whether an action may be used across accounts at all is the
 * operation table's decision, made before this one.
 */
public final class Authorizer {
  private Authorizer() {}

  /**
   * Decides a key-level request.
   *
   * @param keyPolicy the key's compiled key policy
   * @param identityPolicy the caller's identity policy, or null when it has none
   * @param grants the key's grants
   */
  public static AuthorizationResult authorizeKeyAction(
      PolicyDocument keyPolicy,
      PolicyDocument identityPolicy,
      GrantSource grants,
      AuthzRequest request) {
    Objects.requireNonNull(keyPolicy, "keyPolicy");
    Objects.requireNonNull(grants, "grants");
    Decision byArn = keyPolicy.evaluate(request);
    if (byArn.isExplicitDeny()) {
      return new AuthorizationResult(
          false, AuthorizationResult.Source.KEY_POLICY, byArn.statement());
    }
    Decision identity =
        identityPolicy == null ? Decision.NOT_APPLICABLE : identityPolicy.evaluate(request);
    if (identity.isExplicitDeny()) {
      return new AuthorizationResult(
          false, AuthorizationResult.Source.IDENTITY_POLICY, identity.statement());
    }
    // Across accounts both sides must allow: the key's account by its key policy, the caller's
    // account by the caller's identity policy (or a grant).
    boolean sameAccount = request.principalAccount().equals(accountOf(request.resource()));
    if (byArn.isAllow() && (sameAccount || identity.isAllow())) {
      return new AuthorizationResult(
          true, AuthorizationResult.Source.KEY_POLICY, byArn.statement());
    }
    if (identity.isAllow()) {
      String root = Principals.rootOf(request.principalAccount());
      if (keyPolicy.evaluate(request, root, true).isAllow()) {
        return new AuthorizationResult(
            true, AuthorizationResult.Source.IDENTITY_POLICY, identity.statement());
      }
    }
    Optional<String> grant = grants.allowingGrant(request);
    if (grant.isPresent()) {
      return new AuthorizationResult(true, AuthorizationResult.Source.GRANT, grant.get());
    }
    return AuthorizationResult.IMPLICIT_DENY;
  }

  /** The account of a key ARN ({@code arn:aws:kms:REGION:ACCOUNT:key/ID}), or "" for another. */
  private static String accountOf(String resource) {
    int start = 0;
    for (int i = 0; i < 4; i++) {
      start = resource.indexOf(':', start) + 1;
      if (start == 0) {
        return "";
      }
    }
    int end = resource.indexOf(':', start);
    return end < 0 ? "" : resource.substring(start, end);
  }

  /** Decides an account-level request (CreateKey, ListKeys, ...): the identity policy alone. */
  public static AuthorizationResult authorizeAccountAction(
      PolicyDocument identityPolicy, AuthzRequest request) {
    if (identityPolicy == null) {
      return AuthorizationResult.IMPLICIT_DENY;
    }
    Decision identity = identityPolicy.evaluate(request);
    return switch (identity.outcome()) {
      case ALLOW ->
          new AuthorizationResult(
              true, AuthorizationResult.Source.IDENTITY_POLICY, identity.statement());
      case EXPLICIT_DENY ->
          new AuthorizationResult(
              false, AuthorizationResult.Source.IDENTITY_POLICY, identity.statement());
      case NOT_APPLICABLE -> AuthorizationResult.IMPLICIT_DENY;
    };
  }
}
