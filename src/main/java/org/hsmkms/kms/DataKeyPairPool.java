package org.hsmkms.kms;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.hsmkms.hsm.DataKeyPairSource;
import org.hsmkms.hsm.ExportedKeyPair;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.KeyPairType;
import org.hsmkms.hsm.PregeneratedKeyPair;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded pool, per key pair type, of data key pairs generated in the HSM ahead of requests,
 * because RSA generation is slow (SoftHSM2: about 0.15 s for 2048 bits, 1-1.5 s with long tails for
 * 4096). A request takes a ready pair without waiting and generates one itself when none is ready.
 * The refill generates one pair per task on the executor it is given: the service gives it the slow
 * class of work ({@code org.hsmkms.work}), where the refill is one more owner served in turn with
 * the accounts, so that its RSA generations and the clients' together never take more threads (and
 * cores, and sessions) than the slow class's share, and the fast class keeps the rest of the CPU
 * during an RSA storm. Without an executor, one thread of its own refills.
 *
 * <p>A type's pool starts filling when that type is first asked for, or at start-up when {@code
 * prefill} is set, so a server that never hands out RSA-4096 pairs never spends CPU on them.
 *
 * <p>Security: pooled pairs are session objects inside the HSM, held by the HSM's keeper session;
 * nothing about them leaves the HSM until {@link #take} reads one out for the request that takes
 * it, which also destroys its objects. A pair is taken at most once: each sits in exactly one queue
 * slot and {@link BlockingQueue#poll} hands each element to one caller. On close the remaining
 * pairs are destroyed unread.
 */
public final class DataKeyPairPool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DataKeyPairPool.class);

  private final DataKeyPairSource hsm;
  private final Map<KeyPairType, BlockingQueue<PregeneratedKeyPair>> ready =
      new EnumMap<>(KeyPairType.class);

  /** Types whose pool is being kept full (asked for at least once, or prefilled). */
  private final Set<KeyPairType> active = ConcurrentHashMap.newKeySet();

  /** The thread of its own, when no executor was given; else null. */
  private final ExecutorService ownFiller;

  private final Executor filler;
  private final AtomicBoolean fillQueued = new AtomicBoolean();

  /** True while a refill task is generating (close waits for it). */
  private final AtomicBoolean filling = new AtomicBoolean();

  /** The type the next refill task looks at first, so that every type gets its turn. */
  private int nextType;

  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private final AtomicLong generated = new AtomicLong();
  private volatile boolean closed;

  /**
   * @param sizes how many pairs to keep ready per type (absent or 0: no pool for that type)
   * @param prefill start filling every pool now instead of on first use
   */
  public DataKeyPairPool(DataKeyPairSource hsm, Map<KeyPairType, Integer> sizes, boolean prefill) {
    this(hsm, sizes, prefill, null);
  }

  /**
   * @param refill where refill tasks run, one pair each (it may refuse one with {@link
   *     RejectedExecutionException}: the next take asks again); null for a thread of its own
   */
  public DataKeyPairPool(
      DataKeyPairSource hsm, Map<KeyPairType, Integer> sizes, boolean prefill, Executor refill) {
    this.hsm = hsm;
    this.ownFiller =
        refill != null
            ? null
            : Executors.newSingleThreadExecutor(
                r -> {
                  Thread t = new Thread(r, "hsm-kms-keypair-pool");
                  t.setDaemon(true);
                  return t;
                });
    this.filler = refill != null ? refill : ownFiller;
    for (Map.Entry<KeyPairType, Integer> e : sizes.entrySet()) {
      if (e.getValue() != null && e.getValue() > 0) {
        ready.put(e.getKey(), new ArrayBlockingQueue<>(e.getValue()));
        if (prefill) {
          active.add(e.getKey());
        }
      }
    }
    if (prefill) {
      requestFill();
    }
  }

  /** A pool that keeps nothing ready: every request generates its own pair. */
  public static DataKeyPairPool disabled(DataKeyPairSource hsm) {
    return new DataKeyPairPool(hsm, Map.of(), false);
  }

  /**
   * A fresh pair of {@code type}, read out of the HSM; its HSM objects are destroyed. Never waits
   * for the refill. The caller closes the answer.
   */
  public ExportedKeyPair take(KeyPairType type) {
    BlockingQueue<PregeneratedKeyPair> queue = ready.get(type);
    if (queue != null) {
      active.add(type);
      PregeneratedKeyPair pair;
      while ((pair = queue.poll()) != null) {
        requestFill();
        Optional<ExportedKeyPair> taken;
        try {
          taken = hsm.takeDataKeyPair(pair);
        } catch (RuntimeException e) {
          // It left the queue: destroy it now rather than leave it in the keeper session.
          discardQuietly(pair);
          throw e;
        }
        if (taken.isPresent()) {
          hits.incrementAndGet();
          return taken.get();
        }
        // Its session was lost (token reset, fail-over): the objects are gone; try the next.
        LOG.warn("a pregenerated {} pair was lost with its HSM session", type);
      }
      requestFill();
    }
    misses.incrementAndGet();
    return hsm.generateDataKeyPair(type);
  }

  /** Requests answered from the pool. */
  public long hits() {
    return hits.get();
  }

  /** Requests that generated their pair on demand. */
  public long misses() {
    return misses.get();
  }

  /** Pairs the background thread has generated. */
  public long generated() {
    return generated.get();
  }

  /** Pairs of {@code type} ready now. */
  public int ready(KeyPairType type) {
    BlockingQueue<PregeneratedKeyPair> queue = ready.get(type);
    return queue == null ? 0 : queue.size();
  }

  /** Pairs ready now, all types. */
  public int ready() {
    return ready.values().stream().mapToInt(BlockingQueue::size).sum();
  }

  /** The configured size for {@code type}. */
  public int capacity(KeyPairType type) {
    BlockingQueue<PregeneratedKeyPair> queue = ready.get(type);
    return queue == null ? 0 : queue.size() + queue.remainingCapacity();
  }

  /** True when every active pool is full and no refill is queued. */
  public boolean isSettled() {
    if (fillQueued.get()) {
      return false;
    }
    for (KeyPairType t : active) {
      BlockingQueue<PregeneratedKeyPair> queue = ready.get(t);
      if (queue != null && queue.remainingCapacity() > 0) {
        return false;
      }
    }
    return true;
  }

  private void requestFill() {
    if (!closed && fillQueued.compareAndSet(false, true)) {
      try {
        filler.execute(this::fill);
      } catch (RejectedExecutionException e) {
        fillQueued.set(false);
      }
    }
  }

  /**
   * Generates one pair for the next active pool that is not full (types in turn, so fast types are
   * not starved), then asks for another task while any pool is short: one task never holds a thread
   * for longer than one generation.
   */
  private void fill() {
    filling.set(true);
    boolean more = false;
    try {
      if (closed) {
        return;
      }
      // Pairs whose keeper session was lost (a previous task may have found it dead) are gone
      // from the HSM: drop them so that the pool refills in their place.
      for (BlockingQueue<PregeneratedKeyPair> queue : ready.values()) {
        queue.removeIf(p -> !hsm.isAlive(p));
      }
      KeyPairType[] types = KeyPairType.values();
      for (int i = 0; i < types.length && !closed; i++) {
        KeyPairType type = types[(nextType + i) % types.length];
        BlockingQueue<PregeneratedKeyPair> queue = ready.get(type);
        if (queue == null || !active.contains(type) || queue.remainingCapacity() == 0) {
          continue;
        }
        nextType = (nextType + i + 1) % types.length;
        PregeneratedKeyPair pair = hsm.pregenerateDataKeyPair(type);
        generated.incrementAndGet();
        if (closed || !queue.offer(pair)) {
          hsm.discardDataKeyPair(pair);
        }
        more = true;
        break;
      }
    } catch (HsmException e) {
      // The next take asks again; until then requests generate on demand.
      LOG.warn("refilling the data key pair pool failed: {}", e.getMessage());
    } finally {
      fillQueued.set(false);
      filling.set(false);
    }
    if (more) {
      requestFill();
    }
  }

  /** Stops the refill and destroys every pair still waiting. Call before closing the HSM. */
  @Override
  public void close() {
    closed = true;
    if (ownFiller != null) {
      ownFiller.shutdown();
    }
    // A generation under way (RSA-4096: seconds) cannot be interrupted inside the HSM. A task
    // that starts from now on sees closed and generates nothing.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (filling.get() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (filling.get()) {
      LOG.warn("the data key pair pool's refill did not stop within 30 s");
    }
    for (BlockingQueue<PregeneratedKeyPair> queue : ready.values()) {
      PregeneratedKeyPair pair;
      while ((pair = queue.poll()) != null) {
        discardQuietly(pair);
      }
    }
  }

  private void discardQuietly(PregeneratedKeyPair pair) {
    try {
      hsm.discardDataKeyPair(pair);
    } catch (RuntimeException e) {
      LOG.debug("discarding a pooled pair: {}", e.getMessage());
    }
  }
}
