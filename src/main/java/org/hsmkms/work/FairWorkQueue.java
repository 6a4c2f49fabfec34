package org.hsmkms.work;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded executor for one class of work, shared fairly between owners (accounts): each owner has
 * a queue of its own, and the threads serve the owners with waiting work in turn (round-robin), one
 * task each, so an owner with a thousand tasks waiting delays another owner's next task by at most
 * one task per thread. Nothing waits beyond two bounds: {@code perOwner} tasks per owner and {@code
 * bound} tasks in all; {@link #submit} answers false at once when either is reached, and the caller
 * refuses the request (ThrottlingException) instead of queueing it.
 *
 * <p>The threads are this class's share of the HSM sessions: no more of them run at once, so a
 * class never takes the sessions another class counts on.
 *
 * <p>One lock and one condition for the work; a submission of an owner seen before allocates
 * nothing (the queues grow once and keep their room).
 *
 * <p>{@link #shutdown} refuses new tasks and lets the threads finish those already accepted (a
 * request accepted is a request answered); {@link #awaitTermination} waits for them.
 *
 * <p>Security: an owner is an account id, used only as a map key; it is never logged or exported
 * (the metrics see only the depth and the refusals of the whole class).
 */
public final class FairWorkQueue {
  private static final Logger LOG = LoggerFactory.getLogger(FairWorkQueue.class);

  private final String name;
  private final int perOwner;
  private final int bound;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition workWaiting = lock.newCondition();
  private final Condition allDone = lock.newCondition();

  /**
   * The owners seen, kept while idle so that a request of a known owner allocates nothing; those
   * with nothing waiting are forgotten when more than {@link #bound} + {@link #IDLE_OWNERS} gather.
   */
  private final Map<String, Owner> owners = new HashMap<>();

  /** The owners with work waiting, in the order they are served; each at most once. */
  private final ArrayDeque<Owner> turns = new ArrayDeque<>();

  static final int IDLE_OWNERS = 1024;

  /** One owner's waiting tasks; it is in {@link #turns} exactly while it has some. */
  private static final class Owner {
    final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  }

  private final Thread[] threads;
  private final LongAdder refused = new LongAdder();
  private int waiting;
  private int running;
  private int alive;
  private boolean shutdown;
  private final int nice;

  /**
   * Starts {@code threads} daemon threads named {@code name-N}.
   *
   * @param perOwner the most tasks one owner may have waiting
   * @param bound the most tasks waiting in all
   */
  public FairWorkQueue(String name, int threads, int perOwner, int bound) {
    this(name, threads, perOwner, bound, 0);
  }

  /**
   * As {@link #FairWorkQueue(String, int, int, int)}, with threads that run at nice value {@code
   * nice} (0: as the process; see {@link ThreadNiceness}).
   */
  public FairWorkQueue(String name, int threads, int perOwner, int bound, int nice) {
    if (threads < 1 || perOwner < 1 || bound < perOwner) {
      throw new IllegalArgumentException(
          name + ": needs threads >= 1, perOwner >= 1, bound >= perOwner");
    }
    this.name = name;
    this.nice = nice;
    this.perOwner = perOwner;
    this.bound = bound;
    this.threads = new Thread[threads];
    this.alive = threads;
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(this::work, name + "-" + i);
      t.setDaemon(true);
      this.threads[i] = t;
    }
    for (Thread t : this.threads) {
      t.start();
    }
  }

  /**
   * Queues {@code task} for {@code owner}; false, at once, when the owner's queue or the class's is
   * full or the queue is shut down (the task then never runs).
   */
  public boolean submit(String owner, Runnable task) {
    lock.lock();
    try {
      if (shutdown || waiting >= bound) {
        refused.increment();
        return false;
      }
      Owner o = owners.get(owner);
      if (o == null) {
        if (owners.size() > bound + IDLE_OWNERS) {
          owners.values().removeIf(idle -> idle.tasks.isEmpty());
        }
        o = new Owner();
        owners.put(owner, o);
      }
      if (o.tasks.size() >= perOwner) {
        refused.increment();
        return false;
      }
      if (o.tasks.isEmpty()) {
        turns.addLast(o);
      }
      o.tasks.addLast(task);
      waiting++;
      workWaiting.signal();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next task in turn, or null when shut down with nothing left; waits for one. {@code
   * finishedOne}: the calling thread has just finished a task (counted here, under the same lock).
   */
  private Runnable next(boolean finishedOne) throws InterruptedException {
    lock.lock();
    try {
      if (finishedOne) {
        running--;
      }
      while (waiting == 0) {
        if (shutdown) {
          return null;
        }
        workWaiting.await();
      }
      Owner o = turns.pollFirst();
      Runnable task = o.tasks.pollFirst();
      if (!o.tasks.isEmpty()) {
        turns.addLast(o);
      }
      waiting--;
      running++;
      return task;
    } finally {
      lock.unlock();
    }
  }

  private void work() {
    if (nice > 0) {
      ThreadNiceness.lowerCurrent(nice);
    }
    try {
      Runnable task;
      boolean ran = false;
      while ((task = next(ran)) != null) {
        ran = true;
        try {
          task.run();
        } catch (RuntimeException | Error e) {
          // A task answers its own failures; one that throws is a defect, not a reason to stop.
          LOG.error("{}: a task failed", name, e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.lock();
      try {
        alive--;
        allDone.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Tasks accepted and not yet started. */
  public int waiting() {
    lock.lock();
    try {
      return waiting;
    } finally {
      lock.unlock();
    }
  }

  /** Tasks running now. */
  public int running() {
    lock.lock();
    try {
      return running;
    } finally {
      lock.unlock();
    }
  }

  /** Tasks refused because a queue was full (or after shutdown), since the start. */
  public long refused() {
    return refused.sum();
  }

  public int threads() {
    return threads.length;
  }

  public String name() {
    return name;
  }

  /** Refuses new tasks from now on; those accepted still run. */
  public void shutdown() {
    lock.lock();
    try {
      shutdown = true;
      workWaiting.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until every accepted task has run and the threads have ended; false on timeout. */
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long left = unit.toNanos(timeout);
    lock.lock();
    try {
      while (alive > 0) {
        if (left <= 0) {
          return false;
        }
        left = allDone.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }
}
