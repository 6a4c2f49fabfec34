package org.hsmkms.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * One request as the audit trail records it: who (principal, account, access key, source address),
 * what (operation, key ARNs, the keys of the encryption context), when, and how it ended.
 *
 * <p>Security: by construction it holds no plaintext, ciphertext, encryption context values, PINs
 * or secrets; only names and identifiers. See docs/audit.md for every field.
 *
 * @param authorization each authorization decision made for the request, in order: the action, the
 *     resource, and what allowed or denied it (a key policy or identity policy statement by Sid or
 *     index, a grant id, or an implicit deny); empty when the request ended before authorization
 * @param outcome {@link #SUCCESS} or {@link #FAILURE}
 * @param errorCode the AWS error type ({@code __type}), null on success
 */
public record AuditRecord(
    Instant time,
    String requestId,
    String operation,
    String principal,
    String account,
    String accessKeyId,
    String region,
    String sourceAddress,
    List<String> keyArns,
    List<String> encryptionContextKeys,
    List<String> authorization,
    String outcome,
    String errorCode,
    int httpStatus,
    long latencyMs) {
  public static final String SUCCESS = "success";
  public static final String FAILURE = "failure";

  /** Version of the record layout; bumped when a field changes meaning or disappears. */
  public static final int VERSION = 1;

  public AuditRecord {
    keyArns = keyArns == null ? List.of() : List.copyOf(keyArns);
    encryptionContextKeys =
        encryptionContextKeys == null ? List.of() : List.copyOf(encryptionContextKeys);
    authorization = authorization == null ? List.of() : List.copyOf(authorization);
  }

  /** The record as one line of JSON (no trailing newline), fields always present and in order. */
  public String toJson() {
    return json(new StringBuilder(448)).toString();
  }

  /** {@link #toJson()} and a newline, as UTF-8: the bytes of one line of the trail. */
  byte[] toJsonLine() {
    return json(new StringBuilder(448)).append('\n').toString().getBytes(StandardCharsets.UTF_8);
  }

  private StringBuilder json(StringBuilder sb) {
    // Field names are constants: written with their punctuation as they are.
    sb.append("{\"version\":").append(VERSION);
    sb.append(",\"time\":");
    string(sb, time == null ? null : isoInstant(time));
    sb.append(",\"requestId\":");
    string(sb, requestId);
    sb.append(",\"operation\":");
    string(sb, operation);
    sb.append(",\"principal\":");
    string(sb, principal);
    sb.append(",\"account\":");
    string(sb, account);
    sb.append(",\"accessKeyId\":");
    string(sb, accessKeyId);
    sb.append(",\"region\":");
    string(sb, region);
    sb.append(",\"sourceAddress\":");
    string(sb, sourceAddress);
    sb.append(",\"keyArns\":");
    strings(sb, keyArns);
    sb.append(",\"encryptionContextKeys\":");
    strings(sb, encryptionContextKeys);
    sb.append(",\"authorization\":");
    strings(sb, authorization);
    sb.append(",\"outcome\":");
    string(sb, outcome);
    sb.append(",\"errorCode\":");
    string(sb, errorCode);
    sb.append(",\"httpStatus\":").append(httpStatus);
    sb.append(",\"latencyMs\":").append(latencyMs);
    return sb.append('}');
  }

  /** The second last formatted and its text up to the seconds, shared by all threads. */
  private record SecondText(long epochSecond, String text) {}

  private static volatile SecondText lastSecond = new SecondText(Long.MIN_VALUE, "");

  /**
   * The instant as {@link DateTimeFormatter#ISO_INSTANT} writes it (fraction in groups of three
   * digits, none when zero), without formatting the date again within the same second.
   */
  static String isoInstant(Instant t) {
    SecondText s = lastSecond;
    if (s.epochSecond != t.getEpochSecond()) {
      String full = DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(t.getEpochSecond()));
      s = new SecondText(t.getEpochSecond(), full.substring(0, full.length() - 1));
      lastSecond = s;
    }
    int nanos = t.getNano();
    if (nanos == 0) {
      return s.text + 'Z';
    }
    StringBuilder sb = new StringBuilder(s.text.length() + 11).append(s.text).append('.');
    String digits = Integer.toString(1_000_000_000 + nanos).substring(1);
    int keep = nanos % 1_000_000 == 0 ? 3 : nanos % 1000 == 0 ? 6 : 9;
    return sb.append(digits, 0, keep).append('Z').toString();
  }

  private static void strings(StringBuilder sb, List<String> list) {
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
  private static void string(StringBuilder sb, String s) {
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
