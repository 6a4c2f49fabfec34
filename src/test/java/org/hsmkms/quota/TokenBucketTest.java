package org.hsmkms.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A token bucket holds one second of its rate and refills with time; a clock moved by hand. */
class TokenBucketTest {
  private final AtomicLong now = new AtomicLong(123_456_789L);

  private void advanceMillis(long millis) {
    now.addAndGet(millis * 1_000_000L);
  }

  private int takeAll(TokenBucket b) {
    int taken = 0;
    while (b.tryAcquire()) {
      taken++;
    }
    return taken;
  }

  @Test
  void aNewBucket_holdsOneSecondOfItsRate() {
    TokenBucket b = new TokenBucket(5, now::get);
    assertEquals(5, takeAll(b));
    assertFalse(b.tryAcquire());
  }

  @Test
  void anEmptyBucket_refillsAtItsRate() {
    TokenBucket b = new TokenBucket(5, now::get);
    takeAll(b);
    advanceMillis(199);
    assertFalse(b.tryAcquire(), "a token takes 200 ms at 5/s");
    advanceMillis(1);
    assertTrue(b.tryAcquire());
    assertFalse(b.tryAcquire());
    advanceMillis(1000);
    assertEquals(5, takeAll(b));
  }

  @Test
  void anIdleBucket_isFull_butNeverFullerThanOneSecond() {
    TokenBucket b = new TokenBucket(10, now::get);
    advanceMillis(60_000);
    assertEquals(10, takeAll(b));
  }

  @Test
  void aRateBelowOne_holdsOneToken_andRefillsOverSeveralSeconds() {
    // GenerateDataKeyPair (RSA_4096) in China's Regions: 0.1 a second, one in 10 seconds.
    TokenBucket b = new TokenBucket(0.1, now::get);
    assertEquals(1, takeAll(b));
    advanceMillis(9_999);
    assertFalse(b.tryAcquire());
    advanceMillis(1);
    assertTrue(b.tryAcquire());
  }

  @Test
  void aLargeRate_admitsItsRateInOneSecond() {
    TokenBucket b = new TokenBucket(100_000, now::get);
    assertEquals(100_000, takeAll(b));
    advanceMillis(1);
    assertEquals(100, takeAll(b));
  }

  @Test
  void aSteadyCallerAtItsRate_isNeverRefused() {
    TokenBucket b = new TokenBucket(50, now::get);
    for (int i = 0; i < 1000; i++) {
      assertTrue(b.tryAcquire(), "request " + i);
      advanceMillis(20);
    }
  }

  @Test
  void aClockAroundZeroOrNegative_works() {
    now.set(-500_000_000L);
    TokenBucket b = new TokenBucket(2, now::get);
    assertEquals(2, takeAll(b));
    advanceMillis(1000);
    assertEquals(2, takeAll(b));
  }

  @Test
  void concurrentCallers_takeExactlyTheTokensThereAre() throws Exception {
    TokenBucket b = new TokenBucket(10_000, now::get);
    AtomicLong taken = new AtomicLong();
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> taken.addAndGet(takeAll(b)));
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(10_000, taken.get());
  }

  @Test
  void aRateOfZeroOrLess_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, now::get));
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(-1, now::get));
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(Double.NaN, now::get));
  }
}
