package org.hsmkms.authz;

import java.util.List;

/**
 * One compiled condition: an operator (with its set qualifier and {@code IfExists}), one condition
 * key and its policy values. A statement's conditions are ANDed; the values of one key are ORed.
 *
 * <p>AWS's rules for a key the request lacks: a positive operator does not match, a negated one
 * ({@code StringNotEquals}, ...) does; {@code ...IfExists} matches; {@code ForAnyValue:} does not
 * match and {@code ForAllValues:} does (an empty set is absent too).
 */
final class Condition {
  /** The set qualifier of an operator. */
  enum Qualifier {
    NONE,
    FOR_ANY_VALUE,
    FOR_ALL_VALUES
  }

  private final Qualifier qualifier;
  private final ConditionOperator operator;
  private final boolean ifExists;
  private final String key;
  private final ValueMatcher values;
  private final boolean nullWantsAbsent;
  private final boolean nullWantsPresent;

  private Condition(
      Qualifier qualifier,
      ConditionOperator operator,
      boolean ifExists,
      String key,
      ValueMatcher values,
      boolean nullWantsAbsent,
      boolean nullWantsPresent) {
    this.qualifier = qualifier;
    this.operator = operator;
    this.ifExists = ifExists;
    this.key = key;
    this.values = values;
    this.nullWantsAbsent = nullWantsAbsent;
    this.nullWantsPresent = nullWantsPresent;
  }

  /**
   * Compiles {@code "<operator>": {"<key>": values}} for one key.
   *
   * @param operatorName as written, e.g. {@code ForAllValues:StringEqualsIfExists}
   */
  static Condition compile(String operatorName, String key, List<String> policyValues) {
    return compile(operatorName, key, policyValues, false);
  }

  /**
   * As {@link #compile(String, String, List)}; with {@code variables} (Version 2012-10-17) the
   * values of string and ARN operators may hold policy variables ({@link PolicyVariables}).
   */
  static Condition compile(
      String operatorName, String key, List<String> policyValues, boolean variables) {
    Qualifier qualifier = Qualifier.NONE;
    String name = operatorName;
    if (name.regionMatches(true, 0, "ForAnyValue:", 0, 12)) {
      qualifier = Qualifier.FOR_ANY_VALUE;
      name = name.substring(12);
    } else if (name.regionMatches(true, 0, "ForAllValues:", 0, 13)) {
      qualifier = Qualifier.FOR_ALL_VALUES;
      name = name.substring(13);
    }
    boolean ifExists = false;
    ConditionOperator operator = ConditionOperator.byName(name);
    if (operator == null
        && name.length() > 8
        && name.regionMatches(true, name.length() - 8, "IfExists", 0, 8)) {
      ifExists = true;
      operator = ConditionOperator.byName(name.substring(0, name.length() - 8));
    }
    if (operator == null) {
      throw new MalformedPolicyException(
          "Policy contains a statement with an unknown condition operator: " + operatorName);
    }
    if (key.isEmpty()) {
      throw new MalformedPolicyException("Policy contains a condition with an empty key");
    }
    if (operator == ConditionOperator.NULL) {
      // IAM: "You can add IfExists to the end of any condition operator name except Null".
      if (ifExists || qualifier != Qualifier.NONE) {
        throw new MalformedPolicyException(
            "Policy contains a statement with an unknown condition operator: " + operatorName);
      }
      boolean absent = false;
      boolean present = false;
      for (String value : policyValues) {
        if (value.equalsIgnoreCase("true")) {
          absent = true;
        } else if (value.equalsIgnoreCase("false")) {
          present = true;
        } else {
          throw new MalformedPolicyException(
              "Policy contains a Null condition with a value other than true or false");
        }
      }
      return new Condition(
          qualifier, operator, false, ConditionKeys.canonical(key), null, absent, present);
    }
    ValueMatcher matcher =
        ValueMatcher.compile(operator.family(), policyValues, operatorName, variables);
    return new Condition(
        qualifier, operator, ifExists, ConditionKeys.canonical(key), matcher, false, false);
  }

  /** Whether the request satisfies this condition. */
  boolean matches(AuthzRequest request) {
    List<String> requestValues = request.values(key);
    boolean absent = requestValues == null || requestValues.isEmpty();
    if (operator == ConditionOperator.NULL) {
      return absent ? nullWantsAbsent : nullWantsPresent;
    }
    if (absent) {
      if (ifExists) {
        return true;
      }
      return switch (qualifier) {
        case FOR_ANY_VALUE -> false;
        case FOR_ALL_VALUES -> true;
        case NONE -> operator.isNegated();
      };
    }
    boolean negated = operator.isNegated();
    // Policy variables: this request's values (one left out when its variable has no value, so
    // that a positive operator does not match it and a negated one does, as IAM documents).
    ValueMatcher values = this.values.hasVariables() ? this.values.resolve(request) : this.values;
    switch (qualifier) {
      case FOR_ALL_VALUES:
        // Every request value must satisfy the operator against the policy values.
        for (int i = 0; i < requestValues.size(); i++) {
          if (values.matchesAny(requestValues.get(i)) == negated) {
            return false;
          }
        }
        return true;
      case FOR_ANY_VALUE:
        // At least one request value must satisfy the operator.
        for (int i = 0; i < requestValues.size(); i++) {
          if (values.matchesAny(requestValues.get(i)) != negated) {
            return true;
          }
        }
        return false;
      default:
        // A single-valued key (or several values without a qualifier): a positive operator
        // matches when some value matches; a negated one when none does.
        for (int i = 0; i < requestValues.size(); i++) {
          if (values.matchesAny(requestValues.get(i))) {
            return !negated;
          }
        }
        return negated;
    }
  }
}
