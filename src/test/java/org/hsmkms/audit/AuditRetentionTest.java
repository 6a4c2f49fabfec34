package org.hsmkms.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.hsmkms.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention never discards history silently: each rotated file removed, by count or by age, is
 * named in the trail with the sequence range it held, counted, and the verifier says where the
 * history it is given begins.
 */
class AuditRetentionTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final SoftwareChainKeys keys = new SoftwareChainKeys();

  @TempDir Path dir;

  @Test
  void fileBeyondMaxFiles_isRemoved_andTheRemovalIsRecordedWithItsSeqRange() throws Exception {
    Path file = dir.resolve("audit.log");
    long removed;
    try (FileAuditTrail t = trail(file, 2, 0, new MutableClock())) {
      for (int i = 0; i < 40; i++) {
        t.write(AuditVerifierTest.record("r" + i));
      }
      removed = t.filesRemoved();
    }

    List<JsonNode> removals = events(AuditEvent.FILE_REMOVED);
    assertTrue(removed >= 1, "some file went");
    assertEquals(removed, removals.size(), "each removal recorded once: " + removals);
    JsonNode first = removals.get(0);
    assertEquals("audit.log.2", first.get("file").asText());
    assertEquals("maxFiles", first.get("reason").asText());
    assertEquals(1, first.get("firstSeq").asLong(), "the first file held the trail's start");
    assertTrue(first.get("lastSeq").asLong() > 1);
    AuditVerifier.Report r = new AuditVerifier(keys, false).verify(kept());
    assertTrue(r.ok(), r.breaks().toString());
    String begins = r.files().get(0).notes().get(0);
    assertTrue(begins.contains("removed by retention"), begins);
  }

  @Test
  void rotatedFileOlderThanMaxAgeDays_isRemoved_andRecorded() throws Exception {
    Path file = dir.resolve("audit.log");
    MutableClock clock = new MutableClock();
    try (FileAuditTrail t = trail(file, 10, 0, clock)) {
      for (int i = 0; i < 12; i++) {
        t.write(AuditVerifierTest.record("r" + i));
      }
    }
    assertTrue(Files.exists(dir.resolve("audit.log.1")));
    Files.setLastModifiedTime(
        dir.resolve("audit.log.1"), FileTime.from(clock.instant().minus(Duration.ofDays(8))));
    List<Path> before = kept();

    try (FileAuditTrail t = trail(file, 10, 7, clock)) {
      t.write(AuditVerifierTest.record("after"));
      assertEquals(1, t.filesRemoved());
    }

    assertFalse(Files.exists(dir.resolve("audit.log.1")), "older than 7 days");
    List<JsonNode> removals = events(AuditEvent.FILE_REMOVED);
    assertEquals(1, removals.size(), removals.toString());
    assertEquals("maxAgeDays", removals.get(0).get("reason").asText());
    assertEquals("audit.log.1", removals.get(0).get("file").asText());
    assertTrue(before.size() > kept().size());
  }

  private FileAuditTrail trail(Path file, int maxFiles, int maxAgeDays, MutableClock clock) {
    return new FileAuditTrail(file, 4096, maxFiles, maxAgeDays, false, true, keys, clock);
  }

  private List<JsonNode> events(String name) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (Path p : kept()) {
      for (String line : Files.readAllLines(p)) {
        JsonNode n = JSON.readTree(line);
        if (n.has("event") && n.get("event").asText().equals(name)) {
          out.add(n);
        }
      }
    }
    return out;
  }

  private List<Path> kept() {
    List<Path> out = new ArrayList<>();
    for (int i = 20; i >= 1; i--) {
      Path p = dir.resolve("audit.log." + i);
      if (Files.exists(p)) {
        out.add(p);
      }
    }
    out.add(dir.resolve("audit.log"));
    return out;
  }
}
