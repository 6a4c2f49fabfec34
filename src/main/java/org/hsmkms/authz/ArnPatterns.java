package org.hsmkms.authz;

/**
 * The Arn* operators' patterns. AWS: "each of the six colon-delimited components of the ARN is
 * checked separately and each can include a multi-character match wildcard (*) or a
 * single-character match wildcard (?)". A policy value that is no ARN (e.g. {@code *}) is one
 * pattern matched against the whole request value.
 */
final class ArnPatterns {
  private static final int ARN_COMPONENTS = 6;

  private ArnPatterns() {}

  /** One policy value: six component patterns, or one pattern when it is no ARN. */
  static WildcardPattern[] compile(PolicyVariables.Resolved value) {
    String text = value.text();
    int[] cuts = new int[ARN_COMPONENTS - 1];
    int found = 0;
    for (int i = 0; i < text.length() && found < cuts.length; i++) {
      if (text.charAt(i) == ':') {
        cuts[found++] = i;
      }
    }
    if (found < cuts.length) {
      return new WildcardPattern[] {WildcardPattern.of(value)};
    }
    WildcardPattern[] compiled = new WildcardPattern[ARN_COMPONENTS];
    int from = 0;
    for (int i = 0; i < ARN_COMPONENTS; i++) {
      int to = i < cuts.length ? cuts[i] : text.length();
      compiled[i] = WildcardPattern.of(value, from, to);
      from = to + 1;
    }
    return compiled;
  }

  /** Whether the request value matches at least one of the compiled policy values. */
  static boolean matchesAny(WildcardPattern[][] patterns, String requestValue) {
    String[] parts = null;
    for (WildcardPattern[] pattern : patterns) {
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
}
