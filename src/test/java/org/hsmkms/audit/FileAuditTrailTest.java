package org.hsmkms.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.hsmkms.testing.Prerequisites;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The audit file: one valid JSON line per record, rotation by size, failure reporting. */
class FileAuditTrailTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SoftwareChainKeys KEYS = new SoftwareChainKeys();

  @Test
  void record_isOneLineOfJson_withEveryFieldAlwaysPresent() throws Exception {
    AuditRecord r =
        new AuditRecord(
            Instant.parse("2025-01-02T03:04:05.678Z"),
            "rid",
            "Encrypt",
            null,
            null,
            null,
            null,
            "10.0.0.1",
            List.of(),
            List.of("a\"b\nc"),
            List.of(),
            AuditRecord.FAILURE,
            "MissingAuthenticationTokenException",
            400,
            3);

    String line = r.toJson();
    JsonNode n = JSON.readTree(line);

    assertFalse(line.contains("\n"));
    assertEquals(
        List.of(
            "version",
            "time",
            "requestId",
            "operation",
            "principal",
            "account",
            "accessKeyId",
            "region",
            "sourceAddress",
            "keyArns",
            "encryptionContextKeys",
            "authorization",
            "outcome",
            "errorCode",
            "httpStatus",
            "latencyMs",
            "encryptionContextKeysOmitted"),
        fieldNames(n));
    assertEquals("2025-01-02T03:04:05.678Z", n.get("time").asText());
    assertTrue(n.get("principal").isNull());
    assertEquals("a\"b\nc", n.get("encryptionContextKeys").get(0).asText());
    assertEquals(400, n.get("httpStatus").asInt());
  }

  @Test
  void records_areAppendedAsLines_inAFileOnlyTheOwnerCanRead(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.log");
    try (FileAuditTrail trail = KEYS.trail(file, 1 << 20, 3, true, true)) {
      trail.write(record("r1"));
      trail.write(record("r2"));
    }
    try (FileAuditTrail trail = KEYS.trail(file, 1 << 20, 3, false, true)) {
      trail.write(record("r3"));
    }

    List<String> lines = requests(file);
    assertEquals(3, lines.size());
    assertEquals("r3", JSON.readTree(lines.get(2)).get("requestId").asText());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
  }

  @Test
  void fullFile_isRotated_keepingMaxFilesOldOnes_andNoRecordIsSplit(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("audit.log");
    try (FileAuditTrail trail = KEYS.trail(file, 4096, 2, false, true)) {
      for (int i = 0; i < 40; i++) {
        trail.write(record("request-" + i));
      }
    }

    assertTrue(Files.exists(dir.resolve("audit.log.1")));
    assertTrue(Files.exists(dir.resolve("audit.log.2")));
    assertFalse(Files.exists(dir.resolve("audit.log.3")));
    assertFalse(Files.exists(dir.resolve("audit.log.expired")), "expired files are deleted");
    List<String> ids = new ArrayList<>();
    for (String name : List.of("audit.log.2", "audit.log.1", "audit.log")) {
      Path p = dir.resolve(name);
      assertTrue(Files.size(p) <= 4096, name + " has " + Files.size(p) + " bytes");
      for (String line : requests(p)) {
        ids.add(JSON.readTree(line).get("requestId").asText());
      }
    }
    assertEquals("request-39", ids.get(ids.size() - 1), "newest last");
    for (int i = 1; i < ids.size(); i++) {
      int prev = Integer.parseInt(ids.get(i - 1).substring(8));
      assertEquals(prev + 1, Integer.parseInt(ids.get(i).substring(8)), "contiguous: " + ids);
    }
  }

  @Test
  void withNoOldFilesKept_rotationLeavesOnlyTheCurrentFile_andALeftoverExpiredFileGoes(
      @TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.log");
    Files.writeString(dir.resolve("audit.log.expired"), "left by a crash during a rotation\n");
    try (FileAuditTrail trail = KEYS.trail(file, 4096, 0, false, true)) {
      for (int i = 0; i < 20; i++) {
        trail.write(record("request-" + i));
      }
    }

    try (var files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList());
    }
    List<String> lines = requests(file);
    assertFalse(lines.isEmpty());
    assertEquals(
        "request-19", JSON.readTree(lines.get(lines.size() - 1)).get("requestId").asText());
  }

  @Test
  void trailThatCannotWrite_isUnavailableFromItsFirstLine_andItsWritesThrow() {
    Path full = Path.of("/dev/full");
    Prerequisites.require(Files.isWritable(full), Prerequisites.DEV_FULL);
    FileAuditTrail trail = KEYS.trail(full, 1 << 20, 0, false, true);

    assertFalse(trail.available(), "the segment's first line could not be written");
    assertThrows(AuditException.class, () -> trail.write(record("r1")));
    assertFalse(trail.available());
    assertTrue(trail.failClosed());
    trail.close();
  }

  /**
   * Group commit: writers on many threads share writes (with fsync, one force serves a batch), and
   * every record is on file, once, in a chain that verifies.
   */
  @Test
  void concurrentRecords_shareWrites_andTheChainVerifies(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.log");
    FaultyChannel.Faults faults = new FaultyChannel.Faults();
    int threads = 16;
    int each = 200;
    try (FileAuditTrail trail = trail(file, faults, true)) {
      faults.writes.set(0);
      writeConcurrently(trail, threads, each);
      assertTrue(
          faults.writes.get() < threads * each,
          faults.writes.get() + " writes for " + threads * each + " records");
      assertTrue(trail.available());
    }

    List<String> lines = requests(file);
    assertEquals(threads * each, lines.size());
    assertEquals(threads * each, lines.stream().distinct().count());
    assertTrue(new AuditVerifier(KEYS, false).verify(List.of(file)).ok());
  }

  /**
   * With fsync, a record written with a completion returns before its write; each completion is
   * told once, without error, after the write that holds its line; the writes are shared and the
   * chain verifies.
   */
  @Test
  void recordsWithCompletions_areToldOnceEach_andShareForces(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.log");
    FaultyChannel.Faults faults = new FaultyChannel.Faults();
    int threads = 8;
    int each = 200;
    ConcurrentHashMap<String, Integer> told = new ConcurrentHashMap<>();
    AtomicInteger errors = new AtomicInteger();
    try (FileAuditTrail trail = trail(file, faults, true)) {
      faults.writes.set(0);
      writeConcurrently(
          threads,
          each,
          requestId ->
              trail.write(
                  record(requestId),
                  e -> {
                    if (e != null) {
                      errors.incrementAndGet();
                    }
                    told.merge(requestId, 1, Integer::sum);
                  }));
      // Every write call has returned: the last writer wrote whatever had gathered.
      assertEquals(threads * each, told.size());
      assertTrue(told.values().stream().allMatch(n -> n == 1), "each told once");
      assertEquals(0, errors.get());
      assertTrue(faults.writes.get() < threads * each, faults.writes.get() + " writes");
    }

    assertEquals(threads * each, requests(file).size());
    assertTrue(new AuditVerifier(KEYS, false).verify(List.of(file)).ok());
  }

  /** A completion of a record whose write failed is told the failure; the trail then recovers. */
  @Test
  void completionOfAFailedWrite_isToldTheFailure(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.log");
    FaultyChannel.Faults faults = new FaultyChannel.Faults();
    List<String> outcomes = new ArrayList<>();
    try (FileAuditTrail trail = trail(file, faults, true)) {
      trail.write(record("r1"), e -> outcomes.add("r1 " + (e == null)));
      faults.failNext(0);
      trail.write(record("r2"), e -> outcomes.add("r2 " + (e == null)));
      trail.write(record("r3"), e -> outcomes.add("r3 " + (e == null)));
    }

    assertEquals(List.of("r1 true", "r2 false", "r3 true"), outcomes);
    assertEquals(List.of("r1", "r3"), requestIds(file));
    assertTrue(new AuditVerifier(KEYS, false).verify(List.of(file)).ok());
  }

  /**
   * Rotations while many threads write: each waits for the writes in progress and the lines
   * gathered, so every record is in exactly one file, whole, and the chain verifies across all the
   * files in order.
   */
  @Test
  void rotationsUnderConcurrentRecords_keepEveryRecordOnce_andTheChainWhole(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("audit.log");
    int threads = 8;
    int each = 300;
    try (FileAuditTrail trail =
        new FileAuditTrail(file, 64 * 1024, 100, 0, false, true, KEYS, Clock.systemUTC())) {
      writeConcurrently(trail, threads, each);
    }

    List<Path> files = new ArrayList<>();
    for (int i = 100; i >= 1; i--) {
      Path rotated = dir.resolve("audit.log." + i);
      if (Files.exists(rotated)) {
        files.add(rotated);
      }
    }
    files.add(file);
    assertTrue(files.size() > 5, "rotated " + (files.size() - 1) + " times");
    List<String> ids = new ArrayList<>();
    for (Path f : files) {
      assertTrue(Files.size(f) <= 64 * 1024, f + " has " + Files.size(f) + " bytes");
      ids.addAll(requestIds(f));
    }
    assertEquals(threads * each, ids.size());
    assertEquals(threads * each, ids.stream().distinct().count());
    AuditVerifier.Report report = new AuditVerifier(KEYS, false).verify(files);
    assertTrue(report.ok(), report.breaks().toString());
  }

  /**
   * A failed write fails its record and marks the trail unavailable; the next write reopens the
   * file, succeeds, and the chain runs on unbroken. If nothing of the failed write reached the
   * file, the chain runs on past the record that was not written; if its line reached the file
   * whole (the failure came after it), the chain continues after that line: no sequence number is
   * used twice, and the trail verifies either way.
   */
  @ParameterizedTest
  @CsvSource({"0, 'r1,r3'", "-1, 'r1,r2,r3'"})
  void failedWrite_failsItsRecord_andTheChainRunsOn(
      int bytesWritten, String onFile, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.log");
    FaultyChannel.Faults faults = new FaultyChannel.Faults();
    try (FileAuditTrail trail = trail(file, faults, false)) {
      trail.write(record("r1"));
      faults.failNext(bytesWritten);
      assertThrows(AuditException.class, () -> trail.write(record("r2")));
      assertFalse(trail.available());
      trail.write(record("r3"));
      assertTrue(trail.available());
    }

    assertEquals(List.of(onFile.split(",")), requestIds(file));
    AuditVerifier.Report report = new AuditVerifier(KEYS, false).verify(List.of(file));
    assertTrue(report.ok(), report.breaks().toString());
  }

  /**
   * A write cut short leaves part of a line: the next write ends it first, so that the lines after
   * it are whole and chained on the last whole line; the verifier names the one cut line.
   */
  @Test
  void writeCutShort_theNextLinesAreWholeAndChained(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("audit.log");
    FaultyChannel.Faults faults = new FaultyChannel.Faults();
    try (FileAuditTrail trail = trail(file, faults, false)) {
      trail.write(record("r1"));
      faults.failNext(40);
      assertThrows(AuditException.class, () -> trail.write(record("r2")));
      trail.write(record("r3"));
      trail.write(record("r4"));
    }

    List<String> all = Files.readAllLines(file);
    assertTrue(all.stream().anyMatch(l -> l.length() == 40), "the cut line, ended: " + all);
    assertEquals(
        List.of("r1", "r3", "r4"),
        all.stream()
            .filter(l -> l.length() != 40)
            .map(FileAuditTrailTest::requestId)
            .filter(id -> id != null)
            .toList());
    AuditVerifier.Report report = new AuditVerifier(KEYS, false).verify(List.of(file));
    assertEquals(1, report.breaks().size(), report.breaks().toString());
  }

  /** {@code threads} threads, each writing {@code each} records ("t<thread>-<i>"), joined. */
  private static void writeConcurrently(FileAuditTrail trail, int threads, int each)
      throws InterruptedException {
    writeConcurrently(threads, each, requestId -> trail.write(record(requestId)));
  }

  /** {@code threads} threads, each calling {@code write} for {@code each} request ids, joined. */
  private static void writeConcurrently(int threads, int each, Consumer<String> write)
      throws InterruptedException {
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread w =
          new Thread(
              () -> {
                for (int i = 0; i < each; i++) {
                  write.accept("t" + id + "-" + i);
                }
              });
      w.start();
      writers.add(w);
    }
    for (Thread w : writers) {
      w.join();
    }
  }

  private static FileAuditTrail trail(Path file, FaultyChannel.Faults faults, boolean fsync) {
    return new FileAuditTrail(
        file, 1 << 24, 2, 0, fsync, true, KEYS, Clock.systemUTC(), faults.opener());
  }

  private static List<String> requestIds(Path file) throws Exception {
    return requests(file).stream().map(FileAuditTrailTest::requestId).toList();
  }

  private static String requestId(String line) {
    try {
      JsonNode n = JSON.readTree(line);
      return n.has("requestId") ? n.get("requestId").asText() : null;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static AuditRecord record(String requestId) {
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
        List.of("kms:GenerateRandom on *: allowed by identity policy statement \"Statement[0]\""),
        AuditRecord.SUCCESS,
        null,
        200,
        1);
  }

  /** The lines of request records (not events) of {@code file}. */
  static List<String> requests(Path file) throws Exception {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (!JSON.readTree(line).has("event")) {
        out.add(line);
      }
    }
    return out;
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> names = new ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
