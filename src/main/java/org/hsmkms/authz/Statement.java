package org.hsmkms.authz;

import java.util.List;
import java.util.Set;

/**
 * One compiled statement: its effect, the principals, actions and resources it names (or excludes
 * with {@code Not...}) and its conditions. Matching allocates nothing.
 */
final class Statement {
  private final Effect effect;
  private final Decision decision;
  private final Set<String> principals; // null: the statement names no principal (identity policy)
  private final boolean anyPrincipal;
  private final Set<String> rootAccounts; // accounts whose root the statement names
  private final boolean notPrincipal;
  private final WildcardPattern[] actions;
  private final boolean notAction;
  private final WildcardPattern[] resources; // null: no Resource element (key policy: this key)
  private final boolean notResource;
  private final Condition[] conditions;

  Statement(
      String label,
      Effect effect,
      Set<String> principals,
      boolean notPrincipal,
      List<WildcardPattern> actions,
      boolean notAction,
      List<WildcardPattern> resources,
      boolean notResource,
      List<Condition> conditions) {
    this.effect = effect;
    this.decision =
        new Decision(
            effect == Effect.ALLOW ? Decision.Outcome.ALLOW : Decision.Outcome.EXPLICIT_DENY,
            label);
    this.principals = principals;
    this.anyPrincipal = principals != null && principals.contains(Principals.ANYONE);
    this.rootAccounts = principals == null ? Set.of() : Principals.rootAccounts(principals);
    this.notPrincipal = notPrincipal;
    this.actions = actions.toArray(new WildcardPattern[0]);
    this.notAction = notAction;
    this.resources = resources == null ? null : resources.toArray(new WildcardPattern[0]);
    this.notResource = notResource;
    this.conditions = conditions.toArray(new Condition[0]);
  }

  Effect effect() {
    return effect;
  }

  /** This statement's decision, made once: Allow or explicit Deny with the statement's label. */
  Decision decision() {
    return decision;
  }

  /**
   * Whether the statement applies to the request made by {@code principal}.
   *
   * @param checkResource false where the resource is this key whatever the statement says (the
   *     lockout check, made before the key's ARN is known)
   */
  boolean applies(AuthzRequest request, String principal, boolean checkResource) {
    return principalMatches(request, principal)
        && anyMatches(actions, request.action()) != notAction
        && (!checkResource || resourceMatches(request.resource()))
        && conditionsMatch(request);
  }

  private boolean principalMatches(AuthzRequest request, String principal) {
    if (principals == null) {
      return true;
    }
    if (notPrincipal) {
      return !anyPrincipal && !principals.contains(principal);
    }
    if (anyPrincipal || principals.contains(principal)) {
      return true;
    }
    // A Deny naming an account's root denies every principal of that account: the root stands
    // for the account, and a refusal is never narrower than what it names.
    return effect == Effect.DENY && rootAccounts.contains(request.principalAccount());
  }

  private boolean resourceMatches(String resource) {
    if (resources == null) {
      return true;
    }
    return anyMatches(resources, resource) != notResource;
  }

  private boolean conditionsMatch(AuthzRequest request) {
    for (Condition condition : conditions) {
      if (!condition.matches(request)) {
        return false;
      }
    }
    return true;
  }

  private static boolean anyMatches(WildcardPattern[] patterns, String value) {
    for (WildcardPattern pattern : patterns) {
      if (pattern.matches(value)) {
        return true;
      }
    }
    return false;
  }
}
