package org.hsmkms.kms;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.hsmkms.store.ClusterStore;
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
 * <p>Cheap on the hot path: a short lock per material and no store write per request. The store
 * holds a <em>reservation</em>: when this process has used up its numbers it adds {@code batch} to
 * the stored total <em>in the database</em> (an atomic addition, never a value computed here) and
 * takes the {@code batch} numbers just below the new total as its own. Every encryption of the
 * cluster so gets a number of its own, and the stored total is never below the encryptions made by
 * all nodes together: after a crash a material resumes above its reservation, over-counting by at
 * most one batch per node and never under-counting. The limits compare these numbers, so they hold
 * across nodes. {@link #close()} gives back the unused numbers of its last batch if no node
 * reserved after it (a compare-and-set).
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

  private final Reservations store;
  private final Settings settings;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Set<String> requested = ConcurrentHashMap.newKeySet();
  private final Map<String, String> pending = new ConcurrentHashMap<>();
  private volatile Runnable onRotationWanted = () -> {};

  /** Counts for a process that is its store's only user. */
  public UsageLimits(MetadataStore store, Settings settings) {
    this(Reservations.soleWriter(store), settings);
  }

  public UsageLimits(Reservations reservations, Settings settings) {
    this.store = reservations;
    this.settings = settings;
  }

  /** Where reservations are kept. */
  public interface Reservations {
    /** The total reserved for a material; 0 if none. */
    long reserved(String material);

    /** Adds {@code count} atomically and answers the new total. */
    long reserve(String material, long count);

    /** Gives {@code unused} back if the total is still {@code upTo}. */
    void giveBack(String material, long upTo, long unused);

    /** Atomic in the database: for several nodes. */
    static Reservations shared(ClusterStore cluster) {
      return new Reservations() {
        @Override
        public long reserved(String material) {
          return cluster.reservedUsage(material);
        }

        @Override
        public long reserve(String material, long count) {
          return cluster.reserveUsage(material, count);
        }

        @Override
        public void giveBack(String material, long upTo, long unused) {
          cluster.returnUsage(material, upTo, unused);
        }
      };
    }

    /**
     * Read and write: only for a store no other process writes (each material's counter reserves
     * under its own lock, so this process never races itself).
     */
    static Reservations soleWriter(MetadataStore store) {
      return new Reservations() {
        @Override
        public long reserved(String material) {
          return store.materialUsage(material);
        }

        @Override
        public long reserve(String material, long count) {
          long total = store.materialUsage(material) + count;
          store.putMaterialUsage(material, total);
          return total;
        }

        @Override
        public void giveBack(String material, long upTo, long unused) {
          if (store.materialUsage(material) == upTo) {
            store.putMaterialUsage(material, upTo - unused);
          }
        }
      };
    }
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
    if (counter.last() >= settings.refuseAt()) {
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
    return c == null ? store.reserved(materialHex) : c.last();
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
      e.getValue().giveBack(e.getKey());
    }
  }

  private Counter load(String material) {
    return new Counter(store.reserved(material));
  }

  /**
   * One material's numbers in this process: the last one used, and the end of the batch this
   * process reserved. The first encryption reserves a batch (the stored total may have been reached
   * by other nodes or by an earlier run).
   */
  private final class Counter {
    private long last;
    private long end;

    Counter(long stored) {
      this.last = stored;
      this.end = stored;
    }

    synchronized long last() {
      return last;
    }

    /** The number of this encryption, unique across nodes; reserved before it is made. */
    synchronized long increment(String material) {
      if (last >= end) {
        long total = store.reserve(material, settings.batch());
        last = total - settings.batch();
        end = total;
        LOG.debug("material {}: {} encryptions reserved", material, total);
      }
      return ++last;
    }

    synchronized void giveBack(String material) {
      if (end > last) {
        store.giveBack(material, end, end - last);
        end = last;
      }
    }
  }
}
