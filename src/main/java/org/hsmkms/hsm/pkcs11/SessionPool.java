package org.hsmkms.hsm.pkcs11;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.hsmkms.hsm.HsmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.Token;

/**
 * A bounded pool of read-write sessions on one token. Borrow, use in {@code try}, return in {@code
 * finally}; a session found dead is discarded and a fresh one opened on the next borrow. Waiting
 * for a session is bounded, so an overloaded HSM answers with an error instead of a hang.
 */
final class SessionPool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SessionPool.class);

  private final Token token;
  private final CallLatency latency;
  private final BlockingQueue<Session> idle;
  private final AtomicInteger open = new AtomicInteger();

  /** Borrows that found every session in use and had to wait; and those that waited in vain. */
  private final LongAdder waits = new LongAdder();

  private final LongAdder timeouts = new LongAdder();

  private final int max;
  private final long waitMillis;
  private volatile boolean closed;

  /** How long {@link #close()} waits for borrowed sessions to come back. */
  static final long CLOSE_WAIT_MILLIS = 10_000;

  SessionPool(Token token, int max, long waitMillis) {
    this(token, max, waitMillis, CallLatency.NONE);
  }

  /** A pool whose sessions are opened under a latency model (benchmarks: {@link CallLatency}). */
  SessionPool(Token token, int max, long waitMillis, CallLatency latency) {
    this.token = token;
    this.latency = latency;
    this.max = max;
    this.waitMillis = waitMillis;
    this.idle = new ArrayBlockingQueue<>(max);
  }

  Session borrow() {
    return borrow(waitMillis);
  }

  /** Like {@link #borrow()}, waiting at most {@code waitMillis} when every session is in use. */
  Session borrow(long waitMillis) {
    if (closed) {
      throw new HsmException(HsmException.Kind.UNAVAILABLE, "session pool closed");
    }
    Session s = idle.poll();
    if (s != null) {
      return s;
    }
    if (open.incrementAndGet() <= max) {
      try {
        return latency.openSession(token, true);
      } catch (PKCS11Exception e) {
        open.decrementAndGet();
        throw new HsmException(
            HsmException.Kind.UNAVAILABLE,
            "C_OpenSession failed: " + e.getErrorName(),
            e.getErrorCode(),
            e);
      }
    }
    open.decrementAndGet();
    waits.increment();
    try {
      s = idle.poll(waitMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HsmException(HsmException.Kind.UNAVAILABLE, "interrupted waiting for a session");
    }
    if (s == null) {
      timeouts.increment();
      throw new HsmException(
          HsmException.Kind.UNAVAILABLE, "no HSM session free within " + waitMillis + " ms");
    }
    return s;
  }

  void giveBack(Session s) {
    if (closed || !idle.offer(s)) {
      discard(s);
    }
  }

  /** Closes a session that failed in a way that makes it unusable; the slot is freed. */
  void discard(Session s) {
    open.decrementAndGet();
    try {
      s.closeSession();
    } catch (PKCS11Exception e) {
      LOG.debug("closing a dead session failed: {}", e.getErrorName());
    }
  }

  /**
   * Closes every idle session: after one session is found dead (device error, token removed, all
   * sessions closed), the others usually are too.
   */
  void discardIdle() {
    Session s;
    while ((s = idle.poll()) != null) {
      discard(s);
    }
  }

  int openSessions() {
    return open.get();
  }

  /** Sessions borrowed and not given back now. */
  int inUse() {
    return Math.max(0, open.get() - idle.size());
  }

  int max() {
    return max;
  }

  /** How many borrows had to wait for a session, since the pool was made. */
  long waits() {
    return waits.sum();
  }

  /** How many borrows found no session within their bound, since the pool was made. */
  long timeouts() {
    return timeouts.sum();
  }

  /**
   * Refuses further borrows, closes the idle sessions, and waits (up to {@link #CLOSE_WAIT_MILLIS})
   * for the borrowed ones, each closed as it comes back: the module is finalized after this, and
   * finalizing SoftHSM2 under a call still running in it crashed the process (SIGSEGV).
   */
  @Override
  public void close() {
    closed = true;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
    while (true) {
      Session s;
      while ((s = idle.poll()) != null) {
        discard(s);
      }
      if (open.get() <= 0) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        LOG.warn("{} HSM sessions still in use when the pool was closed", open.get());
        return;
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
