package org.hsmkms.hsm.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The random buffer with a fake block source (a counter, so that every 8-byte word a block holds is
 * distinct and never zero): no byte is handed out twice, and a slow refill holds up no one but the
 * taker that makes it.
 */
class RandomBufferTest {
  private static final int SIZE = 256;

  /** Blocks of distinct nonzero longs; optionally held until {@link #release} opens. */
  private static final class CountingSource implements RandomBuffer.BlockSource {
    final AtomicLong counter = new AtomicLong();
    final AtomicInteger fetches = new AtomicInteger();
    volatile CountDownLatch release;
    final CountDownLatch entered = new CountDownLatch(1);

    @Override
    public byte[] fetch(org.xipki.pkcs11.wrapper.Session s, int n) {
      fetches.incrementAndGet();
      CountDownLatch r = release;
      if (r != null && n == SIZE) {
        entered.countDown();
        try {
          assertTrue(r.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      ByteBuffer b = ByteBuffer.allocate(n);
      while (b.remaining() >= 8) {
        b.putLong(counter.incrementAndGet());
      }
      return b.array();
    }
  }

  @Test
  void concurrentTakers_neverGetTheSameBytes_norZeroedOnes() throws Exception {
    CountingSource source = new CountingSource();
    RandomBuffer buffer = new RandomBuffer(SIZE, source);
    int threads = 8;
    int perThread = 2000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<Long>>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        results.add(
            pool.submit(
                () -> {
                  List<Long> got = new ArrayList<>();
                  for (int i = 0; i < perThread; i++) {
                    byte[] b = i % 2 == 0 ? buffer.tryTake(8) : null;
                    if (b == null) {
                      b = buffer.take(null, 8);
                    }
                    got.add(ByteBuffer.wrap(b).getLong());
                  }
                  return got;
                }));
      }
      Set<Long> seen = new HashSet<>();
      for (Future<List<Long>> f : results) {
        for (long v : f.get(30, TimeUnit.SECONDS)) {
          assertNotEquals(0L, v, "a zeroed (already handed out) word was handed out");
          assertTrue(seen.add(v), "word " + v + " was handed out twice");
        }
      }
      assertEquals(threads * perThread, seen.size());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aSlowRefill_holdsUpNoOtherTaker() throws Exception {
    CountingSource source = new CountingSource();
    RandomBuffer buffer = new RandomBuffer(SIZE, source);
    buffer.take(null, 8); // first block
    // Take until the next take should fetch the next block (below half).
    for (int i = 1; i <= SIZE / 2 / 8; i++) {
      assertNotNull(buffer.tryTake(8));
    }
    assertNull(buffer.tryTake(8), "below half, the caller is asked to take with a session");

    source.release = new CountDownLatch(1);
    CompletableFuture<byte[]> refilling =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return buffer.take(null, 8);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    assertTrue(source.entered.await(10, TimeUnit.SECONDS), "the refill started");

    // While that refill hangs in the token, others are served from the rest of the block, with
    // and without a session, and then by fetches of their own.
    for (int i = 0; i < SIZE / 8; i++) {
      byte[] b = i % 2 == 0 ? buffer.tryTake(8) : null;
      assertNotNull(
          CompletableFuture.supplyAsync(() -> takeWithSession(buffer)).get(5, TimeUnit.SECONDS));
      if (b != null) {
        assertEquals(8, b.length);
      }
    }
    assertFalse(refilling.isDone(), "the refill is still held");
    source.release.countDown();
    assertEquals(8, refilling.get(10, TimeUnit.SECONDS).length);
  }

  @Test
  void largeRequests_goToTheTokenDirectly_andClearZeroesTheRest() throws Exception {
    CountingSource source = new CountingSource();
    RandomBuffer buffer = new RandomBuffer(SIZE, source);
    assertNull(buffer.tryTake(SIZE / 4 + 8));
    assertEquals(SIZE / 4 + 8, buffer.take(null, SIZE / 4 + 8).length);
    assertEquals(1, source.fetches.get());

    buffer.take(null, 8);
    buffer.clear();
    assertNull(buffer.tryTake(8), "nothing is left after clear()");
    int fetches = source.fetches.get();
    byte[] after = buffer.take(null, 8);
    assertEquals(fetches + 1, source.fetches.get(), "after clear() each take goes to the token");
    assertNotEquals(0L, ByteBuffer.wrap(after).getLong(), "served by the token, not the buffer");
  }

  private static byte[] takeWithSession(RandomBuffer buffer) {
    try {
      return buffer.take(null, 8);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
