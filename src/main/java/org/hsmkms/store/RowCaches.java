package org.hsmkms.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The row caches of {@link CachingMetadataStore} and their bookkeeping: which rows are kept, when
 * an answer may come from memory, and how a write or a reported change empties them.
 *
 * <p>A read that raced an invalidation does not put its possibly older answer into a cache: a
 * generation number, raised by every invalidation, must be unchanged between the start of the read
 * and the insertion. With a {@link ClusterChanges} feed, the caches answer only while the feed
 * confirms them; otherwise every read goes to the store.
 */
final class RowCaches {
  /** Above this many entries a cache is emptied rather than grown (random ids cost no memory). */
  static final int MAX_ENTRIES = 100_000;

  final Map<String, Optional<KeyRecord>> keys = new ConcurrentHashMap<>();
  final Map<String, Optional<AliasRecord>> aliases = new ConcurrentHashMap<>();
  final Map<String, List<MaterialRecord>> materials = new ConcurrentHashMap<>();
  final Map<String, List<GrantRecord>> grants = new ConcurrentHashMap<>();
  final Map<String, Optional<GrantRecord>> grantsByToken = new ConcurrentHashMap<>();
  final Map<String, Map<String, String>> tags = new ConcurrentHashMap<>();
  final Map<String, List<AliasRecord>> aliasesOfKey = new ConcurrentHashMap<>();

  private final ClusterChanges cluster;
  private final AtomicLong generation = new AtomicLong();

  /**
   * @param cluster the feed of other nodes' changes, or null when no other process writes the store
   */
  RowCaches(ClusterChanges cluster) {
    this.cluster = cluster;
  }

  /** The cached answer for {@code key}, or {@code load}'s, which is kept if no write raced it. */
  <K, V> V cached(Map<K, V> cache, K key, Supplier<V> load) {
    if (cluster != null && !cluster.confirmsCache()) {
      // Other nodes' changes may be unreported: neither answer from memory nor fill it.
      return load.get();
    }
    V v = cache.get(key);
    if (v != null) {
      return v;
    }
    long before = generation.get();
    v = load.get();
    if (generation.get() == before) {
      if (cache.size() >= MAX_ENTRIES) {
        cache.clear();
      }
      cache.put(key, v);
      // A write that began after the check above has emptied the caches already, or will.
      if (generation.get() != before) {
        cache.remove(key);
      }
    }
    return v;
  }

  /** Empties every cache; what a read started before this call loads is not kept. */
  void invalidate() {
    generation.incrementAndGet();
    keys.clear();
    aliases.clear();
    materials.clear();
    grants.clear();
    grantsByToken.clear();
    tags.clear();
    aliasesOfKey.clear();
  }

  /** Runs a write, emptying the caches before and after it. */
  <T> T write(Supplier<T> w) {
    invalidate();
    try {
      return w.get();
    } finally {
      invalidate();
    }
  }

  /** As {@link #write(Supplier)}, for a write without a result. */
  void write(Runnable w) {
    write(
        () -> {
          w.run();
          return null;
        });
  }
}
