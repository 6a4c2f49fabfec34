package org.hsmkms.auth;

/**
 * The shapes SigV4 parsing checks on every request, written out instead of regular expressions (a
 * hot path). {@code SigV4ShapesTest} checks each accepts exactly what its expression does.
 */
final class SigV4Shapes {
  private static final String HEADER_NAME_SYMBOLS = "!#$%&'*+.^_`|~-";

  private SigV4Shapes() {}

  /** {@code \\d{8}T\\d{6}Z} */
  static boolean isAmzDateShape(String s) {
    return s.length() == 16
        && allDigits(s, 0, 8)
        && s.charAt(8) == 'T'
        && allDigits(s, 9, 15)
        && s.charAt(15) == 'Z';
  }

  /** {@code [0-9a-f]{64}} */
  static boolean isSignatureShape(String s) {
    if (s.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  /** {@code [a-z0-9!#$%&'*+.^_`|~-]+} */
  static boolean isHeaderName(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || HEADER_NAME_SYMBOLS.indexOf(c) >= 0)) {
        return false;
      }
    }
    return true;
  }

  /** {@code [a-z]{2}(-[a-z0-9]+)*-\\d{1,2}} */
  static boolean isRegion(String s) {
    if (s.length() < 4 || !isLower(s.charAt(0)) || !isLower(s.charAt(1)) || s.charAt(2) != '-') {
      return false;
    }
    int segmentStart = 3;
    for (int i = 3; i <= s.length(); i++) {
      if (i == s.length() || s.charAt(i) == '-') {
        if (i == segmentStart) {
          return false; // an empty segment
        }
        if (i == s.length()) {
          int len = i - segmentStart;
          return len <= 2 && allDigits(s, segmentStart, i);
        }
        segmentStart = i + 1;
      } else {
        char c = s.charAt(i);
        if (!isLower(c) && !(c >= '0' && c <= '9')) {
          return false;
        }
      }
    }
    return false;
  }

  private static boolean isLower(char c) {
    return c >= 'a' && c <= 'z';
  }

  static boolean allDigits(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  static int digits(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      v = v * 10 + (s.charAt(i) - '0');
    }
    return v;
  }
}
