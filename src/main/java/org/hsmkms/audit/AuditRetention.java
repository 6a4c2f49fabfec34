package org.hsmkms.audit;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which rotated files of the trail go, by count ({@code maxFiles}) and by age ({@code maxAgeDays}),
 * and their removal: a removed file is first renamed {@code audit.log.expired-<n>} (one rename,
 * under the trail's lock) and then deleted on a thread of its own, since freeing a file of 100 MB
 * takes the file system tens of milliseconds in which no request could be recorded.
 *
 * <p>A removal is never silent: each is logged, counted ({@link #removed()}) and returned as a
 * {@link AuditEvent#FILE_REMOVED} event naming the file and the sequence range it held, which the
 * trail writes into the current file.
 */
final class AuditRetention {
  private static final Logger LOG = LoggerFactory.getLogger(AuditRetention.class);
  private static final String EXPIRED = ".expired";

  private final Path file;
  private final int maxFiles;

  /** Null: no limit by age. */
  private final Duration maxAge;

  private final AtomicLong removed = new AtomicLong();
  private long expiredNames;

  private final ExecutorService cleaner =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "hsm-kms-audit-cleaner");
            t.setDaemon(true);
            return t;
          });

  AuditRetention(Path file, int maxFiles, int maxAgeDays) {
    this.file = file;
    this.maxFiles = maxFiles;
    this.maxAge = maxAgeDays <= 0 ? null : Duration.ofDays(maxAgeDays);
  }

  /** How many rotated files were removed since the start. */
  long removed() {
    return removed.get();
  }

  /** Whether rotated files are kept at all ({@code maxFiles > 0}). */
  boolean keepsRotated() {
    return maxFiles > 0;
  }

  /** Rotated file number {@code n} ({@code audit.log.n}). */
  Path rotated(int n) {
    return file.resolveSibling(file.getFileName() + "." + n);
  }

  /** Deletes what a crash left renamed but not deleted. */
  void deleteLeftovers() throws IOException {
    try (DirectoryStream<Path> dir =
        Files.newDirectoryStream(file.getParent(), file.getFileName() + EXPIRED + "*")) {
      for (Path p : dir) {
        deleteLater(p);
      }
    }
  }

  /**
   * Rotates: {@code audit.log.N} becomes {@code .N+1}, the current file {@code .1}; the one beyond
   * {@code maxFiles} is removed. Returns the removal events. The caller has closed the file.
   */
  List<AuditEvent> rotate(Instant now) throws IOException {
    List<AuditEvent> events = new ArrayList<>();
    Path oldest = maxFiles == 0 ? file : rotated(maxFiles);
    if (Files.exists(oldest)) {
      events.add(remove(oldest, "maxFiles", now));
    }
    if (maxFiles > 0) {
      for (int i = maxFiles - 1; i >= 1; i--) {
        if (Files.exists(rotated(i))) {
          Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      Files.move(file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
    }
    return events;
  }

  /** Removes the rotated files last written before {@code now - maxAgeDays}; returns the events. */
  List<AuditEvent> expireByAge(Instant now) throws IOException {
    List<AuditEvent> events = new ArrayList<>();
    if (maxAge == null) {
      return events;
    }
    Instant limit = now.minus(maxAge);
    for (int i = maxFiles; i >= 1; i--) {
      Path p = rotated(i);
      if (Files.exists(p) && Files.getLastModifiedTime(p).toInstant().isBefore(limit)) {
        events.add(remove(p, "maxAgeDays", now));
      }
    }
    return events;
  }

  private AuditEvent remove(Path p, String reason, Instant now) throws IOException {
    TrailTail.Link first = TrailTail.first(p);
    TrailTail.Link last = TrailTail.last(p);
    Instant modified = Files.getLastModifiedTime(p).toInstant();
    Path expired = file.resolveSibling(file.getFileName() + EXPIRED + "-" + (++expiredNames));
    Files.move(p, expired, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    deleteLater(expired);
    removed.incrementAndGet();
    LOG.warn(
        "audit trail {}: removed {} ({}; seq {}..{}, last written {})",
        file,
        p.getFileName(),
        reason,
        first == null ? "?" : first.seq(),
        last == null ? "?" : last.seq(),
        modified);
    return AuditEvent.of(now, AuditEvent.FILE_REMOVED)
        .with("file", p.getFileName().toString())
        .with("reason", reason)
        .with("firstSeq", first == null ? null : first.seq())
        .with("lastSeq", last == null ? null : last.seq())
        .with("lastModified", modified);
  }

  private void deleteLater(Path p) {
    cleaner.execute(
        () -> {
          try {
            Files.deleteIfExists(p);
          } catch (IOException e) {
            LOG.warn("audit trail {}: {} could not be deleted: {}", file, p, e.toString());
          }
        });
  }

  void close() {
    cleaner.shutdown();
    try {
      if (!cleaner.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("audit trail {}: expired files are still being deleted", file);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
