package org.hsmkms.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The trail's lock and its batches ({@link FileAuditTrail}): lines are sealed into the chain in
 * order under the lock and gathered in a batch; one thread at a time writes the gathered batch with
 * one {@code write} (and one force with {@code fsync}) outside the lock, while the next lines
 * gather. A thread that waits for its line writes its batch itself when no write is in progress;
 * completions of lines whose threads went on are told by whichever thread wrote them.
 *
 * <p>A failed write fails its batch and the one gathered behind it (chained on lines that are not
 * on file) and takes the chain back to the point before them; the trail is told, to reopen its file
 * before the next line.
 */
final class GroupCommit {

  /** What the trail does when a write succeeds or fails (under the lock). */
  interface Outcomes {
    void written();

    void failed(Exception e);
  }

  private final ReentrantLock lock = new ReentrantLock();

  /** Signalled when a write ends (each batch has a condition of its own too). */
  private final Condition writeEnded = lock.newCondition();

  private final TrailFile out;
  private final AuditChain chain;
  private final boolean fsync;
  private final Outcomes outcomes;

  /** Sealed lines gathering for the next write; null when none. */
  private AuditBatch gathering;

  /** A batch is being written (outside the lock). */
  private boolean writing;

  GroupCommit(TrailFile out, AuditChain chain, boolean fsync, Outcomes outcomes) {
    this.out = out;
    this.chain = chain;
    this.fsync = fsync;
    this.outcomes = outcomes;
  }

  ReentrantLock lock() {
    return lock;
  }

  /** A condition of the lock, for the trail's own waits. */
  Condition newCondition() {
    return lock.newCondition();
  }

  /** Seals one line into the gathering batch (the chain moves on at once); under the lock. */
  AuditBatch seal(byte[] body) {
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
   * Waits until {@code mine} is written or failed, writing it when no write is in progress, then
   * writes what no thread waits for; under the lock.
   */
  void await(AuditBatch mine) {
    mine.waitedFor(true);
    while (!mine.done()) {
      if (!writing && gathering == mine) {
        writeGathered();
      } else {
        mine.changed().awaitUninterruptibly();
      }
    }
    writePending(true);
  }

  /**
   * Writes what is gathered while no write is in progress: everything ({@code onlyUnwaited} false),
   * or only batches that no thread waits for (a waiting thread then writes its own); under the
   * lock.
   */
  void writePending(boolean onlyUnwaited) {
    while (!writing && gathering != null && !(onlyUnwaited && gathering.waitedFor())) {
      writeGathered();
    }
  }

  /** Waits for the write in progress and writes what is gathered; under the lock. */
  void drain() {
    while (writing || gathering != null) {
      if (writing) {
        writeEnded.awaitUninterruptibly();
      } else {
        writeGathered();
      }
    }
  }

  /**
   * Takes the gathering batch and writes it with the lock released; then wakes its writers and
   * tells its completions. The caller holds the lock, finds no write in progress and something
   * gathered.
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
    AuditBatch failedBehind = null;
    b.finish(error);
    if (error == null) {
      outcomes.written();
    } else {
      if (gathering != null) {
        // Chained on lines that are not on file.
        failedBehind = gathering;
        failedBehind.finish(error);
        failedBehind.changed().signalAll();
        gathering = null;
      }
      chain.continueFrom(b.firstSeq(), b.chainedOn());
      outcomes.failed(error);
    }
    // Its writers return; one writer of the batch gathered meanwhile, if any, writes it; and
    // whoever waits for a drain looks again.
    b.changed().signalAll();
    if (gathering != null) {
      gathering.changed().signal();
    }
    writeEnded.signalAll();
    if (b.hasCompletions() || (failedBehind != null && failedBehind.hasCompletions())) {
      // Told outside the lock: what they do (send an answer) never waits for the trail.
      lock.unlock();
      try {
        b.complete();
        if (failedBehind != null) {
          failedBehind.complete();
        }
      } finally {
        lock.lock();
      }
    }
  }
}
