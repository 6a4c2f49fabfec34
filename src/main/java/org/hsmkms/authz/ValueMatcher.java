package org.hsmkms.authz;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The policy values of one condition key, compiled for their operator's family: tells whether one
 * request value matches at least one of them (the positive form; negation is the caller's).
 */
final class ValueMatcher {
  /** How a request value is compared with a policy value. */
  enum Family {
    STRING_EQUALS,
    STRING_IGNORE_CASE,
    STRING_LIKE,
    NUMERIC_EQUALS,
    NUMERIC_LESS_THAN,
    NUMERIC_LESS_THAN_EQUALS,
    NUMERIC_GREATER_THAN,
    NUMERIC_GREATER_THAN_EQUALS,
    DATE_EQUALS,
    DATE_LESS_THAN,
    DATE_LESS_THAN_EQUALS,
    DATE_GREATER_THAN,
    DATE_GREATER_THAN_EQUALS,
    BOOL,
    ARN_LIKE,
    IP_ADDRESS
  }

  private final Family family;
  private final String[] strings;
  private final WildcardPattern[] patterns;
  private final WildcardPattern[][] arnPatterns;
  private final BigDecimal[] numbers;
  private final Instant[] instants;
  private final IpRange[] ranges;
  private final PolicyVariables.Template[] templates; // non-null: resolved per request
  private final List<String> templateValues;

  private ValueMatcher(Family family, PolicyVariables.Template[] templates, List<String> values) {
    this(family, null, null, null, null, null, null, templates, List.copyOf(values));
  }

  private ValueMatcher(
      Family family,
      String[] strings,
      WildcardPattern[] patterns,
      WildcardPattern[][] arnPatterns,
      BigDecimal[] numbers,
      Instant[] instants,
      IpRange[] ranges) {
    this(family, strings, patterns, arnPatterns, numbers, instants, ranges, null, null);
  }

  private ValueMatcher(
      Family family,
      String[] strings,
      WildcardPattern[] patterns,
      WildcardPattern[][] arnPatterns,
      BigDecimal[] numbers,
      Instant[] instants,
      IpRange[] ranges,
      PolicyVariables.Template[] templates,
      List<String> templateValues) {
    this.family = family;
    this.strings = strings;
    this.patterns = patterns;
    this.arnPatterns = arnPatterns;
    this.numbers = numbers;
    this.instants = instants;
    this.ranges = ranges;
    this.templates = templates;
    this.templateValues = templateValues;
  }

  /**
   * Compiles policy values; a value the operator cannot read is malformed.
   *
   * @param operatorName the operator as written, for the message
   */
  static ValueMatcher compile(Family family, List<String> values, String operatorName) {
    return compile(family, values, operatorName, false);
  }

  /**
   * As {@link #compile(Family, List, String)}; with {@code variables} (a policy of Version
   * 2012-10-17) the values of the string and ARN operators may hold policy variables (IAM: "You can
   * use a policy variable for Condition values in any condition that involves the string operators
   * or the ARN operators").
   */
  static ValueMatcher compile(
      Family family, List<String> values, String operatorName, boolean variables) {
    if (variables && takesVariables(family)) {
      PolicyVariables.Template[] templates = new PolicyVariables.Template[values.size()];
      boolean any = false;
      boolean constant = true;
      for (int i = 0; i < templates.length; i++) {
        templates[i] = PolicyVariables.parse(values.get(i));
        any |= templates[i] != null;
        constant &= templates[i] == null || templates[i].isConstant();
      }
      if (any && !constant) {
        return new ValueMatcher(family, templates, values);
      }
      if (any) {
        // Escapes only (${*}, ${?}, ${$}): the same for every request, so resolved once.
        return resolved(family, resolveAll(templates, values, null));
      }
    }
    List<PolicyVariables.Resolved> plain = new ArrayList<>(values.size());
    for (String value : values) {
      plain.add(PolicyVariables.Resolved.plain(value));
    }
    return resolved(family, plain, operatorName);
  }

  private static boolean takesVariables(Family family) {
    return family == Family.STRING_EQUALS
        || family == Family.STRING_IGNORE_CASE
        || family == Family.STRING_LIKE
        || family == Family.ARN_LIKE;
  }

  /** The values for one request; a value whose variable has no value is left out. */
  private static List<PolicyVariables.Resolved> resolveAll(
      PolicyVariables.Template[] templates, List<String> values, AuthzRequest request) {
    List<PolicyVariables.Resolved> out = new ArrayList<>(templates.length);
    for (int i = 0; i < templates.length; i++) {
      if (templates[i] == null) {
        out.add(PolicyVariables.Resolved.plain(values.get(i)));
      } else {
        PolicyVariables.Resolved r = templates[i].resolve(request);
        if (r != null) {
          out.add(r);
        }
      }
    }
    return out;
  }

  /** Whether this matcher's values hold variables, so that it must be resolved per request. */
  boolean hasVariables() {
    return templates != null;
  }

  /** The matcher of this request's values (itself when they hold no variable). */
  ValueMatcher resolve(AuthzRequest request) {
    if (templates == null) {
      return this;
    }
    return resolved(family, resolveAll(templates, templateValues, request));
  }

  private static ValueMatcher resolved(Family family, List<PolicyVariables.Resolved> values) {
    return resolved(family, values, family.name());
  }

  private static ValueMatcher resolved(
      Family family, List<PolicyVariables.Resolved> values, String operatorName) {
    int n = values.size();
    String[] strings = new String[n];
    for (int i = 0; i < n; i++) {
      strings[i] = values.get(i).text();
    }
    WildcardPattern[] patterns = null;
    WildcardPattern[][] arnPatterns = null;
    BigDecimal[] numbers = null;
    Instant[] instants = null;
    IpRange[] ranges = null;
    switch (family) {
      case STRING_LIKE -> {
        patterns = new WildcardPattern[n];
        for (int i = 0; i < n; i++) {
          patterns[i] = WildcardPattern.of(values.get(i));
        }
      }
      case ARN_LIKE -> {
        arnPatterns = new WildcardPattern[n][];
        for (int i = 0; i < n; i++) {
          arnPatterns[i] = ArnPatterns.compile(values.get(i));
        }
      }
      case NUMERIC_EQUALS,
          NUMERIC_LESS_THAN,
          NUMERIC_LESS_THAN_EQUALS,
          NUMERIC_GREATER_THAN,
          NUMERIC_GREATER_THAN_EQUALS -> {
        numbers = new BigDecimal[n];
        for (int i = 0; i < n; i++) {
          numbers[i] = number(strings[i]);
          if (numbers[i] == null) {
            throw new MalformedPolicyException(
                "Policy contains a condition "
                    + operatorName
                    + " with a value that is not a number");
          }
        }
      }
      case DATE_EQUALS,
          DATE_LESS_THAN,
          DATE_LESS_THAN_EQUALS,
          DATE_GREATER_THAN,
          DATE_GREATER_THAN_EQUALS -> {
        instants = new Instant[n];
        for (int i = 0; i < n; i++) {
          instants[i] = instant(strings[i]);
          if (instants[i] == null) {
            throw new MalformedPolicyException(
                "Policy contains a condition " + operatorName + " with a value that is not a date");
          }
        }
      }
      case IP_ADDRESS -> {
        ranges = new IpRange[n];
        for (int i = 0; i < n; i++) {
          ranges[i] = IpRange.parse(strings[i]);
          if (ranges[i] == null) {
            throw new MalformedPolicyException(
                "Policy contains a condition "
                    + operatorName
                    + " with a value that is not an IP address or CIDR range");
          }
        }
      }
      default -> {}
    }
    return new ValueMatcher(family, strings, patterns, arnPatterns, numbers, instants, ranges);
  }

  /** Whether the request value matches at least one policy value (policy values are ORed). */
  boolean matchesAny(String requestValue) {
    switch (family) {
      case STRING_EQUALS:
        for (String s : strings) {
          if (s.equals(requestValue)) {
            return true;
          }
        }
        return false;
      case STRING_IGNORE_CASE, BOOL:
        for (String s : strings) {
          if (s.equalsIgnoreCase(requestValue)) {
            return true;
          }
        }
        return false;
      case STRING_LIKE:
        for (WildcardPattern p : patterns) {
          if (p.matches(requestValue)) {
            return true;
          }
        }
        return false;
      case ARN_LIKE:
        return ArnPatterns.matchesAny(arnPatterns, requestValue);
      case IP_ADDRESS:
        // A request value that is no address (aws:SourceIp always is one) is in no range.
        byte[] address = IpRange.address(requestValue.trim());
        if (address == null) {
          return false;
        }
        for (IpRange range : ranges) {
          if (range.contains(address)) {
            return true;
          }
        }
        return false;
      case NUMERIC_EQUALS,
      NUMERIC_LESS_THAN,
      NUMERIC_LESS_THAN_EQUALS,
      NUMERIC_GREATER_THAN,
      NUMERIC_GREATER_THAN_EQUALS:
        return comparesToAny(number(requestValue), numbers);
      default:
        return comparesToAny(instant(requestValue), instants);
    }
  }

  /** Numeric* and Date*: the request value (null: not a number or date) against each limit. */
  private <T extends Comparable<T>> boolean comparesToAny(T value, T[] limits) {
    if (value == null) {
      return false;
    }
    for (T limit : limits) {
      if (compares(value.compareTo(limit))) {
        return true;
      }
    }
    return false;
  }

  /** For ordered families: whether "request value (cmp) policy value" holds. */
  private boolean compares(int cmp) {
    return switch (family) {
      case NUMERIC_EQUALS, DATE_EQUALS -> cmp == 0;
      case NUMERIC_LESS_THAN, DATE_LESS_THAN -> cmp < 0;
      case NUMERIC_LESS_THAN_EQUALS, DATE_LESS_THAN_EQUALS -> cmp <= 0;
      case NUMERIC_GREATER_THAN, DATE_GREATER_THAN -> cmp > 0;
      case NUMERIC_GREATER_THAN_EQUALS, DATE_GREATER_THAN_EQUALS -> cmp >= 0;
      default -> false;
    };
  }

  private static BigDecimal number(String value) {
    try {
      return new BigDecimal(value.trim());
    } catch (NumberFormatException e) {
      return null; // a value that is no number matches no numeric condition
    }
  }

  /** A date as AWS takes it: ISO 8601 (date, local or offset date-time) or epoch seconds. */
  static Instant instant(String value) {
    String v = value.trim();
    if (!v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      try {
        return Instant.ofEpochSecond(Long.parseLong(v));
      } catch (NumberFormatException | DateTimeException e) {
        return null;
      }
    }
    try {
      return OffsetDateTime.parse(v).toInstant();
    } catch (DateTimeException e) {
      // not with an offset; try the shorter forms
    }
    try {
      return LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      // not a local date-time
    }
    try {
      return LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      return null;
    }
  }
}
