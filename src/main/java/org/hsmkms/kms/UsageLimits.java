package org.hsmkms.kms;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the AES-GCM encryptions made with each key material and enforces NIST SP 800-38D's bound:
 * with random 96-bit IVs one key must not be invoked more than 2^32 times. A material that reaches
 * {@code rotateAt} asks for the rotation of its key (carried out by {@link MaterialRotation}); a
 * material that reaches {@code refuseAt} encrypts no more (KMSInvalidStateException), which is what
 * a key that cannot rotate meets.
 *
 * <p>Cheap on the hot path: an {@link AtomicLong} per material, no lock and no store write per
 * request. The store holds a <em>reservation</em>: before the count passes the number stored, the
 * request that gets there stores {@code batch} more (one write per {@code batch} encryptions, by
 * one thread while the others go on below the old reservation). So the stored number is never below
 * the encryptions made: after a crash a material resumes at its reservation, over-counting by at
 * most one batch and never under-counting. {@link #close()} stores the exact counts.
 *
 * <p>Security: counts and material ids only; nothing secret.
 */
public final class UsageLimits implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UsageLimits.class);

  /** NIST SP 800-38D, 8.3: at most 2^32 invocations of one key with random 96-bit IVs. */
  public static final long GCM_RANDOM_IV_LIMIT = 1L << 32;

  /**
   * When a material asks for rotation, when it refuses, and how many encryptions one store write
   * reserves.
   */
  public record Settings(long rotateAt, long refuseAt, long batch) {
    /** Rotation at 2^30, refusal at 2^32, a write per 100,000 encryptions. */
    public static final Settings DEFAULT = new Settings(1L << 30, GCM_RANDOM_IV_LIMIT, 100_000);

    public Settings {
      if (batch < 1 || rotateAt < 1 || refuseAt < rotateAt || refuseAt > GCM_RANDOM_IV_LIMIT) {
        throw new IllegalArgumentException(
            "usage limits need 1 <= rotateAt <= refuseAt <= 2^32 and batch >= 1");
      }
    }
  }

  private final MetadataStore store;
  private final Settings settings;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Set<String> requested = ConcurrentHashMap.newKeySet();
  private final Map<String, String> pending = new ConcurrentHashMap<>();
  private volatile Runnable onRotationWanted = () -> {};

  public UsageLimits(MetadataStore store, Settings settings) {
    this.store = store;
    this.settings = settings;
  }

  public Settings settings() {
    return settings;
  }

  /** Runs when a material first asks for its key's rotation (the composition root starts one). */
  public void onRotationWanted(Runnable action) {
    this.onRotationWanted = action;
  }

  /**
   * Counts one encryption with the key's current material, before it is made.
   *
   * @throws KmsException KMSInvalidStateException once the material has made {@code refuseAt}
   */
  void beforeEncrypt(KeyRecord key) {
    String material = key.currentMaterialId();
    Counter counter = counters.computeIfAbsent(material, this::load);
    // A material at its limit refuses without counting: refused requests are no encryptions, and
    // must not cost a reservation write each. Two requests racing past the limit count one extra.
    if (counter.count.get() >= settings.refuseAt()) {
      throw refused(key, material);
    }
    long n = counter.increment(material);
    if (n > settings.refuseAt()) {
      throw refused(key, material);
    }
    if (n >= settings.rotateAt() && RotationRules.canRotate(key) && requested.add(material)) {
      LOG.warn(
          "key {}: material {} has made {} encryptions (limit for rotation {}); rotating the key",
          key.keyId(),
          material,
          n,
          settings.rotateAt());
      pending.put(key.keyId(), material);
      onRotationWanted.run();
    }
  }

  private KmsException refused(KeyRecord key, String material) {
    LOG.error(
        "key {}: material {} refused an encryption: it has reached its limit of {}",
        key.keyId(),
        material,
        settings.refuseAt());
    return ManagementErrors.usageLimitReached(key.arn(), settings.refuseAt());
  }

  /** The encryptions counted for a material since this process started using it (reserved). */
  public long encryptions(String materialHex) {
    Counter c = counters.get(materialHex);
    return c == null ? store.materialUsage(materialHex) : c.count.get();
  }

  /** A rotation asked for by a material at its limit: the key and that material. */
  record Request(String keyId, String materialId) {}

  /** The rotations asked for since the last call. */
  List<Request> takeRequests() {
    List<Request> out = new ArrayList<>();
    for (String keyId : List.copyOf(pending.keySet())) {
      String material = pending.remove(keyId);
      if (material != null) {
        out.add(new Request(keyId, material));
      }
    }
    return out;
  }

  /** A request that was not carried out (the key was disabled): a later encryption asks again. */
  void dropped(Request r) {
    requested.remove(r.materialId());
  }

  /** Stores the exact counts (a clean stop wastes no reservation). */
  @Override
  public void close() {
    for (Map.Entry<String, Counter> e : counters.entrySet()) {
      Counter c = e.getValue();
      synchronized (c) {
        store.putMaterialUsage(e.getKey(), c.count.get());
        c.reserved = c.count.get();
      }
    }
  }

  private Counter load(String material) {
    long stored = store.materialUsage(material);
    return new Counter(stored);
  }

  /** One material's count and how far the store's reservation reaches. */
  private final class Counter {
    final AtomicLong count;
    volatile long reserved;

    Counter(long stored) {
      this.count = new AtomicLong(stored);
      this.reserved = stored;
    }

    long increment(String material) {
      long n = count.incrementAndGet();
      if (n > reserved) {
        synchronized (this) {
          while (n > reserved) {
            long next = reserved + settings.batch();
            // Stored before any encryption beyond the old reservation is made.
            store.putMaterialUsage(material, next);
            reserved = next;
            LOG.debug("material {}: {} encryptions reserved", material, next);
          }
        }
      }
      return n;
    }
  }
}
