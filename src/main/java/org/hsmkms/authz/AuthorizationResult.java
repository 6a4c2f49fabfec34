package org.hsmkms.authz;

/**
 * The final decision on a request, with what decided it, for the response and the audit record.
 *
 * @param allowed whether the request may proceed
 * @param source the kind of thing that decided
 * @param decidedBy the statement's Sid or {@code Statement[i]}, or the grant id; null for an
 *     implicit deny
 */
public record AuthorizationResult(boolean allowed, Source source, String decidedBy) {
  /** The request no source allows and none denies. */
  public static final AuthorizationResult IMPLICIT_DENY =
      new AuthorizationResult(false, Source.IMPLICIT_DENY, null);

  /** What decided. */
  public enum Source {
    KEY_POLICY,
    IDENTITY_POLICY,
    GRANT,
    IMPLICIT_DENY
  }

  /** Whether a Deny statement refused the request (AWS's message names the explicit deny). */
  public boolean isExplicitDeny() {
    return !allowed && source != Source.IMPLICIT_DENY;
  }

  /** For the audit trail, e.g. {@code allowed by key policy statement "Allow use of the key"}. */
  public String describe() {
    String what =
        switch (source) {
          case KEY_POLICY -> "key policy statement \"" + decidedBy + "\"";
          case IDENTITY_POLICY -> "identity policy statement \"" + decidedBy + "\"";
          case GRANT -> "grant " + decidedBy;
          case IMPLICIT_DENY -> "implicit deny";
        };
    if (source == Source.IMPLICIT_DENY) {
      return "denied: " + what;
    }
    return (allowed ? "allowed by " : "explicitly denied by ") + what;
  }
}
