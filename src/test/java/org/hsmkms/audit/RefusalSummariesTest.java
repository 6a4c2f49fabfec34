package org.hsmkms.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Refusals per address per window: the first recorded, the rest counted; memory bounded. */
class RefusalSummariesTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void firstRefusalOfAnAddress_isRecorded_theRestAreSummarizedWhenTheWindowEnds() {
    RefusalSummaries s = new RefusalSummaries(1000, 16);

    assertTrue(s.admit("10.0.0.1", "MissingAuthenticationTokenException", T0));
    for (int i = 1; i < 200; i++) {
      assertFalse(
          s.admit(
              "10.0.0.1",
              i % 2 == 0 ? "MissingAuthenticationTokenException" : "InvalidSignatureException",
              T0.plusMillis(i)));
    }
    assertEquals(List.of(), s.drain(T0.plusMillis(500)), "the window is still open");

    List<AuditEvent> ended = s.drain(T0.plusMillis(1000));

    assertEquals(1, ended.size());
    Map<String, Object> f = ended.get(0).fields();
    assertEquals("10.0.0.1", f.get("sourceAddress"));
    assertEquals(199L, f.get("count"));
    assertEquals(
        Map.of("InvalidSignatureException", 100L, "MissingAuthenticationTokenException", 99L),
        f.get("errorCodes"));
    assertEquals(T0.plusMillis(1), f.get("first"));
    assertEquals(T0.plusMillis(199), f.get("last"));
    assertTrue(s.admit("10.0.0.1", "x", T0.plusMillis(1001)), "a new window records again");
  }

  @Test
  void addressesBeyondTheCap_areCountedTogether_neverRecordedAlone() {
    RefusalSummaries s = new RefusalSummaries(1000, 2);
    assertTrue(s.admit("a", "e", T0));
    assertTrue(s.admit("b", "e", T0));

    for (int i = 0; i < 1000; i++) {
      assertFalse(s.admit("10.9." + i / 256 + "." + i % 256, "e", T0));
    }

    List<AuditEvent> ended = s.drainAll(T0.plusMillis(10));
    assertEquals(1, ended.size());
    assertEquals(RefusalSummaries.OTHER_ADDRESSES, ended.get(0).fields().get("sourceAddress"));
    assertEquals(1000L, ended.get(0).fields().get("count"));
  }

  @Test
  void windowZero_recordsEveryRefusal() {
    RefusalSummaries s = new RefusalSummaries(0, 2);
    for (int i = 0; i < 10; i++) {
      assertTrue(s.admit("a", "e", T0));
    }
    assertEquals(List.of(), s.drainAll(T0));
  }
}
