package org.hsmkms.audit;

import java.util.Arrays;
import java.util.concurrent.locks.Condition;

/**
 * Sealed lines of the trail written together with one {@code write} (group commit, {@link
 * FileAuditTrail}), and the point of the chain before their first, where the chain goes back to if
 * they cannot be written. Guarded by the trail's lock.
 */
final class AuditBatch {
  private final long firstSeq;
  private final byte[] chainedOn;
  private final Condition changed;

  /** Empty until the first line, which is usually the only one: then it is sized exactly. */
  private byte[] bytes = new byte[0];

  private int length;
  private boolean done;
  private Exception error;

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

  boolean done() {
    return done;
  }

  Exception error() {
    return error;
  }
}
