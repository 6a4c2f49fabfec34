package org.hsmkms.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
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
 * holding its line has returned (with {@code fsync}, {@link #write(AuditRecord, Consumer)} returns
 * at once and the batch's writer tells it instead). A failed write fails its batch and the one
 * behind it, takes the chain back, and marks the trail unavailable until a later write, which first
 * reopens the file, continues the chain from its last whole line and ends a cut line
 * (docs/audit.md).
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

  /** The lock (guards everything above but the settings) and the batches. */
  private final GroupCommit commits;

  private final ReentrantLock lock;

  /** Signalled when exclusive work ends. */
  private final Condition changed;

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
    this.commits = new GroupCommit(out, chain, fsync, new Outcomes());
    this.lock = commits.lock();
    this.changed = commits.newCondition();
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

  /**
   * With {@code fsync}, returns once the record is sealed into a batch, and {@code done} is told by
   * the thread that writes the batch, after the force: the caller's thread (a worker) is free for
   * other requests meanwhile, so that a force serves as many records as requests are in flight, not
   * only one per worker. The caller that finds no write in progress writes, and goes on writing
   * what gathers meanwhile. Without {@code fsync}, as {@link #write(AuditRecord)}.
   */
  @Override
  public void write(AuditRecord record, Consumer<AuditException> done) {
    if (!fsync) {
      AuditTrail.super.write(record, done);
      return;
    }
    byte[] body = record.jsonBody();
    AuditException refused = null;
    lock.lock();
    try {
      sealed(body).whenWritten(done);
      commits.writePending(false);
    } catch (AuditException e) {
      refused = e;
    } finally {
      lock.unlock();
    }
    if (refused != null) {
      done.accept(refused);
    }
  }

  private void append(byte[] body) {
    lock.lock();
    try {
      AuditBatch mine = sealed(body);
      commits.await(mine);
      if (mine.error() != null) {
        throw new AuditException("the audit record could not be written", mine.error());
      }
    } finally {
      lock.unlock();
    }
  }

  /** Sealed into the gathering batch, after any exclusive work due; the caller holds the lock. */
  private AuditBatch sealed(byte[] body) {
    while (exclusive) {
      changed.awaitUninterruptibly();
    }
    if (closed) {
      throw new AuditException("the audit trail is closed", null);
    }
    try {
      if (failing
          || !out.isOpen()
          || segmentStart != null
          || !clock.instant().isBefore(nextAgeCheck)
          || (out.size() > 0 && out.size() + body.length + 128 > maxFileBytes)) {
        exclusively(body.length);
      }
      return commits.seal(body);
    } catch (IOException | RuntimeException e) {
      if (!failing) {
        LOG.error("audit trail {}: a record could not be written: {}", file, e.toString());
      }
      failing = true;
      throw new AuditException("the audit record could not be written", e);
    }
  }

  /**
   * What only one thread may do, with no write in progress and nothing gathered: reopening after a
   * failure, rotating, the segment's first line, retention by age. The caller holds the lock.
   */
  private void exclusively(int nextBytes) throws IOException {
    exclusive = true;
    try {
      commits.drain();
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

  /** A write's outcome: the trail is writable again, or it fails until reopened. */
  private final class Outcomes implements GroupCommit.Outcomes {
    @Override
    public void written() {
      if (failing) {
        failing = false;
        LOG.warn("audit trail {} is writable again", file);
      }
    }

    @Override
    public void failed(Exception e) {
      if (!failing) {
        LOG.error("audit trail {}: a record could not be written: {}", file, e.toString());
      }
      failing = true;
    }
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
      commits.drain();
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
