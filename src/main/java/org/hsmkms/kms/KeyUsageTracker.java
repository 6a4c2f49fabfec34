package org.hsmkms.kms;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.KeyUsageRecord;
import org.hsmkms.store.MetadataStore;

/**
 * The last successful cryptographic use of each key (GetKeyLastUsage), kept in memory per request
 * and written to the store in batches: {@link #succeeded} is one map put per key the request used,
 * {@link #flush} (a periodic task, and at close) writes every key used since the last flush in one
 * transaction. After a crash the uses of at most one flush interval are lost.
 *
 * <p>GetKeyLastUsage: "Returns usage information about the last successful cryptographic operation
 * performed with a specified KMS key"; the operations that count are the model's
 * KeyLastUsageTrackingOperation values ({@link #TRACKED}). ReEncrypt counts for both of its keys.
 *
 * <p>Security: holds key ids, operation names, times and request ids only.
 */
public final class KeyUsageTracker {
  /** The model's KeyLastUsageTrackingOperation: the operations that count as a use of a key. */
  static final Set<String> TRACKED =
      Set.of(
          "Decrypt",
          "DeriveSharedSecret",
          "Encrypt",
          "GenerateDataKey",
          "GenerateDataKeyPair",
          "GenerateDataKeyPairWithoutPlaintext",
          "GenerateDataKeyWithoutPlaintext",
          "GenerateMac",
          "ReEncrypt",
          "Sign",
          "Verify",
          "VerifyMac");

  private final MetadataStore store;
  private final Clock clock;
  private final ConcurrentHashMap<String, KeyUsageRecord> pending = new ConcurrentHashMap<>();
  private final Object flushing = new Object();
  private final AtomicLong flushes = new AtomicLong();
  private final AtomicLong rowsWritten = new AtomicLong();
  private volatile Instant trackingStart;

  public KeyUsageTracker(MetadataStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Reads when tracking began, recording now as that time on the first start. */
  public void start() {
    trackingStart = store.keyUsageTrackingStart(clock.instant());
  }

  /**
   * After an operation succeeded: notes each key it used, if the operation counts as a use. On the
   * request path: no I/O, one small record per key.
   */
  public void succeeded(String operation, RequestContext ctx) {
    if (operation == null || !TRACKED.contains(operation)) {
      return;
    }
    Instant now = clock.instant();
    String requestId = ctx.requestId();
    ctx.keysUsed()
        .forEach(
            arn -> {
              String keyId = rowId(arn);
              // The later of two concurrent uses is as good as the other: both are "last".
              pending.put(keyId, new KeyUsageRecord(keyId, operation, now, requestId));
            });
  }

  /**
   * The store's row id of the key an ARN names: its key id, or for a multi-Region key, whose
   * regions each have their own row (and their own last use), {@code mrk-<hex>/<region>}.
   */
  static String rowId(String arn) {
    String keyId = arn.substring(arn.lastIndexOf('/') + 1);
    if (!keyId.startsWith(KeyRecord.MULTI_REGION_PREFIX)) {
      return keyId;
    }
    // arn:aws:kms:<region>:<account>:key/<id>
    int regionStart = arn.indexOf(':', arn.indexOf(':', arn.indexOf(':') + 1) + 1) + 1;
    String region = arn.substring(regionStart, arn.indexOf(':', regionStart));
    return KeyRecord.multiRegionRowId(keyId, region);
  }

  /**
   * Writes the uses noted since the last flush in one transaction and forgets them; a use noted
   * while the batch is written stays for the next flush. When the write fails, every use stays.
   *
   * @return how many keys' uses were written
   */
  public int flush() {
    synchronized (flushing) {
      if (pending.isEmpty()) {
        return 0;
      }
      List<KeyUsageRecord> batch = new ArrayList<>(pending.values());
      store.saveKeyUsages(batch);
      for (KeyUsageRecord u : batch) {
        pending.remove(u.keyId(), u);
      }
      flushes.incrementAndGet();
      rowsWritten.addAndGet(batch.size());
      return batch.size();
    }
  }

  /** The last use of a key: noted in memory since the last flush, or else stored. */
  public Optional<KeyUsageRecord> lastUsage(String keyId) {
    KeyUsageRecord inMemory = pending.get(keyId);
    Optional<KeyUsageRecord> stored = store.findKeyUsage(keyId);
    if (inMemory == null) {
      return stored;
    }
    if (stored.isPresent() && stored.get().usedAt().isAfter(inMemory.usedAt())) {
      return stored;
    }
    return Optional.of(inMemory);
  }

  /** When tracking began (see {@link #start}). */
  public Instant trackingStart() {
    Instant t = trackingStart;
    if (t == null) {
      throw new IllegalStateException("the key usage tracker was not started");
    }
    return t;
  }

  /** How many flushes wrote rows (for tests and operators: never once per request). */
  public long flushCount() {
    return flushes.get();
  }

  /** How many rows all flushes wrote. */
  public long rowsWritten() {
    return rowsWritten.get();
  }

  /** How many keys' uses wait for the next flush. */
  public int pendingCount() {
    return pending.size();
  }
}
