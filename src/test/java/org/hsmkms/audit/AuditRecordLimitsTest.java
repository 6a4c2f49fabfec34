package org.hsmkms.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A client cannot make its audit record large: every string and list has a bound. */
class AuditRecordLimitsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void fiveHundredContextKeys_recordSixteen_andCountTheRest() throws Exception {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      keys.add(String.format("k%03d", i));
    }

    JsonNode n = JSON.readTree(record(keys, "x", List.of()).toJson());

    assertEquals(AuditLimits.MAX_CONTEXT_KEYS, n.get("encryptionContextKeys").size());
    assertEquals("k000", n.get("encryptionContextKeys").get(0).asText());
    assertEquals(500 - AuditLimits.MAX_CONTEXT_KEYS, n.get("encryptionContextKeysOmitted").asInt());
  }

  @Test
  void longStrings_areCutAndMarked() throws Exception {
    String longKey = "k".repeat(10_000);
    String longId = "i".repeat(100_000);

    JsonNode n = JSON.readTree(record(List.of(longKey), longId, List.of()).toJson());

    String key = n.get("encryptionContextKeys").get(0).asText();
    assertEquals(AuditLimits.MAX_CONTEXT_KEY_CHARS, key.length());
    assertTrue(key.endsWith(AuditLimits.CUT));
    assertEquals(AuditLimits.MAX_STRING_CHARS, n.get("requestId").asText().length());
  }

  @Test
  void recordWithEveryFieldAtItsBound_andEveryCharacterEscaped_fitsTheLineBound() {
    String worst = "\u0001".repeat(1_000_000);
    List<String> many = Collections.nCopies(1000, worst);
    AuditRecord r =
        new AuditRecord(
            Instant.now(),
            worst,
            worst,
            worst,
            worst,
            worst,
            worst,
            worst,
            many,
            many,
            many,
            worst,
            worst,
            Integer.MIN_VALUE,
            Long.MIN_VALUE,
            Integer.MAX_VALUE);

    int bytes = r.jsonBody().length + 100; // with its seq, MAC and newline
    assertTrue(bytes < AuditLimits.MAX_LINE_BYTES, bytes + " bytes");
  }

  private static AuditRecord record(List<String> contextKeys, String requestId, List<String> auth) {
    return new AuditRecord(
        Instant.now(),
        requestId,
        "Encrypt",
        null,
        null,
        null,
        null,
        "10.0.0.1",
        List.of(),
        contextKeys,
        auth,
        AuditRecord.FAILURE,
        "AccessDeniedException",
        400,
        1);
  }
}
