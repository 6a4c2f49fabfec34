package org.hsmkms.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  void everyString_isReadBackByAJsonParser_asItWas() throws Exception {
    ObjectMapper json = new ObjectMapper();
    String awkward = "\"\\\n\r\t\b\f\u0000\u001f\u007f\u2028\u2029/é€😀";
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 2_000; i++) {
      StringBuilder s = new StringBuilder();
      int length = random.nextInt(12);
      for (int j = 0; j < length; j++) {
        s.append(
            random.nextBoolean()
                ? (char) ('a' + random.nextInt(26))
                : awkward.charAt(random.nextInt(awkward.length())));
      }
      String text = s.toString();
      if (!isWellFormed(text)) {
        continue; // a lone surrogate half has no UTF-8 form
      }
      List<String> keys = new ArrayList<>(List.of(text, "plain"));
      AuditRecord r =
          new AuditRecord(
              Instant.ofEpochSecond(1_795_000_000L, 5_000_000),
              text,
              "Encrypt",
              text,
              null,
              "AKID",
              "us-east-1",
              "127.0.0.1",
              List.of(),
              keys,
              List.of(text),
              AuditRecord.SUCCESS,
              null,
              200,
              i);
      String line = r.toJson();
      assertFalse(line.contains("\n") || line.contains("\u2028"), line);
      JsonNode n = json.readTree(line);
      assertEquals(text, n.get("requestId").asText());
      assertEquals(text, n.get("principal").asText());
      assertEquals(keys, List.of(n.get("encryptionContextKeys").get(0).asText(), "plain"));
      assertEquals(i, n.get("latencyMs").asLong());
      assertArrayEquals(
          line.substring(0, line.length() - 1).getBytes(StandardCharsets.UTF_8),
          r.jsonBody(),
          "the line's bytes");
    }
  }

  private static boolean isWellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
