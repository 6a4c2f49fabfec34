package org.hsmkms.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MAC chain against an attacker with write access to the files: each edit, deletion and
 * reordering is found and named by its line; rotations and restarts keep the chain whole.
 */
class AuditVerifierTest {
  private final SoftwareChainKeys keys = new SoftwareChainKeys();

  @TempDir Path dir;

  @Test
  void untouchedTrail_verifies_acrossRestartsAndRotations() throws Exception {
    Path file = dir.resolve("audit.log");
    for (int run = 0; run < 2; run++) {
      try (FileAuditTrail t = keys.trail(file, 4096, 10, false, true)) {
        for (int i = 0; i < 20; i++) {
          t.write(record("run" + run + "-" + i));
        }
      }
    }
    List<Path> files = files();
    assertTrue(files.size() > 3, "rotated: " + files);

    AuditVerifier.Report r = verify(files);

    assertTrue(r.ok(), r.breaks().toString());
    assertTrue(
        r.files().get(0).notes().get(0).startsWith("history begins at seq 1"),
        r.files().get(0).notes().toString());
  }

  @Test
  void deletedMiddleLine_isNamed() throws Exception {
    List<String> lines = written(10);
    lines.remove(5); // line 6

    List<String> breaks = verifyLines(lines);

    assertEquals(1, breaks.size(), breaks.toString());
    assertTrue(breaks.get(0).contains("line 6: deleted: seq 6 missing"), breaks.toString());
  }

  @Test
  void editedField_isNamed() throws Exception {
    List<String> lines = written(10);
    lines.set(3, lines.get(3).replace("\"httpStatus\":200", "\"httpStatus\":403"));

    List<String> breaks = verifyLines(lines);

    assertEquals(List.of("audit.log: line 4: edited (MAC mismatch), seq 4"), breaks);
  }

  @Test
  void swappedLines_areNamed() throws Exception {
    List<String> lines = written(10);
    String fifth = lines.get(4);
    lines.set(4, lines.get(5));
    lines.set(5, fifth);

    List<String> breaks = verifyLines(lines);

    assertEquals(
        List.of("audit.log: line 5: reordered: seq 6 comes before seq 5 (line 6)"), breaks);
  }

  @Test
  void cutTail_isReportedAsNoClosingRecord() throws Exception {
    List<String> lines = written(10);
    lines.subList(8, lines.size()).clear();

    List<String> breaks = verifyLines(lines);

    assertEquals(1, breaks.size(), breaks.toString());
    assertTrue(breaks.get(0).contains("line 8: no closing record after seq 8"), breaks.toString());
  }

  @Test
  void filesGivenInAnyOrder_areCheckedInSequenceOrder_andAGapBetweenThemIsFound() throws Exception {
    Path file = dir.resolve("audit.log");
    try (FileAuditTrail t = keys.trail(file, 4096, 10, false, true)) {
      for (int i = 0; i < 40; i++) {
        t.write(record("r" + i));
      }
    }
    List<Path> files = files();
    List<Path> reversed = new ArrayList<>(files);
    java.util.Collections.reverse(reversed);
    assertTrue(verify(reversed).ok());

    List<Path> withoutOne = new ArrayList<>(files);
    Path gone = withoutOne.remove(2);

    AuditVerifier.Report r = verify(withoutOne);

    assertFalse(r.ok(), "a missing middle file leaves a gap: " + gone);
    assertTrue(r.breaks().get(0).contains("deleted"), r.breaks().toString());
  }

  @Test
  void restartAfterAStopWithoutClosingRecord_isABreak_unlessUncleanStopsAreAccepted()
      throws Exception {
    Path file = dir.resolve("audit.log");
    List<String> first = written(5);
    // A kill -9 leaves no closing record; the next start continues from the last line it finds.
    Files.write(file, first.subList(0, first.size() - 1));
    try (FileAuditTrail t = keys.trail(file, 1 << 20, 3, false, true)) {
      t.write(record("after the restart"));
    }

    AuditVerifier.Report strict = verify(List.of(file));
    AuditVerifier.Report accepting = new AuditVerifier(keys, false, true).verify(List.of(file));

    assertEquals(1, strict.breaks().size(), strict.breaks().toString());
    assertTrue(strict.breaks().get(0).contains("no closing record before this segment start"));
    assertTrue(accepting.ok(), accepting.breaks().toString());
    assertTrue(
        accepting.files().get(0).notes().stream()
            .anyMatch(n -> n.contains("no closing record before this segment start")),
        accepting.files().get(0).notes().toString());

    // Accepting unclean stops still finds an edit.
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.set(2, lines.get(2).replace("\"httpStatus\":200", "\"httpStatus\":403"));
    Files.write(file, lines);
    assertFalse(new AuditVerifier(keys, false, true).verify(List.of(file)).ok());
  }

  @Test
  void keyOfAnotherToken_verifiesNothing() throws Exception {
    List<String> lines = written(3);
    Path f = dir.resolve("copy.log");
    Files.write(f, lines);

    AuditVerifier.Report r = new AuditVerifier(new SoftwareChainKeys(), false).verify(List.of(f));

    assertFalse(r.ok());
    assertEquals(lines.size(), r.breaks().size(), r.breaks().toString());
  }

  /** The lines of a trail with {@code n} records, closed cleanly. */
  private List<String> written(int n) throws Exception {
    Path file = dir.resolve("audit.log");
    try (FileAuditTrail t = keys.trail(file, 1 << 20, 3, false, true)) {
      for (int i = 0; i < n; i++) {
        t.write(record("r" + i));
      }
    }
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    assertEquals(n + 2, lines.size(), "segment start, records, close");
    return lines;
  }

  private List<String> verifyLines(List<String> lines) throws Exception {
    Path file = dir.resolve("audit.log");
    Files.write(file, lines);
    return verify(List.of(file)).breaks();
  }

  private AuditVerifier.Report verify(List<Path> files) throws Exception {
    return new AuditVerifier(keys, false).verify(files);
  }

  /** The current file and the rotated ones, oldest first. */
  private List<Path> files() throws Exception {
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

  static AuditRecord record(String requestId) {
    return new AuditRecord(
        Instant.now(),
        requestId,
        "GenerateRandom",
        "arn:aws:iam::111122223333:user/t",
        "111122223333",
        "AKIDTEST",
        "us-east-1",
        "127.0.0.1",
        List.of(),
        List.of(),
        List.of(),
        AuditRecord.SUCCESS,
        null,
        200,
        1);
  }
}
