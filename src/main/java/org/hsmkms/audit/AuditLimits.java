package org.hsmkms.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * The bounds that keep an audit record small whatever a client sends: a client can name 500
 * encryption-context keys in a 4 KB body, or a 64 KiB key id, and each would otherwise be copied
 * into the trail on every request, multiplying the disk it costs to fill.
 *
 * <p>Every string of a record is cut to {@link #MAX_STRING_CHARS} ({@link #MAX_CONTEXT_KEY_CHARS}
 * for a context key), each list to a number of entries; a cut string ends with {@link #CUT}, and
 * the record counts the context keys it left out. With every field at its bound, and every
 * character escaped as {@code \\uXXXX}, a line stays under {@link #MAX_LINE_BYTES}
 * (AuditRecordLimitsTest writes such a record).
 */
public final class AuditLimits {
  private AuditLimits() {}

  /** Marks a string that was cut. */
  public static final String CUT = "...";

  public static final int MAX_STRING_CHARS = 256;
  public static final int MAX_CONTEXT_KEY_CHARS = 64;
  public static final int MAX_CONTEXT_KEYS = 16;
  public static final int MAX_KEY_ARNS = 4;

  /** Authorization entries are server-made (action, ARN, Sid); a request makes at most a few. */
  public static final int MAX_AUTHORIZATION_ENTRIES = 8;

  public static final int MAX_AUTHORIZATION_CHARS = 512;

  /** No line of the trail is longer, its sequence number and MAC included. */
  public static final int MAX_LINE_BYTES = 64 * 1024;

  /** {@code s} cut to {@code max} characters (without splitting a surrogate pair), marked. */
  static String cut(String s, int max) {
    if (s == null || s.length() <= max) {
      return s;
    }
    int end = max - CUT.length();
    if (Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end) + CUT;
  }

  /** The first {@code maxEntries} of {@code list}, each cut to {@code maxChars}. */
  static List<String> cut(List<String> list, int maxEntries, int maxChars) {
    if (list == null) {
      return List.of();
    }
    boolean fits = list.size() <= maxEntries;
    for (int i = 0; fits && i < list.size(); i++) {
      String s = list.get(i);
      fits = s == null || s.length() <= maxChars;
    }
    if (fits) {
      return List.copyOf(list);
    }
    List<String> out = new ArrayList<>(Math.min(list.size(), maxEntries));
    for (int i = 0; i < list.size() && i < maxEntries; i++) {
      out.add(cut(list.get(i), maxChars));
    }
    return List.copyOf(out);
  }
}
