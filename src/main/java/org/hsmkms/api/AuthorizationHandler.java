package org.hsmkms.api;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.hsmkms.auth.CredentialsAdmin;
import org.hsmkms.auth.IdentityPolicies;
import org.hsmkms.authz.AuthzRequest;
import org.hsmkms.authz.KmsActions;
import org.hsmkms.authz.KmsActions.Permission;
import org.hsmkms.authz.PolicyDocument;
import org.hsmkms.authz.PolicyKind;
import org.hsmkms.kms.Authorization;
import org.hsmkms.kms.Errors;
import org.hsmkms.kms.KmsException;

/**
 * Authorization, the link after parsing and validation: it looks up the operation in {@link
 * KmsActions} (an operation without an entry is refused), gathers the request's condition keys
 * ({@link RequestConditions}), decides the account-level permissions (CreateKey, ListKeys, the
 * alias of CreateAlias, ...) by the caller's identity policy at once, and hands the rest to the
 * operation as the {@link Authorization} of its {@code RequestContext}: each key the operation
 * resolves is authorized there, by the key policy, the identity policy and the key's grants.
 *
 * <p>Runs on the event loop and does no I/O: identity policies are compiled and kept in memory. The
 * account's root principal ({@code arn:aws:iam::ACCOUNT:root}) has the identity of an
 * administrator, as in IAM; key policies still decide its use of each key.
 */
final class AuthorizationHandler implements Handler<RoutingContext> {
  private static final PolicyDocument ROOT_IDENTITY =
      PolicyDocument.parse(CredentialsAdmin.ADMIN_POLICY, PolicyKind.IDENTITY_POLICY);

  private final IdentityPolicies identities;
  private final Clock clock;

  AuthorizationHandler(IdentityPolicies identities, Clock clock) {
    this.identities = identities;
    this.clock = clock;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Exchange ex = Exchange.of(ctx);
    try {
      authorize(ex, ctx.request().isSSL());
    } catch (KmsException e) {
      ctx.fail(e);
      return;
    }
    ctx.next();
  }

  /** Puts the request's authorization into its context, then decides the account-level part. */
  private void authorize(Exchange ex, boolean secureTransport) {
    KmsActions.Entry entry =
        KmsActions.of(ex.operation)
            .orElseThrow(
                () ->
                    // Security: an operation nobody entered in the table is never run.
                    Errors.accessDenied(ex.caller.principalArn(), "kms:" + ex.operation, "*", ""));
    String principal = ex.caller.principalArn();
    Map<String, List<String>> keys =
        RequestConditions.of(
            principal,
            ex.caller.account(),
            ex.sourceAddress,
            secureTransport,
            clock.instant(),
            ex.operation,
            ex.request);
    Authorization auth =
        Authorization.of(
            principal,
            ex.caller.account(),
            identityPolicy(principal),
            entry,
            keys,
            Json.strings(ex.request, "GrantTokens"));
    // First, so that a refusal below is in the audit record too.
    ex.rc = ex.rc.withAuthorization(auth);
    for (Permission p : entry.permissions()) {
      switch (p.resource()) {
        case ACCOUNT -> auth.authorizeAccount(p, AuthzRequest.ACCOUNT_LEVEL);
        case ALIAS -> auth.authorizeAccount(p, ex.rc.aliasArn(Json.text(ex.request, "AliasName")));
        default -> {} // a key: decided when the operation resolves it
      }
    }
    // CreateKey with Tags: "To use the Tags parameter, kms:TagResource (IAM policy)".
    if (!Json.strings(ex.request, "Tags").isEmpty()) {
      KmsActions.tagPermission(ex.operation)
          .ifPresent(p -> auth.authorizeAccount(p, AuthzRequest.ACCOUNT_LEVEL));
    }
  }

  private PolicyDocument identityPolicy(String principal) {
    if (principal.startsWith("arn:aws:iam::") && principal.endsWith(":root")) {
      return ROOT_IDENTITY;
    }
    return identities.identityPolicy(principal).orElse(null);
  }
}
