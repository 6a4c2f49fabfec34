package org.hsmkms.authz;

import java.util.Locale;

/**
 * AWS's condition operators without their {@code IfExists} suffix and set qualifier. A negated
 * operator ({@code StringNotEquals}, ...) is the negation of its positive twin over all policy
 * values ("none of them"), which is what AWS documents for a request value that matches none.
 */
public enum ConditionOperator {
  STRING_EQUALS("StringEquals", ValueMatcher.Family.STRING_EQUALS, false),
  STRING_NOT_EQUALS("StringNotEquals", ValueMatcher.Family.STRING_EQUALS, true),
  STRING_EQUALS_IGNORE_CASE(
      "StringEqualsIgnoreCase", ValueMatcher.Family.STRING_IGNORE_CASE, false),
  STRING_NOT_EQUALS_IGNORE_CASE(
      "StringNotEqualsIgnoreCase", ValueMatcher.Family.STRING_IGNORE_CASE, true),
  STRING_LIKE("StringLike", ValueMatcher.Family.STRING_LIKE, false),
  STRING_NOT_LIKE("StringNotLike", ValueMatcher.Family.STRING_LIKE, true),
  NUMERIC_EQUALS("NumericEquals", ValueMatcher.Family.NUMERIC_EQUALS, false),
  NUMERIC_NOT_EQUALS("NumericNotEquals", ValueMatcher.Family.NUMERIC_EQUALS, true),
  NUMERIC_LESS_THAN("NumericLessThan", ValueMatcher.Family.NUMERIC_LESS_THAN, false),
  NUMERIC_LESS_THAN_EQUALS(
      "NumericLessThanEquals", ValueMatcher.Family.NUMERIC_LESS_THAN_EQUALS, false),
  NUMERIC_GREATER_THAN("NumericGreaterThan", ValueMatcher.Family.NUMERIC_GREATER_THAN, false),
  NUMERIC_GREATER_THAN_EQUALS(
      "NumericGreaterThanEquals", ValueMatcher.Family.NUMERIC_GREATER_THAN_EQUALS, false),
  DATE_EQUALS("DateEquals", ValueMatcher.Family.DATE_EQUALS, false),
  DATE_NOT_EQUALS("DateNotEquals", ValueMatcher.Family.DATE_EQUALS, true),
  DATE_LESS_THAN("DateLessThan", ValueMatcher.Family.DATE_LESS_THAN, false),
  DATE_LESS_THAN_EQUALS("DateLessThanEquals", ValueMatcher.Family.DATE_LESS_THAN_EQUALS, false),
  DATE_GREATER_THAN("DateGreaterThan", ValueMatcher.Family.DATE_GREATER_THAN, false),
  DATE_GREATER_THAN_EQUALS(
      "DateGreaterThanEquals", ValueMatcher.Family.DATE_GREATER_THAN_EQUALS, false),
  BOOL("Bool", ValueMatcher.Family.BOOL, false),
  // ArnEquals and ArnLike are the same operator in AWS: both take wildcards in each ARN component.
  ARN_EQUALS("ArnEquals", ValueMatcher.Family.ARN_LIKE, false),
  ARN_LIKE("ArnLike", ValueMatcher.Family.ARN_LIKE, false),
  ARN_NOT_EQUALS("ArnNotEquals", ValueMatcher.Family.ARN_LIKE, true),
  ARN_NOT_LIKE("ArnNotLike", ValueMatcher.Family.ARN_LIKE, true),
  // IAM: "IpAddress: The specified IP address or range"; IPv4 or IPv6, CIDR or one address.
  IP_ADDRESS("IpAddress", ValueMatcher.Family.IP_ADDRESS, false),
  NOT_IP_ADDRESS("NotIpAddress", ValueMatcher.Family.IP_ADDRESS, true),
  /** Tests presence: {@code "true"} matches an absent key, {@code "false"} a present one. */
  NULL("Null", null, false);

  private final String awsName;
  private final ValueMatcher.Family family;
  private final boolean negated;

  ConditionOperator(String awsName, ValueMatcher.Family family, boolean negated) {
    this.awsName = awsName;
    this.family = family;
    this.negated = negated;
  }

  /** The name as it appears in a policy, e.g. {@code StringNotLike}. */
  public String awsName() {
    return awsName;
  }

  /** Whether the operator matches when no policy value matches (StringNotEquals, ...). */
  public boolean isNegated() {
    return negated;
  }

  ValueMatcher.Family family() {
    return family;
  }

  /** The operator of a base name (IAM accepts operator names in any case), or null. */
  static ConditionOperator byName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (ConditionOperator operator : values()) {
      if (operator.awsName.toLowerCase(Locale.ROOT).equals(lower)) {
        return operator;
      }
    }
    return null;
  }
}
