package org.hsmkms.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A line of the trail that is not one request: the start of a chain segment, a clean shutdown, the
 * removal of a rotated file, a summary of refused requests. It has {@code version}, {@code time}
 * and {@code event} first, its own fields after them, and the trail's {@code seq} and {@code mac}
 * last, like a request record (docs/audit.md lists each event).
 *
 * <p>Security: the fields are server-made (names, counts, times, addresses); strings are cut like a
 * record's ({@link AuditLimits}).
 *
 * @param fields values are strings, numbers, or maps of string to number, in the order written
 */
public record AuditEvent(Instant time, String event, Map<String, Object> fields) {
  /** A process started writing: a new chain segment (docs/audit.md, "Tamper evidence"). */
  public static final String SEGMENT_START = "segmentStart";

  /** A clean shutdown: the segment's last record. */
  public static final String CLOSE = "close";

  /** A rotated file was removed by retention. */
  public static final String FILE_REMOVED = "fileRemoved";

  /** Unauthenticated refusals from one address in one window, beyond the first. */
  public static final String REFUSAL_SUMMARY = "refusalSummary";

  /** At most this many entries in a map field (the error codes of a summary). */
  static final int MAX_MAP_ENTRIES = 16;

  public AuditEvent {
    fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  /** A builder-like start: {@code AuditEvent.of(t, CLOSE).with("k", v)}. */
  public static AuditEvent of(Instant time, String event) {
    return new AuditEvent(time, event, Map.of());
  }

  /** This event with one more field. */
  public AuditEvent with(String name, Object value) {
    Map<String, Object> more = new LinkedHashMap<>(fields);
    more.put(name, value);
    return new AuditEvent(time, event, more);
  }

  /** The event's JSON without its closing brace, as UTF-8. */
  byte[] jsonBody() {
    StringBuilder sb = new StringBuilder(256);
    sb.append("{\"version\":").append(AuditRecord.VERSION).append(",\"time\":");
    JsonText.string(sb, time == null ? null : AuditRecord.isoInstant(time));
    sb.append(",\"event\":");
    JsonText.string(sb, event);
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      sb.append(',');
      JsonText.string(sb, e.getKey());
      sb.append(':');
      value(sb, e.getValue());
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void value(StringBuilder sb, Object v) {
    if (v instanceof Number n) {
      sb.append(n.longValue());
    } else if (v instanceof Instant t) {
      JsonText.string(sb, AuditRecord.isoInstant(t));
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      int n = 0;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (n++ == MAX_MAP_ENTRIES) {
          break;
        }
        if (n > 1) {
          sb.append(',');
        }
        JsonText.string(sb, AuditLimits.cut(String.valueOf(e.getKey()), 128));
        sb.append(':');
        value(sb, e.getValue());
      }
      sb.append('}');
    } else {
      JsonText.string(sb, v == null ? null : AuditLimits.cut(v.toString(), 1024));
    }
  }
}
