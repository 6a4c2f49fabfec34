package org.hsmkms.config;

import java.util.LinkedHashMap;
import java.util.Map;
import org.hsmkms.quota.QuotaClasses;

/**
 * The {@code quotas} component (docs/quotas.md): AWS KMS's request quotas, as token buckets per
 * account and quota class on each node, and its resource quotas.
 *
 * <p>Request quotas: each class's rate is AWS's default times {@code scale}, or the account's own
 * rate under {@code accounts.<accountId>.<class>}; with {@code perAccessKey} (a share in (0, 1]),
 * each access key also has buckets at that share of its account's rates. A request over its quota
 * is answered ThrottlingException at once.
 *
 * <p>Resource quotas (LimitExceededException): keys per account and region, aliases per key, grants
 * per key, tags per key, and the size of a key policy in bytes.
 *
 * @param enabled request quotas on (default true)
 * @param scale multiplies every AWS default rate (default 1.0); above 0
 * @param perAccessKey each access key's share of its account's rates; absent or 0 for none
 * @param accounts rates by account id and class name, e.g. {@code symmetric}, {@code rsa}, {@code
 *     GenerateDataKeyPair:RSA_4096}, {@code CreateKey}; not multiplied by {@code scale}
 * @param keysPerAccount default 100,000 (AWS: "AWS KMS keys", per account and Region)
 * @param aliasesPerKey default 50 (AWS: "Aliases per KMS key")
 * @param grantsPerKey default 50,000 (AWS: "Grants per KMS key")
 * @param tagsPerKey default 50 (AWS: tags per KMS key)
 * @param keyPolicyBytes default 32,768, also the most (AWS: key policy document size, 32 KB)
 * @param throttledAnswerDelayMillis how long a ThrottlingException (a request quota, or a work
 *     class without room) waits before it is sent, holding no thread (default 100, 0..5000): a
 *     client that retries at once without backing off then sends a few requests a second per
 *     connection instead of as many as the server can refuse, and leaves the CPU to other tenants
 */
public record Quotas(
    Boolean enabled,
    Double scale,
    Double perAccessKey,
    Map<String, Map<String, Double>> accounts,
    Long keysPerAccount,
    Integer aliasesPerKey,
    Integer grantsPerKey,
    Integer tagsPerKey,
    Integer keyPolicyBytes,
    Integer throttledAnswerDelayMillis) {
  public Quotas {
    enabled = enabled == null || enabled;
    scale = scale == null ? 1.0 : scale;
    perAccessKey = perAccessKey == null ? 0.0 : perAccessKey;
    accounts = accounts == null ? Map.of() : copy(accounts);
    keysPerAccount = keysPerAccount == null ? 100_000L : keysPerAccount;
    aliasesPerKey = aliasesPerKey == null ? 50 : aliasesPerKey;
    grantsPerKey = grantsPerKey == null ? 50_000 : grantsPerKey;
    tagsPerKey = tagsPerKey == null ? 50 : tagsPerKey;
    keyPolicyBytes = keyPolicyBytes == null ? 32_768 : keyPolicyBytes;
    throttledAnswerDelayMillis =
        throttledAnswerDelayMillis == null ? 100 : throttledAnswerDelayMillis;
    if (throttledAnswerDelayMillis < 0 || throttledAnswerDelayMillis > 5000) {
      throw new IllegalArgumentException("quotas.throttledAnswerDelayMillis must be 0..5000");
    }
    if (!(scale > 0) || scale.isInfinite()) {
      throw new IllegalArgumentException("quotas.scale must be above 0");
    }
    if (!(perAccessKey >= 0 && perAccessKey <= 1)) {
      throw new IllegalArgumentException("quotas.perAccessKey must be in 0..1");
    }
    accounts.forEach(Quotas::checkAccount);
    if (keysPerAccount < 1 || aliasesPerKey < 1 || grantsPerKey < 1 || tagsPerKey < 1) {
      throw new IllegalArgumentException(
          "quotas.keysPerAccount, aliasesPerKey, grantsPerKey and tagsPerKey must be at least 1");
    }
    // Above 32,768 the policy grammar's own bound (MalformedPolicyDocumentException) applies.
    if (keyPolicyBytes < 1 || keyPolicyBytes > 32_768) {
      throw new IllegalArgumentException("quotas.keyPolicyBytes must be 1..32768");
    }
  }

  /** The defaults: AWS's quotas, request quotas on. */
  public static Quotas defaults() {
    return new Quotas(null, null, null, null, null, null, null, null, null, null);
  }

  /** These quotas with request quotas on or off. */
  public Quotas withEnabled(boolean on) {
    return with(on, scale, accounts, throttledAnswerDelayMillis);
  }

  /** These quotas with throttled answers sent after {@code millis}. */
  public Quotas withThrottledAnswerDelay(int millis) {
    return with(enabled, scale, accounts, millis);
  }

  /** These quotas with every AWS default rate multiplied by {@code s}. */
  public Quotas withScale(double s) {
    return with(enabled, s, accounts, throttledAnswerDelayMillis);
  }

  /** These quotas with {@code account}'s rate of class {@code quotaClass} set to {@code rate}. */
  public Quotas withRate(String account, String quotaClass, double rate) {
    Map<String, Map<String, Double>> a = copy(accounts);
    a.computeIfAbsent(account, k -> new LinkedHashMap<>()).put(quotaClass, rate);
    return with(enabled, scale, a, throttledAnswerDelayMillis);
  }

  /** A copy with the settings the dev flags and tests change; the resource quotas kept. */
  private Quotas with(
      Boolean on, Double s, Map<String, Map<String, Double>> a, Integer delayMillis) {
    return new Quotas(
        on,
        s,
        perAccessKey,
        a,
        keysPerAccount,
        aliasesPerKey,
        grantsPerKey,
        tagsPerKey,
        keyPolicyBytes,
        delayMillis);
  }

  private static Map<String, Map<String, Double>> copy(Map<String, Map<String, Double>> m) {
    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, new LinkedHashMap<>(v == null ? Map.of() : v)));
    return out;
  }

  private static void checkAccount(String account, Map<String, Double> rates) {
    if (!account.matches("\\d{12}")) {
      throw new IllegalArgumentException("quotas.accounts: " + account + " is not an account id");
    }
    rates.forEach(
        (name, rate) -> {
          if (QuotaClasses.named(name) == null) {
            throw new IllegalArgumentException(
                "quotas.accounts." + account + ": no quota class named " + name);
          }
          if (rate == null || !(rate > 0) || rate.isInfinite()) {
            throw new IllegalArgumentException(
                "quotas.accounts." + account + "." + name + " must be above 0");
          }
        });
  }
}
