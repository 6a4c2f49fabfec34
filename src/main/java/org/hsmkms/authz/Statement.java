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
  private final PolicyVariables.Template[] resourceTemplates; // null: no Resource has a variable
  private final boolean notResource;
  private final Condition[] conditions;

  Statement(
      String label,
      Effect effect,
      Set<String> principals,
      boolean notPrincipal,
      List<WildcardPattern> actions,
      boolean notAction,
      List<String> resources,
      boolean notResource,
      boolean variables,
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
    this.resources = resources == null ? null : new WildcardPattern[resources.size()];
    PolicyVariables.Template[] templates = null;
    for (int i = 0; resources != null && i < resources.size(); i++) {
      String value = resources.get(i);
      PolicyVariables.Template template = variables ? resourceTemplate(value) : null;
      if (template == null) {
        this.resources[i] = WildcardPattern.caseSensitive(value);
      } else if (template.isConstant()) {
        this.resources[i] = WildcardPattern.of(template.resolve(null));
      } else {
        templates = templates == null ? new PolicyVariables.Template[resources.size()] : templates;
        templates[i] = template;
      }
    }
    this.resourceTemplates = templates;
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
        && (!checkResource || resourceMatches(request))
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

  // IAM: a variable may stand "only in the resource portion of the ARN", after the fifth colon;
  // before it, ${...} is literal text.
  private static PolicyVariables.Template resourceTemplate(String value) {
    int from = 0;
    for (int colons = 0; colons < 5; colons++) {
      from = value.indexOf(':', from) + 1;
      if (from == 0) {
        return PolicyVariables.parse(value, value.length()); // "*" or no ARN: no variables
      }
    }
    return PolicyVariables.parse(value, from);
  }

  private boolean resourceMatches(AuthzRequest request) {
    if (resources == null) {
      return true;
    }
    String resource = request.resource();
    boolean any = false;
    for (int i = 0; i < resources.length && !any; i++) {
      if (resourceTemplates != null && resourceTemplates[i] != null) {
        // A variable without a value: IAM's "will not match any resource".
        PolicyVariables.Resolved value = resourceTemplates[i].resolve(request);
        any = value != null && WildcardPattern.of(value).matches(resource);
      } else {
        any = resources[i].matches(resource);
      }
    }
    return any != notResource;
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
