package org.hsmkms.config;

/**
 * The {@code warmup} component: before the KMS listener accepts clients and before readiness turns
 * true, the service sends itself signed requests (GenerateDataKey, Decrypt, Encrypt,
 * GenerateDataKeyWithoutPlaintext, GenerateRandom) through its whole request path, so that the JIT
 * compiler has compiled that path before the first client arrives instead of competing with the
 * clients for the cores (docs/performance.md, "Full speed from the start").
 *
 * <p>It stops at the first of its two bounds. Its requests come from an account and access key that
 * exist in memory only, for the warm-up; they write no audit record, count in no metric and charge
 * no client's quota, and the key they use is removed afterwards (docs/operations.md).
 *
 * @param enabled default true ({@code ./hsm-kms dev --no-warmup} turns it off)
 * @param maxMillis how long its mix of requests may take at most, default 2000 (0..60000); the
 *     start-up takes that much longer, plus its first requests (its key), which take what a cold
 *     process needs (about half a second)
 * @param maxRequests how many requests it sends at most, default 200,000
 * @param concurrency how many requests it keeps in flight, default 64 (1..256)
 */
public record Warmup(Boolean enabled, Integer maxMillis, Integer maxRequests, Integer concurrency) {
  public Warmup {
    enabled = enabled == null || enabled;
    maxMillis = maxMillis == null ? 2000 : maxMillis;
    maxRequests = maxRequests == null ? 200_000 : maxRequests;
    concurrency = concurrency == null ? 64 : concurrency;
    if (maxMillis < 0 || maxMillis > 60_000) {
      throw new IllegalArgumentException("warmup.maxMillis must be 0..60000");
    }
    if (maxRequests < 0) {
      throw new IllegalArgumentException("warmup.maxRequests must be 0 or more");
    }
    if (concurrency < 1 || concurrency > 256) {
      throw new IllegalArgumentException("warmup.concurrency must be 1..256");
    }
  }

  /** Every default: on, for at most two seconds. */
  public static Warmup defaults() {
    return new Warmup(null, null, null, null);
  }

  /** No warm-up: the service serves as soon as it is open. */
  public static Warmup off() {
    return new Warmup(false, null, null, null);
  }

  /** This warm-up with at most {@code requests} requests (tests keep it short). */
  public Warmup withMaxRequests(int requests) {
    return new Warmup(enabled, maxMillis, requests, concurrency);
  }

  /** Whether it sends any request at all. */
  public boolean runs() {
    return enabled && maxMillis > 0 && maxRequests > 0;
  }
}
