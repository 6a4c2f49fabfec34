package org.hsmkms.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The service configuration: one YAML file (see hsm-config/hsm-kms.sample.yaml). The PIN is never
 * inline: it comes from an environment variable or a file.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record Config(
    Server server, String accountId, String defaultRegion, Hsm hsm, Store store,
    Deletion deletion, DataKeyPairs dataKeyPairs) {

  /** A configuration with the default data key pair pool. */
  public Config(Server server, String accountId, String defaultRegion, Hsm hsm, Store store,
      Deletion deletion) {
    this(server, accountId, defaultRegion, hsm, store, deletion, null);
  }

  /** Listener settings. */
  public record Server(String host, Integer port, Long maxBodyBytes) {
    public Server {
      host = host == null ? "127.0.0.1" : host;
      port = port == null ? 4599 : port;
      maxBodyBytes = maxBodyBytes == null ? 65536L : maxBodyBytes;
    }
  }

  /** The PKCS#11 module and token. */
  public record Hsm(String module, String tokenLabel, String pinEnv, String pinFile,
      Integer sessions, Long sessionWaitMillis) {
    public Hsm {
      sessions = sessions == null ? 8 : sessions;
      sessionWaitMillis = sessionWaitMillis == null ? 5000L : sessionWaitMillis;
    }

    @Override
    public String toString() {
      return "Hsm[module=" + module + ", tokenLabel=" + tokenLabel + ", pinEnv=" + pinEnv
          + ", pinFile=" + pinFile + ", sessions=" + sessions + "]";
    }
  }

  /** The metadata database. */
  public record Store(String url) {}

  /** How often due deletions are carried out. */
  public record Deletion(Long checkIntervalSeconds) {
    public Deletion {
      checkIntervalSeconds = checkIntervalSeconds == null ? 60L : checkIntervalSeconds;
    }
  }

  /**
   * The pool of data key pairs generated ahead of requests: how many to keep ready per
   * KeyPairSpec (0 turns a spec's pool off), and whether to fill every pool at start-up instead of
   * on a spec's first request.
   */
  public record DataKeyPairs(Boolean prefill, java.util.Map<String, Integer> poolSizes) {
    /** RSA generation is slow, so a few RSA pairs; EC pairs are cheap, so more of them. */
    public static final java.util.Map<String, Integer> DEFAULT_POOL_SIZES = java.util.Map.of(
        "RSA_2048", 4, "RSA_3072", 2, "RSA_4096", 2,
        "ECC_NIST_P256", 8, "ECC_NIST_P384", 8, "ECC_NIST_P521", 8, "ECC_SECG_P256K1", 8,
        "ECC_NIST_EDWARDS25519", 8);

    public DataKeyPairs {
      prefill = prefill != null && prefill;
      java.util.Map<String, Integer> sizes = new java.util.TreeMap<>(DEFAULT_POOL_SIZES);
      if (poolSizes != null) {
        for (java.util.Map.Entry<String, Integer> e : poolSizes.entrySet()) {
          if (!DEFAULT_POOL_SIZES.containsKey(e.getKey())) {
            throw new IllegalArgumentException("dataKeyPairs.poolSizes: unknown KeyPairSpec "
                + e.getKey());
          }
          if (e.getValue() == null || e.getValue() < 0 || e.getValue() > 256) {
            throw new IllegalArgumentException("dataKeyPairs.poolSizes." + e.getKey()
                + " must be 0..256");
          }
          sizes.put(e.getKey(), e.getValue());
        }
      }
      poolSizes = java.util.Collections.unmodifiableMap(sizes);
    }
  }

  public Config {
    dataKeyPairs = dataKeyPairs == null ? new DataKeyPairs(null, null) : dataKeyPairs;
    server = server == null ? new Server(null, null, null) : server;
    accountId = accountId == null ? "111122223333" : accountId;
    defaultRegion = defaultRegion == null ? "us-east-1" : defaultRegion;
    deletion = deletion == null ? new Deletion(null) : deletion;
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

  public static Config load(Path file) throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    return yaml.readValue(Files.readString(file), Config.class);
  }
}
