package org.hsmkms.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The CPU time of a local process (Linux {@code /proc/PID/stat}), to wait until a server has
 * finished the work a previous phase left it (a data key pair pool refilling with RSA-4096 pairs
 * keeps a core busy for many seconds after the requests stop) before measuring the next.
 */
final class ProcessCpu {
  /** Clock ticks a second of {@code /proc/PID/stat}: 100 on every Linux this runs on. */
  private static final double TICKS_PER_SECOND = 100;

  private ProcessCpu() {}

  /** User plus system CPU seconds the process has used so far. */
  static double seconds(long pid) throws IOException {
    return parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
  }

  /** Fields 14 and 15 (utime, stime) of a stat line, whose second field may hold spaces. */
  static double parse(String stat) throws IOException {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      throw new IOException("not a /proc/PID/stat line");
    }
    String[] f = stat.substring(close + 2).trim().split("\\s+");
    // After "pid (comm) ", field 3 (state) is f[0]: utime (14) is f[11], stime (15) is f[12].
    if (f.length < 13) {
      throw new IOException("short /proc/PID/stat line");
    }
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
  }

  /**
   * Waits until the process uses less than {@code cores} of CPU over a second, or {@code max} has
   * passed; returns the seconds waited. A process that cannot be read is not waited for.
   */
  static double awaitQuiet(long pid, double cores, Duration max) {
    long start = System.nanoTime();
    long deadline = start + max.toNanos();
    try {
      double before = seconds(pid);
      while (System.nanoTime() < deadline) {
        Thread.sleep(1000);
        double now = seconds(pid);
        if (now - before < cores) {
          break;
        }
        before = now;
      }
    } catch (IOException e) {
      // gone or not Linux: nothing to wait for
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Math.round((System.nanoTime() - start) / 1e8) / 10.0;
  }
}
