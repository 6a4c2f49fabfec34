package org.hsmkms.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hsmkms.bench.BenchReport.ServerMemory;

/**
 * Samples the resident memory of a local process (Linux {@code /proc/PID/status}, {@code VmRSS})
 * every 200 ms on a daemon thread, keeping the largest value.
 */
final class MemorySampler implements AutoCloseable {
  private final long pid;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long maxKib;
  private volatile long lastKib;
  private volatile int samples;

  private MemorySampler(long pid) {
    this.pid = pid;
    this.thread = new Thread(this::loop, "bench-memory-sampler");
    this.thread.setDaemon(true);
  }

  /** Starts sampling; fails at once if the process cannot be read. */
  static MemorySampler start(long pid) throws IOException {
    MemorySampler s = new MemorySampler(pid);
    s.sample();
    s.thread.start();
    return s;
  }

  private void loop() {
    while (running) {
      try {
        sample();
        Thread.sleep(200);
      } catch (IOException e) {
        return; // the process has gone
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void sample() throws IOException {
    long kib = rssKib(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    lastKib = kib;
    maxKib = Math.max(maxKib, kib);
    samples++;
  }

  /** The VmRSS line of a /proc status file, in KiB. */
  static long rssKib(String status) throws IOException {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
      }
    }
    throw new IOException("no VmRSS in the process status");
  }

  ServerMemory result() {
    return new ServerMemory(pid, samples, round(maxKib / 1024.0), round(lastKib / 1024.0));
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
