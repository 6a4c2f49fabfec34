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
    field(sb, "time", DateTimeFormatter.ISO_INSTANT.format(time)).append(',');
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
