package org.hsmkms.quota;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * The request quotas of every account: a {@link TokenBucket} per account and {@link QuotaClass}
 * (and, when configured, per access key and class), made on an account's first request of a class.
 *
 * <p>A class's rate for an account is the account's override when it has one (the rate itself),
 * else AWS's default times {@code scale}. With {@code perAccessKey} set, each access key has
 * buckets of its own at that fraction of its account's rates, checked before the account's: one
 * access key cannot spend its whole account's quota.
 *
 * <p>The buckets are per node: a cluster of N nodes admits up to N times these rates.
 *
 * <p>Security: a request over quota is refused at once and never queued. Buckets are only made for
 * authenticated callers, so their number is bounded by the accounts and access keys of the
 * credentials file, not by what a client sends.
 */
public final class RequestQuotas {
  private static final int CLASSES = QuotaClasses.all().size();

  private final double scale;
  private final double perAccessKey;
  private final Map<String, Map<String, Double>> overrides;
  private final LongSupplier nanoTime;
  private final Map<String, Buckets> accounts = new ConcurrentHashMap<>();
  private final Map<String, Buckets> accessKeys = new ConcurrentHashMap<>();

  /**
   * @param scale multiplies every AWS default; above 0
   * @param perAccessKey each access key's share of its account's rates, in (0, 1]; 0 for no buckets
   *     per access key
   * @param overrides rates by account id and class name ({@link QuotaClass#name()}); each above 0
   * @param nanoTime the buckets' clock
   */
  public RequestQuotas(
      double scale,
      double perAccessKey,
      Map<String, Map<String, Double>> overrides,
      LongSupplier nanoTime) {
    if (!(scale > 0)) {
      throw new IllegalArgumentException("quotas.scale must be above 0");
    }
    if (perAccessKey < 0 || perAccessKey > 1) {
      throw new IllegalArgumentException("quotas.perAccessKey must be in 0..1");
    }
    overrides.forEach(
        (account, classes) ->
            classes.forEach(
                (name, rate) -> {
                  if (QuotaClasses.named(name) == null) {
                    throw new IllegalArgumentException(
                        "quotas.accounts." + account + ": no quota class named " + name);
                  }
                  if (rate == null || !(rate > 0)) {
                    throw new IllegalArgumentException(
                        "quotas.accounts." + account + "." + name + " must be above 0");
                  }
                }));
    this.scale = scale;
    this.perAccessKey = perAccessKey;
    this.overrides = Map.copyOf(overrides);
    this.nanoTime = nanoTime;
  }

  /** Quotas on the system's monotonic clock. */
  public RequestQuotas(
      double scale, double perAccessKey, Map<String, Map<String, Double>> overrides) {
    this(scale, perAccessKey, overrides, System::nanoTime);
  }

  /**
   * Takes one request of class {@code c} from the buckets of {@code account} (and of {@code
   * accessKeyId}, with buckets per access key); false when one of them is empty. Never waits.
   */
  public boolean tryAcquire(String account, String accessKeyId, QuotaClass c) {
    if (perAccessKey > 0 && accessKeyId != null) {
      Buckets key =
          accessKeys.computeIfAbsent(accessKeyId, k -> new Buckets(account, perAccessKey));
      if (!key.bucket(c).tryAcquire()) {
        return false;
      }
    }
    return accounts.computeIfAbsent(account, a -> new Buckets(a, 1.0)).bucket(c).tryAcquire();
  }

  /** The rate of class {@code c} for {@code account}, requests a second. */
  public double rate(String account, QuotaClass c) {
    Map<String, Double> own = overrides.get(account);
    Double override = own == null ? null : own.get(c.name());
    return override != null ? override : c.awsDefault() * scale;
  }

  /** The buckets of one account or access key, one per class, each made on first use. */
  private final class Buckets {
    private final String account;
    private final double share;
    private final AtomicReferenceArray<TokenBucket> byClass = new AtomicReferenceArray<>(CLASSES);

    Buckets(String account, double share) {
      this.account = account;
      this.share = share;
    }

    TokenBucket bucket(QuotaClass c) {
      TokenBucket b = byClass.get(c.index());
      if (b == null) {
        byClass.compareAndSet(c.index(), null, new TokenBucket(rate(account, c) * share, nanoTime));
        b = byClass.get(c.index());
      }
      return b;
    }
  }
}
