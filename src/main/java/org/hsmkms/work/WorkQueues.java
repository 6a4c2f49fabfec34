package org.hsmkms.work;

import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executors of the three {@link WorkClass}es, each a {@link FairWorkQueue} with its own threads
 * (its share of the HSM sessions) and bounds. Client requests go to FAST or SLOW under their
 * account; the service's own jobs go to BACKGROUND under their name, so that one job's backlog
 * never delays another (a credential reload runs while a sweep is queued) and none waits behind
 * client work.
 */
public final class WorkQueues implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkQueues.class);

  /** A background job may have this many runs waiting; more are skipped (they are periodic). */
  static final int BACKGROUND_PER_JOB = 2;

  /** The owner the data key pair pool's refill is queued under in the slow class. */
  public static final String KEY_PAIR_POOL = "hsm-kms:key-pair-pool";

  private final FairWorkQueue fast;
  private final FairWorkQueue slow;

  /** The nice value of the slow class's threads. */
  static final int SLOW_NICE = 10;

  private final FairWorkQueue background;

  /** The bounds of a client class: its threads, its queue per account and in all. */
  public record Bounds(int threads, int perAccount, int bound) {}

  /** Starts the threads of every class. */
  public WorkQueues(Bounds fast, Bounds slow, int backgroundThreads) {
    this.fast = new FairWorkQueue("hsm-kms-fast", fast.threads(), fast.perAccount(), fast.bound());
    // Slow work is CPU-bound for seconds at a time in a software token (RSA key generation): at a
    // low priority it uses what the event loops and the fast class leave.
    this.slow =
        new FairWorkQueue(
            "hsm-kms-slow", slow.threads(), slow.perAccount(), slow.bound(), SLOW_NICE);
    this.background =
        new FairWorkQueue("hsm-kms-background", backgroundThreads, BACKGROUND_PER_JOB, 64);
  }

  /** The executor of {@code c}. */
  public FairWorkQueue of(WorkClass c) {
    return switch (c) {
      case FAST -> fast;
      case SLOW -> slow;
      case BACKGROUND -> background;
    };
  }

  /**
   * Queues the background job {@code name}; its failure is logged. A run is skipped (and said so)
   * when {@link #BACKGROUND_PER_JOB} runs of it are waiting already.
   */
  public void background(String name, Callable<?> job) {
    boolean queued =
        background.submit(
            name,
            () -> {
              try {
                job.call();
              } catch (Exception e) {
                LOG.error("{} failed", name, e);
              }
            });
    if (!queued) {
      // Periodic: the run still waiting does the same work.
      LOG.debug("{} skipped: earlier runs are still waiting", name);
    }
  }

  /**
   * The slow class as an executor for the data key pair pool's refill, which takes its turn there
   * with the accounts; refuses with RejectedExecutionException when the class has no room.
   */
  public Executor keyPairRefill() {
    return task -> {
      if (!slow.submit(KEY_PAIR_POOL, task)) {
        throw new RejectedExecutionException("the slow class of work is full");
      }
    };
  }

  /** Refuses new work, lets the accepted work finish (waits at most 30 seconds in all). */
  @Override
  public void close() throws InterruptedException {
    fast.shutdown();
    slow.shutdown();
    background.shutdown();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (FairWorkQueue q : new FairWorkQueue[] {fast, slow, background}) {
      long left = deadline - System.nanoTime();
      if (!q.awaitTermination(Math.max(0, left), TimeUnit.NANOSECONDS)) {
        LOG.warn("{}: work still running after 30 s; closing", q.name());
      }
    }
  }
}
