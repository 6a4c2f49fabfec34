package org.hsmkms.auth;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One access key as the verifier holds it in memory: who it belongs to and the secret it signs
 * with.
 *
 * <p>Security: the secret is held only as {@code "AWS4" + secret} bytes, never as a String; the
 * per-day signing keys derived from it are cached here (so a reloaded credential starts with an
 * empty cache). {@link #toString()} names the access key id only; there is no {@code equals}/{@code
 * hashCode}.
 */
public final class Credential {
  /** More distinct scopes than this in one key's cache means someone is probing; start over. */
  private static final int MAX_CACHED_SCOPES = 32;

  private final String accessKeyId;
  private final String account;
  private final String principalArn;
  private final byte[] kSecret;
  private final Map<String, byte[]> signingKeys = new ConcurrentHashMap<>();

  /**
   * @param secret the secret access key (UTF-8); copied, so the caller zeroes its array
   */
  public Credential(String accessKeyId, String account, String principalArn, byte[] secret) {
    this.accessKeyId = accessKeyId;
    this.account = account;
    this.principalArn = principalArn;
    byte[] prefix = "AWS4".getBytes(StandardCharsets.US_ASCII);
    this.kSecret = Arrays.copyOf(prefix, prefix.length + secret.length);
    System.arraycopy(secret, 0, kSecret, prefix.length, secret.length);
  }

  public String accessKeyId() {
    return accessKeyId;
  }

  public String account() {
    return account;
  }

  public String principalArn() {
    return principalArn;
  }

  /** The SigV4 signing key for one day, region and service, derived once and cached. */
  byte[] signingKey(String date, String region, String service) {
    String scope = date + '/' + region + '/' + service;
    byte[] key = signingKeys.get(scope);
    if (key == null) {
      if (signingKeys.size() >= MAX_CACHED_SCOPES) {
        signingKeys.clear();
      }
      key = SigV4.signingKey(kSecret, date, region, service);
      signingKeys.put(scope, key);
    }
    return key;
  }

  /** Zeroes the secret and the cached signing keys; the credential is unusable afterwards. */
  public void destroy() {
    Arrays.fill(kSecret, (byte) 0);
    signingKeys.values().forEach(k -> Arrays.fill(k, (byte) 0));
    signingKeys.clear();
  }

  @Override
  public String toString() {
    return "Credential[" + accessKeyId + ", " + principalArn + ", secret=[REDACTED]]";
  }
}
