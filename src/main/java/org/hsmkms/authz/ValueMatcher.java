package org.hsmkms.authz;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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

  private static final int ARN_COMPONENTS = 6;

  private final Family family;
  private final String[] strings;
  private final WildcardPattern[] patterns;
  private final WildcardPattern[][] arnPatterns;
  private final BigDecimal[] numbers;
  private final Instant[] instants;
  private final IpRange[] ranges;

  private ValueMatcher(
      Family family,
      String[] strings,
      WildcardPattern[] patterns,
      WildcardPattern[][] arnPatterns,
      BigDecimal[] numbers,
      Instant[] instants,
      IpRange[] ranges) {
    this.family = family;
    this.strings = strings;
    this.patterns = patterns;
    this.arnPatterns = arnPatterns;
    this.numbers = numbers;
    this.instants = instants;
    this.ranges = ranges;
  }

  /**
   * Compiles policy values; a value the operator cannot read is malformed.
   *
   * @param operatorName the operator as written, for the message
   */
  static ValueMatcher compile(Family family, List<String> values, String operatorName) {
    int n = values.size();
    String[] strings = values.toArray(new String[0]);
    WildcardPattern[] patterns = null;
    WildcardPattern[][] arnPatterns = null;
    BigDecimal[] numbers = null;
    Instant[] instants = null;
    IpRange[] ranges = null;
    switch (family) {
      case STRING_LIKE -> {
        patterns = new WildcardPattern[n];
        for (int i = 0; i < n; i++) {
          patterns[i] = WildcardPattern.caseSensitive(strings[i]);
        }
      }
      case ARN_LIKE -> {
        arnPatterns = new WildcardPattern[n][];
        for (int i = 0; i < n; i++) {
          arnPatterns[i] = arnPattern(strings[i]);
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
        return arnMatches(requestValue);
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
        BigDecimal number = number(requestValue);
        if (number == null) {
          return false;
        }
        for (BigDecimal limit : numbers) {
          if (compares(number.compareTo(limit))) {
            return true;
          }
        }
        return false;
      default:
        Instant instant = instant(requestValue);
        if (instant == null) {
          return false;
        }
        for (Instant limit : instants) {
          if (compares(instant.compareTo(limit))) {
            return true;
          }
        }
        return false;
    }
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

  // Arn*: "each of the six colon-delimited components of the ARN is checked separately and each
  // can include a multi-character match wildcard (*) or a single-character match wildcard (?)".
  private static WildcardPattern[] arnPattern(String value) {
    String[] parts = value.split(":", ARN_COMPONENTS);
    if (parts.length < ARN_COMPONENTS) {
      // Not an ARN (e.g. "*"): the value is matched as one pattern against the whole request value.
      return new WildcardPattern[] {WildcardPattern.caseSensitive(value)};
    }
    WildcardPattern[] compiled = new WildcardPattern[ARN_COMPONENTS];
    for (int i = 0; i < ARN_COMPONENTS; i++) {
      compiled[i] = WildcardPattern.caseSensitive(parts[i]);
    }
    return compiled;
  }

  private boolean arnMatches(String requestValue) {
    String[] parts = null;
    for (WildcardPattern[] pattern : arnPatterns) {
      if (pattern.length == 1) {
        if (pattern[0].matches(requestValue)) {
          return true;
        }
        continue;
      }
      if (parts == null) {
        parts = requestValue.split(":", ARN_COMPONENTS);
      }
      if (parts.length == ARN_COMPONENTS && componentsMatch(pattern, parts)) {
        return true;
      }
    }
    return false;
  }

  private static boolean componentsMatch(WildcardPattern[] pattern, String[] parts) {
    for (int i = 0; i < ARN_COMPONENTS; i++) {
      if (!pattern[i].matches(parts[i])) {
        return false;
      }
    }
    return true;
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
