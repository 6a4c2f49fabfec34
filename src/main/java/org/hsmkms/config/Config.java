package org.hsmkms.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The service configuration: one YAML file (see hsm-config/hsm-kms.sample.yaml). The PIN is never
 * inline: it comes from an environment variable or a file.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record Config(
    Server server,
    String accountId,
    String defaultRegion,
    Hsm hsm,
    Store store,
    Deletion deletion,
    Credentials credentials,
    Audit audit,
    DataKeyPairs dataKeyPairs,
    Rotation rotation,
    KeyUsage keyUsage,
    Cluster cluster,
    Quotas quotas,
    Connections connections,
    Work work,
    Warmup warmup) {

  /**
   * Listener settings. Without {@code tls} the server speaks plain HTTP, which it refuses to do on
   * an address other than loopback unless {@code allowPlainHttp} is true.
   *
   * <p>The management listener ({@code /health/live}, {@code /health/ready}, {@code /metrics}; see
   * docs/monitoring.md) is plain HTTP without SigV4 on {@code managementHost} (default 127.0.0.1)
   * and {@code managementPort}: by default the KMS port + 1 (a free port when the KMS port is 0); 0
   * for a free port; -1 for none. On shutdown, requests in flight get up to {@code drainSeconds}
   * (default 10) to finish.
   */
  public record Server(
      String host,
      Integer port,
      Long maxBodyBytes,
      Tls tls,
      Boolean allowPlainHttp,
      String managementHost,
      Integer managementPort,
      Integer drainSeconds) {
    /** {@code managementPort} that turns the management listener off. */
    public static final int NO_MANAGEMENT = -1;

    @JsonCreator
    public Server {
      host = host == null ? "127.0.0.1" : host;
      port = port == null ? 4599 : port;
      maxBodyBytes = maxBodyBytes == null ? 65536L : maxBodyBytes;
      allowPlainHttp = allowPlainHttp != null && allowPlainHttp;
      managementHost = managementHost == null ? "127.0.0.1" : managementHost;
      if (managementPort == null) {
        managementPort = port == 0 ? 0 : port + 1;
      }
      drainSeconds = drainSeconds == null ? 10 : drainSeconds;
      ConfigChecks.server(port, managementPort, drainSeconds);
    }

    public Server(String host, Integer port, Long maxBodyBytes, Tls tls, Boolean allowPlainHttp) {
      this(host, port, maxBodyBytes, tls, allowPlainHttp, null, null, null);
    }

    public Server(String host, Integer port, Long maxBodyBytes) {
      this(host, port, maxBodyBytes, null, null);
    }

    /** These settings with the management listener on {@code port} (-1: none). */
    public Server withManagementPort(int managementPort) {
      return new Server(
          host,
          port,
          maxBodyBytes,
          tls,
          allowPlainHttp,
          managementHost,
          managementPort,
          drainSeconds);
    }

    /** These settings with {@code seconds} for requests in flight to finish on shutdown. */
    public Server withDrainSeconds(int seconds) {
      return new Server(
          host, port, maxBodyBytes, tls, allowPlainHttp, managementHost, managementPort, seconds);
    }

    public boolean hasManagement() {
      return managementPort != NO_MANAGEMENT;
    }
  }

  /** HTTPS: a PEM certificate chain and its PEM private key (PKCS#8, or PKCS#1 for RSA). */
  public record Tls(String certificateFile, String privateKeyFile) {
    public Tls {
      if (certificateFile == null || privateKeyFile == null) {
        throw new IllegalArgumentException("server.tls needs certificateFile and privateKeyFile");
      }
    }
  }

  /**
   * The access keys the service accepts (see docs/authentication.md). The file is checked for
   * changes every {@code reloadIntervalSeconds} and reloaded without a restart.
   */
  public record Credentials(String file, Long reloadIntervalSeconds) {
    public Credentials {
      if (file == null) {
        throw new IllegalArgumentException("credentials.file is required");
      }
      reloadIntervalSeconds =
          reloadIntervalSeconds == null ? 1L : Math.max(1L, reloadIntervalSeconds);
    }
  }

  /** The PKCS#11 module and token. */
  public record Hsm(
      String module,
      String tokenLabel,
      String pinEnv,
      String pinFile,
      Integer sessions,
      Long sessionWaitMillis,
      Integer workingCopies) {
    public Hsm {
      // Fast 8, slow 1, background 1 on 2 cores (config/Work.java).
      sessions = sessions == null ? 10 : sessions;
      sessionWaitMillis = sessionWaitMillis == null ? 5000L : sessionWaitMillis;
      workingCopies = workingCopies == null ? 1000 : workingCopies;
    }

    @Override
    public String toString() {
      return String.format(
          "Hsm[module=%s, tokenLabel=%s, pinEnv=%s, pinFile=%s, sessions=%s, workingCopies=%s]",
          module, tokenLabel, pinEnv, pinFile, sessions, workingCopies);
    }
  }

  /**
   * The metadata database: the embedded SQLite file ({@code jdbc:sqlite:PATH}, the default of
   * {@code dev}) or PostgreSQL ({@code jdbc:postgresql://HOST:PORT/DB}, for several nodes; see
   * docs/operations.md). PostgreSQL's password is never inline: it comes from the environment
   * variable {@code passwordEnv} names or the first line of {@code passwordFile}, as the HSM PIN
   * does. {@code poolSize} connections are pooled (default 10), and a call waits up to {@code
   * connectionTimeoutMillis} for one (default 30,000).
   */
  public record Store(
      String url,
      String user,
      String passwordEnv,
      String passwordFile,
      Integer poolSize,
      Long connectionTimeoutMillis) {
    @JsonCreator
    public Store {
      poolSize = poolSize == null ? 10 : poolSize;
      connectionTimeoutMillis = connectionTimeoutMillis == null ? 30_000L : connectionTimeoutMillis;
      ConfigChecks.store(url, user, passwordEnv, passwordFile, poolSize, connectionTimeoutMillis);
    }

    /** A database without credentials and with the default pool (SQLite). */
    public Store(String url) {
      this(url, null, null, null, null, null);
    }
  }

  /** How often due deletions are carried out. */
  public record Deletion(Long checkIntervalSeconds) {
    public Deletion {
      checkIntervalSeconds = checkIntervalSeconds == null ? 60L : checkIntervalSeconds;
    }
  }

  /**
   * The pool of data key pairs generated ahead of requests: how many to keep ready per KeyPairSpec
   * (0 turns a spec's pool off), and whether to fill every pool at start-up instead of on a spec's
   * first request.
   */
  public record DataKeyPairs(Boolean prefill, java.util.Map<String, Integer> poolSizes) {
    /** RSA generation is slow, so a few RSA pairs; EC pairs are cheap, so more of them. */
    public static final java.util.Map<String, Integer> DEFAULT_POOL_SIZES =
        ConfigChecks.DEFAULT_POOL_SIZES;

    public DataKeyPairs {
      prefill = prefill != null && prefill;
      poolSizes = ConfigChecks.poolSizes(DEFAULT_POOL_SIZES, poolSizes);
    }
  }

  /**
   * Key rotation (see docs/rotation.md): how often the sweep looks for due rotations, and the usage
   * limits of a key material: its key rotates after {@code rotateAfterEncryptions} AES-GCM
   * encryptions (default 2^30), and it refuses to encrypt after {@code refuseAfterEncryptions}
   * (default 2^32, NIST SP 800-38D's bound for random IVs); {@code usageBatch} encryptions are
   * reserved in the store at a time (default 100,000).
   */
  public record Rotation(
      Long checkIntervalSeconds,
      Long rotateAfterEncryptions,
      Long refuseAfterEncryptions,
      Long usageBatch) {
    @JsonCreator
    public Rotation {
      checkIntervalSeconds = checkIntervalSeconds == null ? 60L : checkIntervalSeconds;
      rotateAfterEncryptions = rotateAfterEncryptions == null ? 1L << 30 : rotateAfterEncryptions;
      refuseAfterEncryptions = refuseAfterEncryptions == null ? 1L << 32 : refuseAfterEncryptions;
      usageBatch = usageBatch == null ? 100_000L : usageBatch;
      ConfigChecks.rotation(
          checkIntervalSeconds, rotateAfterEncryptions, refuseAfterEncryptions, usageBatch);
    }
  }

  /**
   * GetKeyLastUsage: how often the last use of each key, kept in memory per request, is written to
   * the store. A crash loses the uses of at most one interval (the default, 60 seconds).
   */
  public record KeyUsage(Long flushIntervalSeconds) {
    public KeyUsage {
      flushIntervalSeconds = flushIntervalSeconds == null ? 60L : flushIntervalSeconds;
      if (flushIntervalSeconds < 1 || flushIntervalSeconds > 3600) {
        throw new IllegalArgumentException("keyUsage.flushIntervalSeconds must be 1..3600");
      }
    }
  }

  @JsonCreator
  public Config {
    keyUsage = keyUsage == null ? new KeyUsage(null) : keyUsage;
    cluster = cluster == null ? new Cluster(null, null) : cluster;
    quotas = quotas == null ? Quotas.defaults() : quotas;
    connections = connections == null ? Connections.defaults() : connections;
    work = work == null ? Work.defaults() : work;
    warmup = warmup == null ? Warmup.defaults() : warmup;
    rotation = rotation == null ? new Rotation(null, null, null, null) : rotation;
    dataKeyPairs = dataKeyPairs == null ? new DataKeyPairs(null, null) : dataKeyPairs;
    server = server == null ? new Server(null, null, null) : server;
    accountId = accountId == null ? "111122223333" : accountId;
    defaultRegion = defaultRegion == null ? "us-east-1" : defaultRegion;
    deletion = deletion == null ? new Deletion(null) : deletion;
    ConfigChecks.config(accountId, hsm, store);
    work.shares(hsm.sessions(), Runtime.getRuntime().availableProcessors());
  }

  /** A configuration without credentials or audit trail (tests and tools that add their own). */
  public Config(
      Server server,
      String accountId,
      String defaultRegion,
      Hsm hsm,
      Store store,
      Deletion deletion) {
    this(server, accountId, defaultRegion, hsm, store, deletion, null, null);
  }

  /** A configuration with the default data key pair pool. */
  public Config(
      Server server,
      String accountId,
      String defaultRegion,
      Hsm hsm,
      Store store,
      Deletion deletion,
      Credentials credentials,
      Audit audit) {
    this(server, accountId, defaultRegion, hsm, store, deletion, credentials, audit, null);
  }

  /** A configuration with the default rotation settings. */
  public Config(
      Server server,
      String accountId,
      String defaultRegion,
      Hsm hsm,
      Store store,
      Deletion deletion,
      Credentials credentials,
      Audit audit,
      DataKeyPairs dataKeyPairs) {
    this(
        server,
        accountId,
        defaultRegion,
        hsm,
        store,
        deletion,
        credentials,
        audit,
        dataKeyPairs,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  public Config withHsm(Hsm h) {
    return with(c -> c.hsm = h);
  }

  public Config withRotation(Rotation r) {
    return with(c -> c.rotation = r);
  }

  public Config withKeyUsage(KeyUsage k) {
    return with(c -> c.keyUsage = k);
  }

  public Config withCredentials(Credentials cr) {
    return with(c -> c.credentials = cr);
  }

  public Config withAudit(Audit a) {
    return with(c -> c.audit = a);
  }

  public Config withServer(Server sv) {
    return with(c -> c.server = sv);
  }

  public Config withStore(Store s) {
    return with(c -> c.store = s);
  }

  public Config withCluster(Cluster cl) {
    return with(c -> c.cluster = cl);
  }

  public Config withQuotas(Quotas q) {
    return with(c -> c.quotas = q);
  }

  public Config withConnections(Connections cn) {
    return with(c -> c.connections = cn);
  }

  public Config withWork(Work w) {
    return with(c -> c.work = w);
  }

  public Config withWarmup(Warmup w) {
    return with(c -> c.warmup = w);
  }

  public Config withDataKeyPairs(DataKeyPairs d) {
    return with(c -> c.dataKeyPairs = d);
  }

  /** This configuration with one change (see {@link ConfigCopy}). */
  private Config with(Consumer<ConfigCopy> change) {
    ConfigCopy copy = new ConfigCopy(this);
    change.accept(copy);
    return copy.build();
  }

  /**
   * What {@code serve} needs beyond a valid file: requests are always authenticated and audited, so
   * the credentials file and the audit trail (or its explicit absence) must be configured.
   */
  public void checkForServe() {
    ConfigChecks.forServe(credentials, audit);
  }

  /** Reads the YAML configuration file (an unknown setting is an error). */
  public static Config load(Path file) throws IOException {
    return ConfigYaml.read(file);
  }
}
