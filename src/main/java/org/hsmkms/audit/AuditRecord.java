package org.hsmkms.audit;

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
  }

  /** The record as one line of JSON (no trailing newline), fields always present and in order. */
  public String toJson() {
    StringBuilder sb = new StringBuilder(384);
    sb.append('{');
    field(sb, "version", VERSION).append(',');
    field(sb, "time", isoInstant(time)).append(',');
    field(sb, "requestId", requestId).append(',');
    field(sb, "operation", operation).append(',');
    field(sb, "principal", principal).append(',');
    field(sb, "account", account).append(',');
    field(sb, "accessKeyId", accessKeyId).append(',');
    field(sb, "region", region).append(',');
    field(sb, "sourceAddress", sourceAddress).append(',');
    field(sb, "keyArns", keyArns).append(',');
    field(sb, "encryptionContextKeys", encryptionContextKeys).append(',');
    field(sb, "outcome", outcome).append(',');
    field(sb, "errorCode", errorCode).append(',');
    field(sb, "httpStatus", httpStatus).append(',');
    field(sb, "latencyMs", latencyMs);
    return sb.append('}').toString();
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

  private static StringBuilder field(StringBuilder sb, String name, Object value) {
    string(sb, name).append(':');
    if (value == null) {
      return sb.append("null");
    }
    if (value instanceof Number n) {
      return sb.append(n);
    }
    if (value instanceof List<?> list) {
      sb.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        string(sb, String.valueOf(list.get(i)));
      }
      return sb.append(']');
    }
    return string(sb, value.toString());
  }

  /** A JSON string; control characters, quotes, backslashes and line separators escaped. */
  private static StringBuilder string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"');
  }
}
