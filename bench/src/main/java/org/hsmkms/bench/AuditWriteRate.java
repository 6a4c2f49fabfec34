package org.hsmkms.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import org.hsmkms.audit.AuditRecord;
import org.hsmkms.audit.FileAuditTrail;

/**
 * How many audit records a second the trail takes from several threads at once, as the service's
 * workers write them (each thread waits until its record is on file), with and without {@code
 * fsync}, and the CPU each record costs. Only the trail's public API, so that it also runs against
 * an older build of the service put first on the class path: {@code java -cp
 * OLD/target/hsm-kms.jar:bench/target/hsm-kms-bench.jar org.hsmkms.bench.AuditWriteRate [threads]
 * [seconds] [fsync] [dir]}.
 */
public final class AuditWriteRate {
  private AuditWriteRate() {}

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    long seconds = args.length > 1 ? Long.parseLong(args[1]) : 5;
    boolean fsync = args.length > 2 && Boolean.parseBoolean(args[2]);
    Path parent =
        args.length > 3 ? Path.of(args[3]) : Path.of(System.getProperty("java.io.tmpdir"));
    Path dir = Files.createTempDirectory(parent, "hsm-kms-audit-rate");
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    try (FileAuditTrail trail =
        new FileAuditTrail(
            dir.resolve("audit.log"),
            1L << 30,
            1,
            0,
            fsync,
            true,
            new MemoryChainKeys(),
            Clock.systemUTC())) {
      run(trail, threads, 1, cpu); // warm-up
      double[] r = run(trail, threads, seconds, cpu);
      System.out.printf(
          Locale.ROOT,
          "audit trail, %d threads, fsync %s: %.0f records/s, %.2f us of CPU per record%n",
          threads,
          fsync,
          r[0],
          r[1]);
    } finally {
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  /** Records a second and CPU microseconds per record over {@code seconds}. */
  private static double[] run(FileAuditTrail trail, int threads, long seconds, ThreadMXBean cpu)
      throws InterruptedException {
    LongAdder records = new LongAdder();
    LongAdder cpuNanos = new LongAdder();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Thread> writers = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      Thread w =
          new Thread(
              () -> {
                long c = cpu.getCurrentThreadCpuTime();
                long n = 0;
                while (System.nanoTime() < end) {
                  trail.write(record(n++));
                }
                records.add(n);
                cpuNanos.add(cpu.getCurrentThreadCpuTime() - c);
              });
      w.start();
      writers.add(w);
    }
    for (Thread w : writers) {
      w.join();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    long n = records.sum();
    return new double[] {n / elapsed, cpuNanos.sum() / 1000.0 / n};
  }

  private static AuditRecord record(long n) {
    return new AuditRecord(
        Instant.now(),
        "00000000-0000-4000-8000-" + String.format(Locale.ROOT, "%012d", n),
        "GenerateDataKey",
        "arn:aws:iam::111122223333:user/bench-app",
        "111122223333",
        "AKIDAUDITRATE0000001",
        "us-east-1",
        "127.0.0.1",
        List.of("arn:aws:kms:us-east-1:111122223333:key/8a1c1f2e-6b7d-4c3e-9f10-1234567890ab"),
        List.of("purpose"),
        List.of("kms:GenerateDataKey allowed by key policy statement \"app\""),
        AuditRecord.SUCCESS,
        null,
        200,
        0);
  }
}
