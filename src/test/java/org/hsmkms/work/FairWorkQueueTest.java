package org.hsmkms.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fair bounded executor of one class of work: bounds per owner and in all refuse at once,
 * owners are served in turn, and shutdown runs what it accepted and refuses the rest.
 */
class FairWorkQueueTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<String> order = Collections.synchronizedList(new ArrayList<>());
  private FairWorkQueue queue;

  @AfterEach
  void close() throws InterruptedException {
    release.countDown();
    if (queue != null) {
      queue.shutdown();
      assertTrue(queue.awaitTermination(10, TimeUnit.SECONDS));
    }
  }

  /** A task that holds its thread until {@link #release} opens, so that what follows waits. */
  private Runnable blocker(CountDownLatch started) {
    return () -> {
      started.countDown();
      await(release);
    };
  }

  private Runnable note(String what) {
    return () -> order.add(what);
  }

  /** One thread, held by a blocker, so that everything submitted next waits in the queues. */
  private FairWorkQueue heldQueue(int perOwner, int bound) {
    queue = new FairWorkQueue("test", 1, perOwner, bound);
    CountDownLatch started = new CountDownLatch(1);
    assertTrue(queue.submit("blocker", blocker(started)));
    await(started);
    return queue;
  }

  @Test
  void submit_beyondTheOwnersBound_isRefusedAtOnce_whileOtherOwnersStillFit() {
    FairWorkQueue q = heldQueue(2, 10);

    assertTrue(q.submit("A", note("A1")));
    assertTrue(q.submit("A", note("A2")));
    assertFalse(q.submit("A", note("A3")), "A's third waiting task");
    assertTrue(q.submit("B", note("B1")));

    assertEquals(3, q.waiting());
    assertEquals(1, q.refused());
  }

  @Test
  void submit_beyondTheClassBound_isRefusedForEveryOwner() {
    FairWorkQueue q = heldQueue(2, 3);
    assertTrue(q.submit("A", note("A1")));
    assertTrue(q.submit("B", note("B1")));
    assertTrue(q.submit("C", note("C1")));

    assertFalse(q.submit("D", note("D1")));
    assertFalse(q.submit("A", note("A2")));
    assertEquals(2, q.refused());
  }

  @Test
  void owners_areServedInTurn_oneTaskEach() throws InterruptedException {
    FairWorkQueue q = heldQueue(10, 100);
    for (int i = 1; i <= 4; i++) {
      assertTrue(q.submit("A", note("A" + i)));
    }
    assertTrue(q.submit("B", note("B1")));
    assertTrue(q.submit("B", note("B2")));
    assertTrue(q.submit("C", note("C1")));

    release.countDown();
    q.shutdown();
    assertTrue(q.awaitTermination(10, TimeUnit.SECONDS));

    assertEquals(List.of("A1", "B1", "C1", "A2", "B2", "A3", "A4"), order);
  }

  @Test
  void shutdown_runsWhatItAccepted_andRefusesWhatComesAfter() throws InterruptedException {
    FairWorkQueue q = heldQueue(10, 100);
    assertTrue(q.submit("A", note("A1")));
    assertTrue(q.submit("B", note("B1")));

    q.shutdown();
    assertFalse(q.submit("A", note("late")));
    assertFalse(q.awaitTermination(100, TimeUnit.MILLISECONDS), "the blocker still runs");
    release.countDown();

    assertTrue(q.awaitTermination(10, TimeUnit.SECONDS));
    assertEquals(List.of("A1", "B1"), order);
    assertEquals(0, q.waiting());
    assertEquals(0, q.running());
  }

  @Test
  void aTaskThatThrows_doesNotStopItsThread() throws InterruptedException {
    queue = new FairWorkQueue("test", 1, 10, 10);
    assertTrue(
        queue.submit(
            "A",
            () -> {
              throw new IllegalStateException("a defect in a task");
            }));
    assertTrue(queue.submit("A", note("after")));

    queue.shutdown();
    assertTrue(queue.awaitTermination(10, TimeUnit.SECONDS));
    assertEquals(List.of("after"), order);
  }

  @Test
  void everyThreadWorks_andNoMoreRunAtOnceThanThereAreThreads() throws InterruptedException {
    queue = new FairWorkQueue("test", 3, 100, 100);
    AtomicInteger now = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch threeRunning = new CountDownLatch(3);
    for (int i = 0; i < 30; i++) {
      assertTrue(
          queue.submit(
              "owner" + (i % 4),
              () -> {
                most.accumulateAndGet(now.incrementAndGet(), Math::max);
                threeRunning.countDown();
                await(threeRunning);
                now.decrementAndGet();
              }));
    }
    queue.shutdown();
    assertTrue(queue.awaitTermination(30, TimeUnit.SECONDS));
    assertEquals(3, most.get());
  }

  @Test
  void ownersWithNothingWaiting_areForgotten_andServedAgainWhenTheyReturn() throws Exception {
    queue = new FairWorkQueue("test", 2, 4, 8);
    int owners = 8 + FairWorkQueue.IDLE_OWNERS + 100;
    AtomicInteger ran = new AtomicInteger();
    for (int i = 0; i < owners; i++) {
      while (!queue.submit("owner-" + i, ran::incrementAndGet)) {
        Thread.sleep(1);
      }
    }
    for (int i = 0; i < 3; i++) {
      while (!queue.submit("owner-0", ran::incrementAndGet)) {
        Thread.sleep(1);
      }
    }

    queue.shutdown();
    assertTrue(queue.awaitTermination(30, TimeUnit.SECONDS));
    assertEquals(owners + 3, ran.get());
  }

  @Test
  void bounds_mustMakeSense() {
    assertThrows(IllegalArgumentException.class, () -> new FairWorkQueue("x", 0, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new FairWorkQueue("x", 1, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new FairWorkQueue("x", 1, 4, 2));
  }

  private static void await(CountDownLatch latch) {
    try {
      assertTrue(latch.await(30, TimeUnit.SECONDS), "waited too long");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
