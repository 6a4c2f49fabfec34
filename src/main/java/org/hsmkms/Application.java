package org.hsmkms;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.hsmkms.api.KmsApi;
import org.hsmkms.api.KmsHttpServer;
import org.hsmkms.audit.AuditTrail;
import org.hsmkms.audit.FileAuditTrail;
import org.hsmkms.auth.CredentialStore;
import org.hsmkms.auth.SecretSealer;
import org.hsmkms.auth.SigV4Authenticator;
import org.hsmkms.config.Config;
import org.hsmkms.hsm.Hsm;
import org.hsmkms.hsm.KeyPairType;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.hsm.pkcs11.Pkcs11Settings;
import org.hsmkms.kms.Aliases;
import org.hsmkms.kms.AsymmetricOperations;
import org.hsmkms.kms.CryptoOperations;
import org.hsmkms.kms.DataKeyPairPool;
import org.hsmkms.kms.DataKeyPairs;
import org.hsmkms.kms.KeyManagement;
import org.hsmkms.kms.KeyPairServices;
import org.hsmkms.kms.KeySpec;
import org.hsmkms.kms.Keys;
import org.hsmkms.kms.MacOperations;
import org.hsmkms.kms.Reconciler;
import org.hsmkms.store.CachingMetadataStore;
import org.hsmkms.store.MetadataStore;
import org.hsmkms.store.jdbc.JdbcMetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The assembled service: HSM, store, KMS services and HTTP endpoint. Start-up reconciles the store
 * with the token before the first request is served.
 */
public final class Application implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Application.class);

  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final Hsm hsm;
  private final MetadataStore store;
  private final Reconciler reconciler;

  private final KmsHttpServer http;
  private final int port;
  private final long deletionTimer;
  private final DataKeyPairPool keyPairPool;
  private final long credentialsTimer;
  private final CredentialStore credentials;
  private final AuditTrail audit;

  private Application(Config config, Hsm hsm, MetadataStore store, Clock clock) {
    this.hsm = hsm;
    this.store = store;
    checkListener(config.server());
    Keys keys = new Keys(store);
    this.reconciler = new Reconciler(hsm, store, keys, clock);
    // Before any request, and not beside them: SoftHSM2 answered a key pair generation with
    // CKR_GENERAL_ERROR while another thread listed the token.
    reconciler.reconcile();
    reconciler.deleteDueKeys();
    this.credentials = credentialStore(config, hsm);
    this.audit = auditTrail(config);
    int sessions = config.hsm().sessions();
    int eventLoops = Math.max(2, Runtime.getRuntime().availableProcessors());
    this.vertx =
        Vertx.vertx(
            new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(eventLoops));
    if (!vertx.isNativeTransportEnabled()) {
      LOG.info(
          "native network transport unavailable, using Java NIO: {}",
          String.valueOf(vertx.unavailableNativeTransportCause()));
    }
    // The worker pool is as large as the HSM session pool: a larger one would only queue on it.
    this.workers =
        vertx.createSharedWorkerExecutor("hsm-kms-worker", sessions, 60, TimeUnit.SECONDS);
    this.keyPairPool =
        new DataKeyPairPool(hsm, poolSizes(config.dataKeyPairs()), config.dataKeyPairs().prefill());
    AsymmetricOperations asymmetric = new AsymmetricOperations(hsm, keys);
    CryptoOperations crypto = new CryptoOperations(hsm, store, keys, asymmetric);
    KeyPairServices keyPairs =
        new KeyPairServices(
            asymmetric, new MacOperations(hsm, keys), new DataKeyPairs(keys, crypto, keyPairPool));
    // Signatures are checked against the wall clock, never the (test-movable) service clock.
    SigV4Authenticator authenticator =
        new SigV4Authenticator(
            "kms", credentials == null ? id -> null : credentials, Clock.systemUTC());
    KmsApi api =
        new KmsApi(
            new KeyManagement(hsm, store, keys, clock),
            new Aliases(store, keys, clock),
            crypto,
            keyPairs);
    this.http =
        new KmsHttpServer(
            vertx, workers, authenticator, api, config.server().maxBodyBytes(), audit, eventLoops);
    Config.Tls tls = config.server().tls();
    this.port =
        http.listen(
                config.server().host(),
                config.server().port(),
                tls == null ? null : Path.of(tls.certificateFile()),
                tls == null ? null : Path.of(tls.privateKeyFile()))
            .toCompletionStage()
            .toCompletableFuture()
            .join();
    long intervalMs = Math.max(1, config.deletion().checkIntervalSeconds()) * 1000;
    this.deletionTimer =
        vertx.setPeriodic(
            intervalMs,
            id ->
                workers
                    .executeBlocking(reconciler::deleteDueKeys, false)
                    .onFailure(t -> LOG.error("deletion sweep failed", t)));
    this.credentialsTimer =
        credentials == null
            ? -1
            : vertx.setPeriodic(
                config.credentials().reloadIntervalSeconds() * 1000,
                id ->
                    workers
                        .executeBlocking(credentials::reloadIfChanged, false)
                        .onFailure(t -> LOG.error("credentials reload failed", t)));
  }

  /**
   * Plain HTTP only on loopback, unless the configuration says otherwise in so many words: SigV4
   * protects integrity but not confidentiality, and plaintext data keys travel in the answers.
   */
  private static void checkListener(Config.Server server) {
    if (server.tls() != null || server.allowPlainHttp()) {
      return;
    }
    boolean loopback;
    try {
      loopback = InetAddress.getByName(server.host()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("server.host " + server.host() + " does not resolve");
    }
    if (!loopback) {
      throw new IllegalArgumentException(
          "refusing plain HTTP on "
              + server.host()
              + ", which is not a loopback address: configure server.tls (certificateFile,"
              + " privateKeyFile), or set server.allowPlainHttp: true if a TLS proxy in front of"
              + " the service protects the traffic");
    }
  }

  private static CredentialStore credentialStore(Config config, Hsm hsm) {
    if (config.credentials() == null) {
      LOG.warn("no credentials file configured: every request is refused");
      return null;
    }
    CredentialStore c =
        new CredentialStore(Path.of(config.credentials().file()), new SecretSealer(hsm));
    c.load();
    return c;
  }

  private static AuditTrail auditTrail(Config config) {
    Config.Audit a = config.audit();
    if (a == null || !a.enabled()) {
      LOG.warn("audit trail disabled by configuration");
      return AuditTrail.disabled();
    }
    return new FileAuditTrail(
        Path.of(a.file()), a.maxFileBytes(), a.maxFiles(), a.fsync(), a.failClosed());
  }

  /** Work done with the open HSM before the service reads its credentials and starts. */
  @FunctionalInterface
  public interface Preparation {
    void prepare(Hsm hsm) throws IOException;
  }

  /**
   * Opens the HSM and the store and starts serving.
   *
   * @param pin the token user PIN; zeroed by this method
   */
  public static Application start(Config config, char[] pin, Clock clock) {
    return start(config, pin, clock, hsm -> {});
  }

  /**
   * Like {@link #start(Config, char[], Clock)}, running {@code before} with the open HSM first (so
   * that {@code dev} writes its access key without opening the token twice: SoftHSM2 reads every
   * object of the token each time it is opened).
   */
  public static Application start(Config config, char[] pin, Clock clock, Preparation before) {
    Hsm hsm = null;
    MetadataStore store = null;
    try {
      Config.Hsm h = config.hsm();
      hsm =
          Pkcs11Hsm.open(
              new Pkcs11Settings(
                  h.module(),
                  h.tokenLabel(),
                  pin,
                  h.sessions(),
                  h.sessionWaitMillis(),
                  h.workingCopies()));
      try {
        before.prepare(hsm);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      store = new JdbcMetadataStore(config.store().url());
      if (config.store().url().startsWith("jdbc:sqlite:")) {
        // The embedded database has one writer, this process, so its rows can be cached.
        store = new CachingMetadataStore(store);
      }
      return new Application(config, hsm, store, clock);
    } catch (RuntimeException e) {
      if (store != null) {
        store.close();
      }
      if (hsm != null) {
        hsm.close();
      }
      throw e;
    } finally {
      Arrays.fill(pin, '\0');
    }
  }

  public int port() {
    return port;
  }

  /** The HSM adapter, for operators' tools and tests. */
  public Hsm hsm() {
    return hsm;
  }

  public MetadataStore store() {
    return store;
  }

  public Reconciler reconciler() {
    return reconciler;
  }

  /** The pool of pregenerated data key pairs, for operators' tools and tests. */
  public DataKeyPairPool dataKeyPairPool() {
    return keyPairPool;
  }

  private static Map<KeyPairType, Integer> poolSizes(Config.DataKeyPairs config) {
    Map<KeyPairType, Integer> sizes = new EnumMap<>(KeyPairType.class);
    config
        .poolSizes()
        .forEach(
            (spec, size) ->
                KeySpec.of(spec)
                    .filter(KeySpec::isAsymmetric)
                    .ifPresent(s -> sizes.put(s.keyPairType(), size)));
    return sizes;
  }

  /** The access keys in use (null when no credentials file is configured). */
  public CredentialStore credentials() {
    return credentials;
  }

  @Override
  public void close() {
    vertx.cancelTimer(deletionTimer);
    if (credentialsTimer >= 0) {
      vertx.cancelTimer(credentialsTimer);
    }
    try {
      http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      workers.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("shutdown of the HTTP side did not finish cleanly: {}", e.toString());
    } finally {
      audit.close();
      if (credentials != null) {
        credentials.close();
      }
      keyPairPool.close();
      store.close();
      hsm.close();
    }
  }
}
