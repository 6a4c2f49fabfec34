package org.hsmkms.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The slow class's threads run at a lower CPU priority, and only they do. */
class ThreadNicenessTest {

  /** The nice value of the calling thread (field 19 of /proc/thread-self/stat). */
  private static int currentNice() throws Exception {
    String stat = Files.readString(Path.of("/proc/thread-self/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Integer.parseInt(fields[16]);
  }

  @Test
  void lowerCurrent_setsTheCallingThreadsNiceValue_andNoOtherThreads() throws Exception {
    int before = currentNice();
    CompletableFuture<Integer> lowered = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                assertTrue(ThreadNiceness.lowerCurrent(10));
                lowered.complete(currentNice());
              } catch (Throwable e) {
                lowered.completeExceptionally(e);
              }
            });
    t.start();

    assertEquals(Math.max(10, before), lowered.get(30, TimeUnit.SECONDS));
    assertEquals(before, currentNice(), "the caller's own priority is unchanged");
  }

  @Test
  void theSlowClassThreads_runLowered_theFastClassThreadsDoNot() throws Exception {
    int before = currentNice();
    FairWorkQueue slow = new FairWorkQueue("test-slow", 1, 4, 4, WorkQueues.SLOW_NICE);
    FairWorkQueue fast = new FairWorkQueue("test-fast", 1, 4, 4);
    try {
      CompletableFuture<Integer> inSlow = new CompletableFuture<>();
      CompletableFuture<Integer> inFast = new CompletableFuture<>();
      CountDownLatch ran = new CountDownLatch(2);
      slow.submit("a", () -> run(inSlow, ran));
      fast.submit("a", () -> run(inFast, ran));
      assertTrue(ran.await(30, TimeUnit.SECONDS));

      assertEquals(Math.max(WorkQueues.SLOW_NICE, before), inSlow.get());
      assertEquals(before, inFast.get());
    } finally {
      slow.shutdown();
      fast.shutdown();
    }
  }

  private static void run(CompletableFuture<Integer> nice, CountDownLatch ran) {
    try {
      nice.complete(currentNice());
    } catch (Exception e) {
      nice.completeExceptionally(e);
    }
    ran.countDown();
  }
}
