package org.hsmkms.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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
 * <p>Group commit: records are sealed into the chain in order under the lock and gathered in a
 * batch ({@link AuditBatch}), which the first writer to find no write in progress writes with one
 * {@code write} (and {@code fsync}: one force) outside the lock; each writer returns once the write
 * holding its line has returned. A failed write fails its batch and the one behind it, takes the
 * chain back, and marks the trail unavailable until a later write, which first reopens the file,
 * continues the chain from its last whole line and ends a cut line (docs/audit.md).
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
  private final TrailFile out;
  private Instant nextAgeCheck;

  /** The first line of the current segment while it is not written yet. */
  private AuditEvent segmentStart;

  /** The last write failed; the channel is reopened before the next one. */
  private volatile boolean failing;

  private boolean closed;

  /** Guards everything above but the settings; released only while a batch is written. */
  private final ReentrantLock lock = new ReentrantLock();

  /** Signalled when a write ends and when exclusive work ends (each batch has its own too). */
  private final Condition changed = lock.newCondition();

  /** Sealed lines gathering for the next write; null when none. */
  private AuditBatch gathering;

  /** A batch is being written (outside the lock). */
  private boolean writing;

  /** Rotation, reopening or a segment's first line in progress: nothing is sealed meanwhile. */
  private boolean exclusive;

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
    this(
        file, maxFileBytes, maxFiles, maxAgeDays, fsync, failClosed, keys, clock, TrailFile.APPEND);
  }

  FileAuditTrail(
      Path file,
      long maxFileBytes,
      int maxFiles,
      int maxAgeDays,
      boolean fsync,
      boolean failClosed,
      ChainKeys keys,
      Clock clock,
      TrailFile.Opener opener) {
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
    this.out = new TrailFile(this.file, opener);
    this.maxFileBytes = maxFileBytes;
    this.fsync = fsync;
    this.failClosed = failClosed;
    this.clock = clock;
    this.retention = new AuditRetention(this.file, maxFiles, maxAgeDays);
    try {
      out.open();
      TrailTail.Link last = TrailTail.last(this.file);
      if (last == null && out.size() == 0) {
        last = TrailTail.last(retention.rotated(1));
      }
      this.chain =
          new AuditChain(keys, last == null ? 0 : last.seq(), last == null ? null : last.mac());
      retention.deleteLeftovers();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot open the audit trail " + this.file + ": " + e, e);
    }
    lock.lock();
    try {
      segmentStart = chain.startSegment(clock.instant(), "start", null);
      nextAgeCheck = clock.instant();
      try {
        if (!out.endsWithNewline()) {
          // A crash cut the last line short: end it, so that the next line is whole.
          out.write(ByteBuffer.wrap(new byte[] {'\n'}), false);
        }
        writeSegmentStart();
      } catch (IOException e) {
        // Like a failed write: reported, and tried again before the next record.
        LOG.error("audit trail {}: cannot write: {}", this.file, e.toString());
        failing = true;
      }
    } finally {
      lock.unlock();
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

  private void append(byte[] body) {
    lock.lock();
    try {
      while (exclusive) {
        changed.awaitUninterruptibly();
      }
      if (closed) {
        throw new AuditException("the audit trail is closed", null);
      }
      AuditBatch mine;
      try {
        if (failing
            || !out.isOpen()
            || segmentStart != null
            || !clock.instant().isBefore(nextAgeCheck)
            || (out.size() > 0 && out.size() + body.length + 128 > maxFileBytes)) {
          exclusively(body.length);
        }
        mine = seal(body);
      } catch (IOException | RuntimeException e) {
        if (!failing) {
          LOG.error("audit trail {}: a record could not be written: {}", file, e.toString());
        }
        failing = true;
        throw new AuditException("the audit record could not be written", e);
      }
      while (!mine.done()) {
        if (!writing && gathering == mine) {
          writeGathered();
        } else {
          mine.changed().awaitUninterruptibly();
        }
      }
      if (mine.error() != null) {
        throw new AuditException("the audit record could not be written", mine.error());
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * What only one thread may do, with no write in progress and nothing gathered: reopening after a
   * failure, rotating, the segment's first line, retention by age. The caller holds the lock.
   */
  private void exclusively(int nextBytes) throws IOException {
    exclusive = true;
    try {
      drain();
      if (failing || !out.isOpen()) {
        reopen();
      }
      if (out.size() > 0 && out.size() + nextBytes + 128 > maxFileBytes) {
        rotate();
      }
      writeSegmentStart();
    } finally {
      exclusive = false;
      changed.signalAll();
    }
  }

  /** Waits for the write in progress and writes what is gathered; the caller holds the lock. */
  private void drain() {
    while (writing || gathering != null) {
      if (writing) {
        changed.awaitUninterruptibly();
      } else {
        writeGathered();
      }
    }
  }

  /** Seals one line into the gathering batch (the chain moves on at once). */
  private AuditBatch seal(byte[] body) {
    if (gathering == null) {
      gathering = new AuditBatch(chain.nextSeq(), chain.previousMac(), lock.newCondition());
    }
    byte[] tail = chain.seal(body);
    chain.commit();
    gathering.add(body, tail);
    out.grew(body.length + tail.length);
    return gathering;
  }

  /**
   * Takes the gathering batch and writes it with the lock released; then wakes its writers. The
   * caller holds the lock, finds no write in progress and something gathered.
   */
  private void writeGathered() {
    AuditBatch b = gathering;
    gathering = null;
    writing = true;
    FileChannel ch = out.channel();
    Exception error = null;
    lock.unlock();
    try {
      // One buffer, one write(2) of whole lines, and one force for all of them.
      TrailFile.writeFully(ch, ByteBuffer.wrap(b.bytes(), 0, b.length()), fsync);
    } catch (IOException | RuntimeException e) {
      error = e;
    } finally {
      lock.lock();
    }
    writing = false;
    if (error == null) {
      b.finish(null);
      if (failing) {
        failing = false;
        LOG.warn("audit trail {} is writable again", file);
      }
    } else {
      if (!failing) {
        LOG.error("audit trail {}: a record could not be written: {}", file, error.toString());
      }
      failing = true;
      b.finish(error);
      if (gathering != null) {
        // Chained on lines that are not on file.
        gathering.finish(error);
        gathering.changed().signalAll();
        gathering = null;
      }
      chain.continueFrom(b.firstSeq(), b.chainedOn());
    }
    // Its writers return; one writer of the batch gathered meanwhile, if any, writes it; and
    // whoever waits for exclusive work or a drain looks again.
    b.changed().signalAll();
    if (gathering != null) {
      gathering.changed().signal();
    }
    changed.signalAll();
  }

  /** Seals and writes one line; the caller holds the lock and handles failures. */
  private void appendUnchecked(byte[] body) throws IOException {
    byte[] tail = chain.seal(body);
    // One buffer, one write(2): the line is never split, and a heap buffer is copied once.
    out.write(ByteBuffer.allocate(body.length + tail.length).put(body).put(tail).flip(), fsync);
    chain.commit();
  }

  private void writeAll(List<AuditEvent> events) throws IOException {
    for (AuditEvent e : events) {
      appendUnchecked(e.jsonBody());
    }
  }

  /**
   * After a failed write: the file opened again, the chain continued from its last whole line if
   * lines of the failed write reached it, and a line the failure cut short ended.
   */
  private void reopen() throws IOException {
    out.close();
    out.open();
    TrailTail.Link last = TrailTail.last(file);
    if (last != null && last.seq() >= chain.nextSeq()) {
      chain.continueFrom(last.seq() + 1, last.mac());
    }
    if (!out.endsWithNewline()) {
      out.write(ByteBuffer.wrap(new byte[] {'\n'}), false);
    }
  }

  /** A new file, whose first line starts a new segment chained to the last line of the old one. */
  private void rotate() throws IOException {
    out.close();
    Instant now = clock.instant();
    List<AuditEvent> removals = retention.rotate(now);
    out.open();
    String previous =
        retention.keepsRotated() ? retention.rotated(1).getFileName().toString() : null;
    segmentStart = chain.startSegment(now, "rotation", previous);
    nextAgeCheck = now;
    writeSegmentStart();
    writeAll(removals);
  }

  /** Writes the closing line (a clean shutdown) and closes the file. */
  @Override
  public void close() {
    lock.lock();
    try {
      while (exclusive) {
        changed.awaitUninterruptibly();
      }
      drain();
      if (!closed) {
        try {
          if (out.isOpen() && !failing && segmentStart == null) {
            appendUnchecked(AuditEvent.of(clock.instant(), AuditEvent.CLOSE).jsonBody());
          }
        } catch (IOException | RuntimeException e) {
          LOG.error(
              "audit trail {}: the closing record could not be written: {}", file, e.toString());
        }
      }
      closed = true;
      out.close();
    } finally {
      lock.unlock();
    }
    retention.close();
  }
}
