package org.hsmkms.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audit records as JSON lines in a file, rotated by size: when the next record would take the file
 * past {@code maxFileBytes}, {@code audit.log} becomes {@code audit.log.1}, {@code .1} becomes
 * {@code .2} and so on; the oldest beyond {@code maxFiles} is deleted. The deletion runs on a
 * thread of its own, after a rename to {@code audit.log.expired}: freeing a file of 100 MB takes
 * the file system tens of milliseconds, during which no request could have been recorded.
 *
 * <p>Each record is one {@code write} of one complete line to a file opened for appending (mode
 * 600), optionally forced to disk ({@code fsync}). A failed write marks the trail unavailable until
 * a later write (which first reopens the file) succeeds.
 */
public final class FileAuditTrail implements AuditTrail {
  private static final Logger LOG = LoggerFactory.getLogger(FileAuditTrail.class);

  private final Path file;
  private final long maxFileBytes;
  private final int maxFiles;
  private final boolean fsync;
  private final boolean failClosed;
  private FileChannel channel;
  private long size;

  /** The last write failed; the channel is reopened before the next one. */
  private volatile boolean failing;

  private boolean closed;

  /** Deletes expired files away from the writers. */
  private final ExecutorService cleaner =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "hsm-kms-audit-cleaner");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param maxFiles how many rotated files to keep besides the current one (0: none)
   */
  public FileAuditTrail(
      Path file, long maxFileBytes, int maxFiles, boolean fsync, boolean failClosed) {
    if (maxFileBytes < 1024) {
      throw new IllegalArgumentException("audit.maxFileBytes must be at least 1024");
    }
    if (maxFiles < 0) {
      throw new IllegalArgumentException("audit.maxFiles must not be negative");
    }
    this.file = file.toAbsolutePath();
    this.maxFileBytes = maxFileBytes;
    this.maxFiles = maxFiles;
    this.fsync = fsync;
    this.failClosed = failClosed;
    try {
      open();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot open the audit trail " + this.file + ": " + e, e);
    }
    if (Files.exists(expired())) {
      deleteLater(expired());
    }
  }

  public Path file() {
    return file;
  }

  @Override
  public boolean failClosed() {
    return failClosed;
  }

  /**
   * False after a failed write, until a write succeeds again. Records of refused requests are still
   * written, so they are what notices that the trail works again.
   */
  @Override
  public boolean available() {
    return !failing;
  }

  @Override
  public void write(AuditRecord record) {
    // Encoded before the lock, so that writers wait for each other only while one writes.
    append(record.toJsonLine());
  }

  private synchronized void append(byte[] line) {
    if (closed) {
      throw new AuditException("the audit trail is closed", null);
    }
    try {
      if (failing || channel == null) {
        reopen();
      }
      if (size > 0 && size + line.length > maxFileBytes) {
        rotate();
      }
      ByteBuffer buf = ByteBuffer.wrap(line);
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
      if (fsync) {
        channel.force(false);
      }
      size += line.length;
      if (failing) {
        failing = false;
        LOG.warn("audit trail {} is writable again", file);
      }
    } catch (IOException | RuntimeException e) {
      if (!failing) {
        LOG.error("audit trail {}: a record could not be written: {}", file, e.toString());
      }
      failing = true;
      throw new AuditException("the audit record could not be written", e);
    }
  }

  private void open() throws IOException {
    Files.createDirectories(file.getParent());
    if (!Files.exists(file)) {
      try {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
      }
    }
    channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    size = channel.size();
  }

  private void reopen() throws IOException {
    closeChannel();
    open();
  }

  private void rotate() throws IOException {
    closeChannel();
    Path oldest = maxFiles == 0 ? file : rotated(maxFiles);
    boolean expires = Files.exists(oldest);
    if (expires) {
      // rename(2), which replaces an expired file not yet deleted in one step: a move that first
      // deletes the target would fail when the cleaner deletes it in between.
      Files.move(oldest, expired(), StandardCopyOption.ATOMIC_MOVE);
    }
    if (maxFiles > 0) {
      for (int i = maxFiles - 1; i >= 1; i--) {
        if (Files.exists(rotated(i))) {
          Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      Files.move(file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
    }
    open();
    if (expires) {
      deleteLater(expired());
    }
  }

  /** The name a file past {@code maxFiles} has until it is deleted. */
  private Path expired() {
    return file.resolveSibling(file.getFileName() + ".expired");
  }

  /**
   * Deletes {@code p} on the cleaner thread. Should a later rotation expire another file first, its
   * rename replaces (and so deletes) this one, and this deletion removes the later one: either way
   * both go.
   */
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

  private Path rotated(int n) {
    return file.resolveSibling(file.getFileName() + "." + n);
  }

  private void closeChannel() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        LOG.warn("audit trail {}: close failed: {}", file, e.toString());
      }
      channel = null;
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      closeChannel();
    }
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
