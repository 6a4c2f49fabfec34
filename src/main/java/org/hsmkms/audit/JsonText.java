package org.hsmkms.audit;

import java.util.List;

/** The JSON text of audit lines: strings escaped so that a record stays one line. */
final class JsonText {
  private JsonText() {}

  static void strings(StringBuilder sb, List<String> list) {
    sb.append('[');
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      string(sb, list.get(i));
    }
    sb.append(']');
  }

  /**
   * A JSON string (or {@code null}); control characters, quotes, backslashes and line separators
   * escaped. The text up to the first character that needs escaping is copied in one piece.
   */
  static void string(StringBuilder sb, String s) {
    if (s == null) {
      sb.append("null");
      return;
    }
    sb.append('"');
    int plain = 0;
    while (plain < s.length() && !escaped(s.charAt(plain))) {
      plain++;
    }
    sb.append(s, 0, plain);
    for (int i = plain; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (escaped(c)) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  private static boolean escaped(char c) {
    return c < 0x20 || c == '"' || c == '\\' || c == 0x7f || c == '\u2028' || c == '\u2029';
  }
}
