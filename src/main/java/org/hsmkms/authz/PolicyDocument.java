package org.hsmkms.authz;

import java.util.List;

/**
 * A parsed, validated and compiled policy document (a key policy or an identity policy), ready to
 * be evaluated many times. Immutable and safe to share between threads; cache it with the version
 * of the row it came from.
 *
 * <p>Security: evaluation does no I/O and allocates nothing beyond what a condition on dates or
 * numbers needs; parsing is bounded by AWS's 32 KiB limit on a policy.
 */
public final class PolicyDocument {
  private final String text;
  private final PolicyKind kind;
  private final List<Statement> statements;
  private final String lowerCaseText;
  private final java.util.Map<String, Boolean> mentioned =
      new java.util.concurrent.ConcurrentHashMap<>();

  private PolicyDocument(String text, PolicyKind kind, List<Statement> statements) {
    this.text = text;
    this.kind = kind;
    this.statements = statements;
    this.lowerCaseText = text.toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Parses and compiles a policy.
   *
   * @throws MalformedPolicyException when AWS would refuse the document, with the reason
   */
  public static PolicyDocument parse(String json, PolicyKind kind) {
    return new PolicyDocument(json, kind, PolicyParser.parse(json, kind));
  }

  /** The document as it was given, which GetKeyPolicy returns unchanged. */
  public String text() {
    return text;
  }

  public PolicyKind kind() {
    return kind;
  }

  /**
   * Whether the document's text contains {@code lowerCaseText} in any case, e.g. {@code
   * "aws:resourcetag/"}: a cheap, conservative test of whether evaluation may need a condition key
   * that costs something to look up.
   */
  public boolean mentions(String lowerCaseText) {
    // Asked on every request with the same few texts: answered from memory after the first time.
    return mentioned.computeIfAbsent(lowerCaseText, this.lowerCaseText::contains);
  }

  /**
   * Whether this key policy allows the request when made by the caller's account (its root
   * principal): then the key policy leaves the decision to the caller's identity policy.
   */
  public boolean allowsAccount(AuthzRequest request) {
    return evaluate(request, Principals.rootOf(request.principalAccount()), true).isAllow();
  }

  /** How many statements the document has. */
  public int statementCount() {
    return statements.size();
  }

  /**
   * What this document says about the request made by its principal: an explicit Deny by any
   * statement wins over every Allow; otherwise the first statement that allows; otherwise nothing.
   */
  public Decision evaluate(AuthzRequest request) {
    return evaluate(request, request.principalArn(), true);
  }

  /**
   * As {@link #evaluate(AuthzRequest)}, but with the statements' principals matched against {@code
   * principal} (the caller's account root, when the key policy delegates to the account).
   */
  Decision evaluate(AuthzRequest request, String principal, boolean checkResource) {
    Decision allow = Decision.NOT_APPLICABLE;
    for (int i = 0; i < statements.size(); i++) {
      Statement statement = statements.get(i);
      if (statement.effect() == Effect.ALLOW && allow.isAllow()) {
        continue; // an Allow is already found; only a Deny can change the answer
      }
      if (statement.applies(request, principal, checkResource)) {
        if (statement.effect() == Effect.DENY) {
          return statement.decision();
        }
        allow = statement.decision();
      }
    }
    return allow;
  }

  @Override
  public String toString() {
    return "PolicyDocument[" + kind + ", " + statements.size() + " statements]";
  }
}
