package org.hsmkms.authz;

/**
 * A compiled IAM wildcard pattern: {@code *} matches any run of characters (also none), {@code ?}
 * exactly one; every other character matches itself. Matching allocates nothing.
 */
final class WildcardPattern {
  private final String pattern;
  private final boolean ignoreCase;
  private final boolean literal;

  private WildcardPattern(String pattern, boolean ignoreCase) {
    this.pattern = pattern;
    this.ignoreCase = ignoreCase;
    this.literal = pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0;
  }

  static WildcardPattern caseSensitive(String pattern) {
    return new WildcardPattern(pattern, false);
  }

  static WildcardPattern ignoringCase(String pattern) {
    return new WildcardPattern(pattern, true);
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
      if (p < n && pc == '*') {
        star = p++;
        mark = t;
      } else if (p < n && (pc == '?' || same(pc, text.charAt(t)))) {
        p++;
        t++;
      } else if (star >= 0) {
        p = star + 1;
        t = ++mark;
      } else {
        return false;
      }
    }
    while (p < n && pattern.charAt(p) == '*') {
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
