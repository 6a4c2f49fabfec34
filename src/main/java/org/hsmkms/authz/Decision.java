package org.hsmkms.authz;

/**
 * What one policy document says about one request, and which statement said it.
 *
 * @param outcome allow, explicit deny, or nothing to say
 * @param statement the deciding statement's Sid, or {@code Statement[i]} (index from 0) when it has
 *     none; null for {@link Outcome#NOT_APPLICABLE}
 */
public record Decision(Outcome outcome, String statement) {
  /** The decision of a document none of whose statements applies. */
  public static final Decision NOT_APPLICABLE = new Decision(Outcome.NOT_APPLICABLE, null);

  /** One document's answer. */
  public enum Outcome {
    ALLOW,
    EXPLICIT_DENY,
    NOT_APPLICABLE
  }

  public boolean isAllow() {
    return outcome == Outcome.ALLOW;
  }

  public boolean isExplicitDeny() {
    return outcome == Outcome.EXPLICIT_DENY;
  }
}
