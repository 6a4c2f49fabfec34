package org.hsmkms.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;

/**
 * Reads the authorization decision an audit record carries (issue 13, item 6: "each record says who
 * was allowed or denied and by what: the key-policy statement (its Sid or index), the identity
 * policy, or the grant id; or explicit/implicit deny").
 *
 * <p>The record's field is assumed to be named {@value #FIELD}; its shape (a string or an object)
 * is not assumed: the assertions read its JSON text, case-insensitively. Adjust {@link
 * #decision(JsonNode)} here when the record's format is settled.
 */
public final class AuditedDecisions {
  /** The name of the audit record's field that says how the request was authorized. */
  public static final String FIELD = "authorization";

  private static final ObjectMapper JSON = new ObjectMapper();

  private AuditedDecisions() {}

  /** The audit record of a request, waiting up to five seconds for it to be written. */
  public static JsonNode record(TestServer server, String requestId) {
    assertNotNull(requestId, "the answer carries a request id");
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    do {
      for (String l : server.auditLines()) {
        if (l.contains("\"requestId\":\"" + requestId + "\"")) {
          try {
            return JSON.readTree(l);
          } catch (IOException e) {
            throw new AssertionError("audit line is not JSON: " + l, e);
          }
        }
      }
      Thread.onSpinWait();
    } while (System.nanoTime() < deadline);
    throw new AssertionError("no audit record for request " + requestId);
  }

  /** The decision a record carries, as lower-case JSON text; fails if it carries none. */
  public static String decision(JsonNode record) {
    JsonNode d = record.get(FIELD);
    assertTrue(d != null && !d.isNull(), () -> "no \"" + FIELD + "\" in " + record);
    return (d.isTextual() ? d.asText() : d.toString()).toLowerCase(Locale.ROOT);
  }

  /** Asserts the request was allowed, and that its decision names each of {@code byWhat}. */
  public static void assertAllowedBy(JsonNode record, String... byWhat) {
    String d = decision(record);
    assertEquals("success", record.get("outcome").asText(), record.toString());
    assertTrue(d.contains("allow") && !d.contains("denied"), () -> "allowed? " + d);
    for (String w : byWhat) {
      assertTrue(d.contains(w.toLowerCase(Locale.ROOT)), () -> "by " + w + "? " + d);
    }
  }

  /** Asserts the request was denied, and that its decision names each of {@code byWhat}. */
  public static void assertDeniedBy(JsonNode record, String... byWhat) {
    String d = decision(record);
    assertEquals("AccessDeniedException", record.get("errorCode").asText(), record.toString());
    assertTrue(d.contains("den"), () -> "denied? " + d);
    for (String w : byWhat) {
      assertTrue(d.contains(w.toLowerCase(Locale.ROOT)), () -> "by " + w + "? " + d);
    }
  }
}
