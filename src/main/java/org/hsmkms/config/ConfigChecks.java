package org.hsmkms.config;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The checks of {@link Config}'s sections that span several settings, run by the records'
 * constructors once the defaults are in place: a file that fails one is refused at start-up with a
 * message naming the setting.
 *
 * <p>Security: the messages name settings, never their values where those could be secret (the
 * store's password and the HSM PIN are only ever named by their environment variable or file).
 */
final class ConfigChecks {
  private ConfigChecks() {}

  /** {@link Config.DataKeyPairs}'s default pool sizes (there, with why). */
  static final Map<String, Integer> DEFAULT_POOL_SIZES =
      Map.of(
          "RSA_2048",
          4,
          "RSA_3072",
          2,
          "RSA_4096",
          2,
          "ECC_NIST_P256",
          8,
          "ECC_NIST_P384",
          8,
          "ECC_NIST_P521",
          8,
          "ECC_SECG_P256K1",
          8,
          "ECC_NIST_EDWARDS25519",
          8);

  /** {@link Config.Server}: the management port, and the drain bound. */
  static void server(int port, int managementPort, int drainSeconds) {
    if (managementPort < Config.Server.NO_MANAGEMENT || managementPort > 65535) {
      throw new IllegalArgumentException(
          "server.managementPort must be 0..65535, or -1 for no management listener");
    }
    if (managementPort != 0 && managementPort == port) {
      throw new IllegalArgumentException(
          "server.managementPort must differ from server.port (" + port + ")");
    }
    if (drainSeconds < 0 || drainSeconds > 600) {
      throw new IllegalArgumentException("server.drainSeconds must be 0..600");
    }
  }

  /** {@link Config.Store}: credentials for PostgreSQL only, one password source, pool bounds. */
  static void store(
      String url,
      String user,
      String passwordEnv,
      String passwordFile,
      int poolSize,
      long connectionTimeoutMillis) {
    if (passwordEnv != null && passwordFile != null) {
      throw new IllegalArgumentException(
          "at most one of store.passwordEnv and store.passwordFile may be set");
    }
    boolean credentials = user != null || passwordEnv != null || passwordFile != null;
    if (credentials && url != null && url.startsWith("jdbc:sqlite:")) {
      throw new IllegalArgumentException(
          "store.user, store.passwordEnv and store.passwordFile are for PostgreSQL only");
    }
    if (poolSize < 1 || poolSize > 1000) {
      throw new IllegalArgumentException("store.poolSize must be 1..1000");
    }
    if (connectionTimeoutMillis < 250) {
      throw new IllegalArgumentException("store.connectionTimeoutMillis must be at least 250");
    }
  }

  /**
   * {@link Config.DataKeyPairs}: the {@code defaults} with the sizes {@code given} (may be null)
   * put over them, each for a known KeyPairSpec and 0..256; unmodifiable.
   */
  static Map<String, Integer> poolSizes(Map<String, Integer> defaults, Map<String, Integer> given) {
    Map<String, Integer> sizes = new TreeMap<>(defaults);
    if (given != null) {
      for (Map.Entry<String, Integer> e : given.entrySet()) {
        if (!defaults.containsKey(e.getKey())) {
          throw new IllegalArgumentException(
              "dataKeyPairs.poolSizes: unknown KeyPairSpec " + e.getKey());
        }
        if (e.getValue() == null || e.getValue() < 0 || e.getValue() > 256) {
          throw new IllegalArgumentException(
              "dataKeyPairs.poolSizes." + e.getKey() + " must be 0..256");
        }
        sizes.put(e.getKey(), e.getValue());
      }
    }
    return Collections.unmodifiableMap(sizes);
  }

  /** {@link Config.Rotation}: positive intervals and 1 <= rotate <= refuse <= 2^32. */
  static void rotation(
      long checkIntervalSeconds,
      long rotateAfterEncryptions,
      long refuseAfterEncryptions,
      long usageBatch) {
    if (checkIntervalSeconds < 1
        || usageBatch < 1
        || rotateAfterEncryptions < 1
        || refuseAfterEncryptions < rotateAfterEncryptions
        || refuseAfterEncryptions > 1L << 32) {
      throw new IllegalArgumentException(
          "rotation: checkIntervalSeconds and usageBatch must be at least 1, and"
              + " 1 <= rotateAfterEncryptions <= refuseAfterEncryptions <= 2^32");
    }
  }

  /** {@link Config} itself: the account, the HSM with exactly one PIN source, the store URL. */
  static void config(String accountId, Config.Hsm hsm, Config.Store store) {
    if (!accountId.matches("\\d{12}")) {
      throw new IllegalArgumentException("accountId must be 12 digits");
    }
    if (hsm == null || hsm.module() == null || hsm.tokenLabel() == null) {
      throw new IllegalArgumentException("hsm.module and hsm.tokenLabel are required");
    }
    if ((hsm.pinEnv() == null) == (hsm.pinFile() == null)) {
      throw new IllegalArgumentException("exactly one of hsm.pinEnv and hsm.pinFile is required");
    }
    if (store == null || store.url() == null) {
      throw new IllegalArgumentException("store.url is required");
    }
  }

  /** {@link Config#checkForServe()}: requests are always authenticated and audited. */
  static void forServe(Config.Credentials credentials, Audit audit) {
    if (credentials == null) {
      throw new IllegalArgumentException(
          "credentials.file is required: requests are"
              + " authenticated with the access keys it holds (see docs/authentication.md)");
    }
    if (audit == null) {
      throw new IllegalArgumentException(
          "audit.file is required (or audit.enabled: false);" + " see docs/audit.md");
    }
  }
}
