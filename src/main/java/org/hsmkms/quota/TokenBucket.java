package org.hsmkms.quota;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A token bucket that refills at {@code rate} tokens a second and holds one second of its rate (at
 * least one token): a caller within its rate is always served, and one that has been idle may spend
 * a second's worth at once.
 *
 * <p>Kept as the generic cell rate algorithm: one {@code long}, the theoretical arrival time of the
 * next request, moved forward by one emission interval ({@code 1 / rate}) per admitted request with
 * a compare-and-set. A request is admitted when that time would stay within one burst of now. No
 * lock, no allocation, no thread of its own; refilling is implicit in the passing of time.
 *
 * <p>Security: {@link #tryAcquire()} never waits; an empty bucket answers false at once, so a
 * caller over its rate is refused rather than queued behind others.
 */
public final class TokenBucket {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final LongSupplier nanoTime;
  private final long interval;
  private final long burstWindow;
  private final double rate;

  /** The theoretical arrival time of the next request, on {@link #nanoTime}'s scale. */
  private final AtomicLong next;

  /**
   * @param rate tokens a second, greater than 0
   * @param nanoTime the clock ({@code System::nanoTime} in service; a test's own to move by hand)
   */
  public TokenBucket(double rate, LongSupplier nanoTime) {
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("a token bucket's rate must be above 0: " + rate);
    }
    this.rate = rate;
    this.nanoTime = nanoTime;
    this.interval = Math.max(1L, Math.round(NANOS_PER_SECOND / rate));
    // One second of the rate, and at least one token (a rate of 0.1/s holds one token).
    long burst = Math.max(1L, (long) Math.floor(rate));
    this.burstWindow = burst * interval;
    this.next = new AtomicLong(nanoTime.getAsLong());
  }

  /** A bucket on the system's monotonic clock. */
  public TokenBucket(double rate) {
    this(rate, System::nanoTime);
  }

  /** Takes one token if there is one; never waits. */
  public boolean tryAcquire() {
    long now = nanoTime.getAsLong();
    while (true) {
      long current = next.get();
      // An idle bucket is full, not fuller: the arrival time never lags behind now.
      long start = current - now < 0 ? now : current;
      long after = start + interval;
      if (after - now > burstWindow) {
        return false;
      }
      if (next.compareAndSet(current, after)) {
        return true;
      }
    }
  }

  /** Tokens a second. */
  public double rate() {
    return rate;
  }
}
