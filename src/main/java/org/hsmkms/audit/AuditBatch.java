package org.hsmkms.audit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sealed lines of the trail written together with one {@code write} (group commit, {@link
 * FileAuditTrail}), and the point of the chain before their first, where the chain goes back to if
 * they cannot be written. Guarded by the trail's lock.
 */
final class AuditBatch {
  private static final Logger LOG = LoggerFactory.getLogger(AuditBatch.class);

  private final long firstSeq;
  private final byte[] chainedOn;
  private final Condition changed;

  /** Empty until the first line, which is usually the only one: then it is sized exactly. */
  private byte[] bytes = new byte[0];

  private int length;
  private boolean done;
  private Exception error;

  /** A thread waits in the trail for this batch (it writes the batch if no one else does). */
  private boolean waitedFor;

  /** Told once the batch is written or failed, by the thread that wrote it; null when none. */
  private List<Consumer<AuditException>> completions;

  /**
   * @param firstSeq the sequence number of the batch's first line
   * @param chainedOn the MAC its first line chains on
   * @param changed what its writers wait on, of the trail's lock
   */
  AuditBatch(long firstSeq, byte[] chainedOn, Condition changed) {
    this.firstSeq = firstSeq;
    this.chainedOn = chainedOn;
    this.changed = changed;
  }

  /** Signalled when the batch is written or failed, or may be written by one of its writers. */
  Condition changed() {
    return changed;
  }

  /** Appends one sealed line: its body and the tail {@link AuditChain#seal} made for it. */
  void add(byte[] body, byte[] tail) {
    int need = length + body.length + tail.length;
    if (need > bytes.length) {
      bytes = Arrays.copyOf(bytes, length == 0 ? need : Math.max(need, bytes.length * 2));
    }
    System.arraycopy(body, 0, bytes, length, body.length);
    System.arraycopy(tail, 0, bytes, length + body.length, tail.length);
    length = need;
  }

  /** The lines, in the first {@link #length()} bytes. */
  byte[] bytes() {
    return bytes;
  }

  int length() {
    return length;
  }

  long firstSeq() {
    return firstSeq;
  }

  byte[] chainedOn() {
    return chainedOn;
  }

  /** Written ({@code e} null) or failed with {@code e}. */
  void finish(Exception e) {
    done = true;
    error = e;
  }

  /** A thread will wait for this batch. */
  void waitedFor(boolean yes) {
    waitedFor = yes;
  }

  boolean waitedFor() {
    return waitedFor;
  }

  /** {@code done} is told when the batch is written (null) or failed. */
  void whenWritten(Consumer<AuditException> done) {
    if (completions == null) {
      completions = new ArrayList<>();
    }
    completions.add(done);
  }

  boolean hasCompletions() {
    return completions != null;
  }

  /**
   * Tells every completion the outcome, once; called without the trail's lock, after {@link
   * #finish}. A completion that throws is logged and the others are still told.
   */
  void complete() {
    List<Consumer<AuditException>> all = completions;
    completions = null;
    if (all == null) {
      return;
    }
    AuditException e =
        error == null ? null : new AuditException("the audit record could not be written", error);
    for (Consumer<AuditException> c : all) {
      try {
        c.accept(e);
      } catch (RuntimeException thrown) {
        LOG.error("an audit completion failed", thrown);
      }
    }
  }

  boolean done() {
    return done;
  }

  Exception error() {
    return error;
  }
}
