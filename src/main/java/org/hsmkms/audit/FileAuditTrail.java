package org.hsmkms.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audit records as JSON lines in a file, chained and rotated.
 *
 * <p>Chained: every line carries a sequence number and a MAC over the previous line's MAC and
 * itself ({@link AuditChain}), under a key per segment that the HSM derives ({@link ChainKeys}). A
 * segment begins with each file and each start of the process; its first line ({@link
 * AuditEvent#SEGMENT_START}) names its id and the previous line's seq and MAC, so the chain runs on
 * across rotations and restarts. {@link #close} writes a {@link AuditEvent#CLOSE} line: a trail
 * that ends without one was cut short, or its writer crashed.
 *
 * <p>Rotated by size: when the next record would take the file past {@code maxFileBytes}, {@code
 * audit.log} becomes {@code audit.log.1}, {@code .1} becomes {@code .2} and so on. Rotated files
 * beyond {@code maxFiles} or older than {@code maxAgeDays} are removed, and each removal is written
 * into the trail ({@link AuditRetention}).
 *
 * <p>Each record is one {@code write} of one complete line to a file opened for appending (mode
 * 600), optionally forced to disk ({@code fsync}). A failed write marks the trail unavailable until
 * a later write (which first reopens the file) succeeds.
 */
public final class FileAuditTrail implements AuditTrail {
  private static final Logger LOG = LoggerFactory.getLogger(FileAuditTrail.class);

  /** How often rotated files are checked for age besides at rotations. */
  private static final Duration AGE_CHECK = Duration.ofMinutes(10);

  private final Path file;
  private final long maxFileBytes;
  private final boolean fsync;
  private final boolean failClosed;
  private final Clock clock;
  private final AuditRetention retention;
  private final AuditChain chain;
  private FileChannel channel;
  private long size;
  private Instant nextAgeCheck;

  /** The first line of the current segment while it is not written yet. */
  private AuditEvent segmentStart;

  /** The last write failed; the channel is reopened before the next one. */
  private volatile boolean failing;

  private boolean closed;

  /**
   * Opens the file and continues the chain from its last line (or the last rotated file's).
   *
   * @param maxFiles how many rotated files to keep besides the current one (0: none)
   * @param maxAgeDays rotated files last written longer ago are removed; 0: no limit by age
   */
  public FileAuditTrail(
      Path file,
      long maxFileBytes,
      int maxFiles,
      int maxAgeDays,
      boolean fsync,
      boolean failClosed,
      ChainKeys keys,
      Clock clock) {
    if (maxFileBytes < 1024) {
      throw new IllegalArgumentException("audit.maxFileBytes must be at least 1024");
    }
    if (maxFiles < 0) {
      throw new IllegalArgumentException("audit.maxFiles must not be negative");
    }
    if (maxAgeDays < 0) {
      throw new IllegalArgumentException("audit.maxAgeDays must not be negative");
    }
    this.file = file.toAbsolutePath();
    this.maxFileBytes = maxFileBytes;
    this.fsync = fsync;
    this.failClosed = failClosed;
    this.clock = clock;
    this.retention = new AuditRetention(this.file, maxFiles, maxAgeDays);
    try {
      open();
      TrailTail.Link last = TrailTail.last(this.file);
      if (last == null && size == 0) {
        last = TrailTail.last(retention.rotated(1));
      }
      this.chain =
          new AuditChain(keys, last == null ? 0 : last.seq(), last == null ? null : last.mac());
      retention.deleteLeftovers();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot open the audit trail " + this.file + ": " + e, e);
    }
    synchronized (this) {
      segmentStart = chain.startSegment(clock.instant(), "start", null);
      nextAgeCheck = clock.instant();
      try {
        if (size > 0 && !endsWithNewline()) {
          // A crash cut the last line short: end it, so that the next line is whole.
          appendRaw(new byte[] {'\n'});
        }
        writeSegmentStart();
      } catch (IOException e) {
        // Like a failed write: reported, and tried again before the next record.
        LOG.error("audit trail {}: cannot write: {}", this.file, e.toString());
        failing = true;
      }
    }
  }

  /** The pending first line of the segment, if not written yet; then retention by age. */
  private void writeSegmentStart() throws IOException {
    if (segmentStart != null) {
      appendUnchecked(segmentStart.jsonBody());
      segmentStart = null;
    }
    if (!clock.instant().isBefore(nextAgeCheck)) {
      nextAgeCheck = clock.instant().plus(AGE_CHECK);
      writeAll(retention.expireByAge(clock.instant()));
    }
  }

  public Path file() {
    return file;
  }

  /** How many rotated files retention removed since the start (each also written as an event). */
  @Override
  public long filesRemoved() {
    return retention.removed();
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
    append(record.jsonBody());
  }

  @Override
  public void write(AuditEvent event) {
    append(event.jsonBody());
  }

  private synchronized void append(byte[] body) {
    if (closed) {
      throw new AuditException("the audit trail is closed", null);
    }
    try {
      if (failing || channel == null) {
        reopen();
      }
      if (size > 0 && size + body.length + 128 > maxFileBytes) {
        rotate();
      }
      writeSegmentStart();
      appendUnchecked(body);
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

  /** Seals and writes one line; the caller holds the lock and handles failures. */
  private void appendUnchecked(byte[] body) throws IOException {
    byte[] tail = chain.seal(body);
    // One buffer, one write(2): the line is never split, and a heap buffer is copied once.
    ByteBuffer line = ByteBuffer.allocate(body.length + tail.length).put(body).put(tail).flip();
    int n = line.remaining();
    while (line.hasRemaining()) {
      channel.write(line);
    }
    if (fsync) {
      channel.force(false);
    }
    chain.commit();
    size += n;
  }

  private void appendRaw(byte[] bytes) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
    size += bytes.length;
  }

  private void writeAll(List<AuditEvent> events) throws IOException {
    for (AuditEvent e : events) {
      appendUnchecked(e.jsonBody());
    }
  }

  private boolean endsWithNewline() throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer last = ByteBuffer.allocate(1);
      ch.read(last, ch.size() - 1);
      return last.get(0) == '\n';
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

  /** A new file, whose first line starts a new segment chained to the last line of the old one. */
  private void rotate() throws IOException {
    closeChannel();
    Instant now = clock.instant();
    List<AuditEvent> removals = retention.rotate(now);
    open();
    String previous =
        retention.keepsRotated() ? retention.rotated(1).getFileName().toString() : null;
    segmentStart = chain.startSegment(now, "rotation", previous);
    nextAgeCheck = now;
    writeSegmentStart();
    writeAll(removals);
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

  /** Writes the closing line (a clean shutdown) and closes the file. */
  @Override
  public void close() {
    synchronized (this) {
      if (!closed) {
        try {
          if (channel != null && !failing && segmentStart == null) {
            appendUnchecked(AuditEvent.of(clock.instant(), AuditEvent.CLOSE).jsonBody());
          }
        } catch (IOException | RuntimeException e) {
          LOG.error(
              "audit trail {}: the closing record could not be written: {}", file, e.toString());
        }
      }
      closed = true;
      closeChannel();
    }
    retention.close();
  }
}
