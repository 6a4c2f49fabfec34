package org.hsmkms.authz;

/**
 * A compiled IAM wildcard pattern: {@code *} matches any run of characters (also none), {@code ?}
 * exactly one; every other character matches itself, and so does a {@code *} or {@code ?} marked
 * literal (one that a policy variable or an escape such as {@code ${*}} put there). Matching
 * allocates nothing.
 */
final class WildcardPattern {
  private final String pattern;
  private final boolean ignoreCase;
  private final boolean[] literalAt; // null: every * and ? is a wildcard
  private final boolean literal;

  private WildcardPattern(String pattern, boolean ignoreCase, boolean[] literalAt) {
    this.pattern = pattern;
    this.ignoreCase = ignoreCase;
    this.literalAt = literalAt;
    boolean anyWildcard = false;
    for (int i = 0; i < pattern.length() && !anyWildcard; i++) {
      anyWildcard = isWildcard(i, '*') || isWildcard(i, '?');
    }
    this.literal = !anyWildcard;
  }

  static WildcardPattern caseSensitive(String pattern) {
    return new WildcardPattern(pattern, false, null);
  }

  static WildcardPattern ignoringCase(String pattern) {
    return new WildcardPattern(pattern, true, null);
  }

  /** A case-sensitive pattern of a resolved value whose literal characters are no wildcards. */
  static WildcardPattern of(PolicyVariables.Resolved value) {
    return new WildcardPattern(value.text(), false, value.literal());
  }

  /** As {@link #of(PolicyVariables.Resolved)}, of the characters {@code [from, to)}. */
  static WildcardPattern of(PolicyVariables.Resolved value, int from, int to) {
    boolean[] literal =
        value.literal() == null ? null : java.util.Arrays.copyOfRange(value.literal(), from, to);
    return new WildcardPattern(value.text().substring(from, to), false, literal);
  }

  private boolean isWildcard(int i, char wildcard) {
    return pattern.charAt(i) == wildcard && (literalAt == null || !literalAt[i]);
  }

  boolean matches(String text) {
    if (literal) {
      return ignoreCase ? pattern.equalsIgnoreCase(text) : pattern.equals(text);
    }
    // Greedy matching with one backtrack point: the last '*' seen and where it started matching.
    int n = pattern.length();
    int p = 0;
    int t = 0;
    int star = -1;
    int mark = 0;
    while (t < text.length()) {
      char pc = p < n ? pattern.charAt(p) : 0;
      if (p < n && isWildcard(p, '*')) {
        star = p++;
        mark = t;
      } else if (p < n && (isWildcard(p, '?') || same(pc, text.charAt(t)))) {
        p++;
        t++;
      } else if (star >= 0) {
        p = star + 1;
        t = ++mark;
      } else {
        return false;
      }
    }
    while (p < n && isWildcard(p, '*')) {
      p++;
    }
    return p == n;
  }

  private boolean same(char a, char b) {
    return a == b
        || ignoreCase
            && (Character.toLowerCase(a) == Character.toLowerCase(b)
                || Character.toUpperCase(a) == Character.toUpperCase(b));
  }

  @Override
  public String toString() {
    return pattern;
  }
}
