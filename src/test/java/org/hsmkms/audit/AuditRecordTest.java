package org.hsmkms.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AuditRecordTest {
  @Test
  void isoInstant_writesWhatIsoInstantWrites() {
    long[][] cases = {
      {0, 0},
      {1_795_000_000L, 0},
      {1_795_000_000L, 120_000_000},
      {1_795_000_000L, 1_000_000},
      {1_795_000_000L, 999_000_000},
      {1_795_000_000L, 123_456_000},
      {1_795_000_000L, 123_456_789},
      {1_795_000_001L, 5},
      {-1L, 500_000_000},
      {253_402_300_799L, 999_999_999},
    };
    for (long[] c : cases) {
      Instant t = Instant.ofEpochSecond(c[0], c[1]);
      assertEquals(DateTimeFormatter.ISO_INSTANT.format(t), AuditRecord.isoInstant(t));
    }
    SplittableRandom random = new SplittableRandom(7);
    long second = 1_795_000_000L;
    for (int i = 0; i < 10_000; i++) {
      // Mostly within the same few seconds, so that the cached second is used and replaced.
      second += random.nextInt(4) == 0 ? 1 : 0;
      Instant t = Instant.ofEpochSecond(second, random.nextInt(1_000) * 1_000_000L);
      assertEquals(DateTimeFormatter.ISO_INSTANT.format(t), AuditRecord.isoInstant(t));
    }
  }
}
