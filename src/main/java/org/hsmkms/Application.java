package org.hsmkms;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.hsmkms.api.KmsApi;
import org.hsmkms.api.KmsHttpServer;
import org.hsmkms.audit.AuditTrail;
import org.hsmkms.auth.CredentialStore;
import org.hsmkms.auth.IdentityPolicies;
import org.hsmkms.auth.SigV4Authenticator;
import org.hsmkms.config.Config;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.hsm.pkcs11.Pkcs11Settings;
import org.hsmkms.kms.DataKeyPairPool;
import org.hsmkms.kms.GrantIndex;
import org.hsmkms.kms.ImportSweep;
import org.hsmkms.kms.KeyAuthorizer;
import org.hsmkms.kms.KeyMaterialImport;
import org.hsmkms.kms.KeyUsageTracker;
import org.hsmkms.kms.Keys;
import org.hsmkms.kms.MaterialRotation;
import org.hsmkms.kms.Reconciler;
import org.hsmkms.kms.ServiceKeyRemoval;
import org.hsmkms.kms.UsageLimits;
import org.hsmkms.kms.cluster.ClusterNode;
import org.hsmkms.store.ClusterStore;
import org.hsmkms.store.EmbeddedStoreLock;
import org.hsmkms.store.MetadataStore;
import org.hsmkms.work.WorkQueues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The assembled service: HSM, store, KMS services and HTTP endpoint.
 *
 * <p>Construction only takes the configuration; {@link #start} opens the parts in order (metrics,
 * Vert.x and the management listener, HSM, store, start-up reconciliation, key-pair pool,
 * credentials, audit trail, the workers, the KMS listeners, the periodic sweeps) and, when a step
 * fails, closes what it had opened, the last first, before it rethrows. {@link #close()} closes
 * what is open in the same reverse order.
 */
public final class Application implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Application.class);

  private final Config config;
  private final Clock clock;
  private final OpenParts parts = new OpenParts();
  private final Monitoring monitoring = new Monitoring();

  // Set by open(), in this order.
  private Pkcs11Hsm hsm;
  private MetadataStore store;
  private ClusterStore cluster;
  private ClusterNode node;
  private Reconciler reconciler;
  private UsageLimits usageLimits;
  private MaterialRotation materialRotation;
  private KeyMaterialImport imports;
  private ImportSweep importSweep;
  private WorkQueues work;
  private DataKeyPairPool keyPairPool;
  private CredentialStore credentials;
  private KeyUsageTracker keyUsage;
  private Vertx vertx;
  private int port;
  private Optional<StartupWarmup.Outcome> warmup = Optional.empty();

  private Application(Config config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  /** Work done with the open HSM before the service reads its credentials and starts. */
  @FunctionalInterface
  public interface Preparation {
    void prepare(Pkcs11Hsm hsm) throws IOException;
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
   * object of the token each time it is opened). When a step fails, everything opened before it is
   * closed again and the failure is rethrown (failures to close are added to it as suppressed).
   */
  public static Application start(Config config, char[] pin, Clock clock, Preparation before) {
    Application app = new Application(config, clock);
    try {
      app.open(pin, before);
      return app;
    } catch (RuntimeException | Error e) {
      app.parts.closeAll().forEach(e::addSuppressed);
      throw e;
    } finally {
      Arrays.fill(pin, '\0');
    }
  }

  private void open(char[] pin, Preparation before) {
    ConfiguredParts.checkListener(config.server());
    if (config.store().url().startsWith("jdbc:sqlite:")) {
      EmbeddedStoreLock lock = EmbeddedStoreLock.acquire(config.store().url());
      parts.add("the embedded store's lock", lock == null ? () -> {} : lock::close);
    }
    parts.add("the metrics", monitoring.metrics::close);
    openVertx();
    openHsm(pin);
    try {
      before.prepare(hsm);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    openStore();
    // What authorization asks of a key's grants, and the authorizer every key lookup calls.
    GrantIndex grantIndex = new GrantIndex(store);
    Keys keys = new Keys(store, new KeyAuthorizer(store, grantIndex));
    this.reconciler = new Reconciler(hsm.inventory(), store, keys, clock, node);
    // Before any request, and not beside them: SoftHSM2 answered a key pair generation with
    // CKR_GENERAL_ERROR while another thread listed the token.
    reconciler.reconcile();
    reconciler.deleteDueKeys();
    openRotation(keys);
    this.imports =
        new KeyMaterialImport(
            hsm.keyImport(), hsm.inventory(), hsm.random(), store, keys, clock, node);
    this.importSweep =
        new ImportSweep(imports, hsm.keyImport(), hsm.inventory(), store, keys, clock, node);
    importSweep.reconcile();
    importSweep.sweep();
    // The threads of each class of work; the pool's refill takes its turn in the slow class.
    this.work = ConfiguredParts.workQueues(config);
    parts.add("the work queues", work::close);
    monitoring.watch(work);
    this.keyPairPool =
        new DataKeyPairPool(
            hsm.dataKeyPairs(),
            ConfiguredParts.poolSizes(config.dataKeyPairs()),
            config.dataKeyPairs().prefill(),
            work.keyPairRefill());
    parts.add("the data key pair pool", keyPairPool::close);
    this.credentials = ConfiguredParts.credentialStore(config, hsm);
    if (credentials != null) {
      parts.add("the credentials", credentials::close);
      monitoring.readiness.add("credentials", credentials::checkUsable);
    }
    AuditTrail audit = ConfiguredParts.auditTrail(config, hsm);
    parts.add("the audit trail", audit::close);
    monitoring.watch(hsm.status(), store, audit);
    monitoring.watch(keyPairPool, config.dataKeyPairs());
    serve(keys, audit);
    monitoring.readiness.serving();
  }

  /**
   * Vert.x, and the management listener on it: opened first, so that a long start (a token with
   * many keys, a prefilled pool) answers live and not ready ({@code starting}).
   */
  private void openVertx() {
    int eventLoops = Math.max(2, Runtime.getRuntime().availableProcessors());
    Vertx v =
        Vertx.vertx(
            new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(eventLoops));
    this.vertx = v;
    parts.add("Vert.x", () -> await(v.close()));
    if (!v.isNativeTransportEnabled()) {
      LOG.info(
          "native network transport unavailable, using Java NIO: {}",
          String.valueOf(v.unavailableNativeTransportCause()));
    }
    try {
      monitoring.listen(v, config.server(), parts);
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot listen on the management port "
              + config.server().managementHost()
              + ":"
              + config.server().managementPort(),
          e);
    }
  }

  private void openHsm(char[] pin) {
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
    parts.add("the HSM", hsm::close);
  }

  /** The usage counters of key materials (closed after the workers: they store exact counts). */
  private void openRotation(Keys keys) {
    Config.Rotation r = config.rotation();
    usageLimits =
        new UsageLimits(
            UsageLimits.Reservations.shared(cluster),
            new UsageLimits.Settings(
                r.rotateAfterEncryptions(), r.refuseAfterEncryptions(), r.usageBatch()));
    parts.add("the usage counters", usageLimits::close);
    materialRotation =
        new MaterialRotation(hsm.inventory(), hsm.random(), store, keys, usageLimits, clock);
    // Rotations that fell due while the service was stopped.
    materialRotation.sweep();
  }

  private void openStore() {
    StoreOpening.Opened opened = StoreOpening.open(config.store(), monitoring.metrics);
    store = opened.store();
    cluster = opened.cluster();
    parts.add("the metadata store", store::close);
    node = new ClusterNode(cluster, config.cluster().heartbeat(), config.cluster().lease());
    // An embedded store is this process's alone (its lock is held): no other node is alive.
    node.start(config.store().url().startsWith("jdbc:sqlite:"));
    parts.add("the cluster node", node::close);
  }

  /** The KMS services behind the HTTP listeners, and the periodic work. */
  private void serve(Keys keys, AuditTrail audit) {
    // GetKeyLastUsage: noted per request, flushed periodically and once after Vert.x closes.
    this.keyUsage = new KeyUsageTracker(store, clock);
    keyUsage.start();
    parts.add("the key usage flush", keyUsage::flush);
    int eventLoops = Math.max(2, Runtime.getRuntime().availableProcessors());
    // Signatures are checked against the wall clock, never the (test-movable) service clock.
    SigV4Authenticator authenticator =
        new SigV4Authenticator(
            "kms", credentials == null ? id -> null : credentials, Clock.systemUTC());
    // The services over the open parts; the warm-up's have a key-usage tracker of their own.
    Function<KeyUsageTracker, KmsApi> apis =
        tracker ->
            KmsServices.api(
                hsm,
                store,
                keys,
                clock,
                usageLimits,
                keyPairPool,
                materialRotation,
                tracker,
                imports,
                ConfiguredParts.resourceQuotas(config.quotas()));
    KmsApi api = apis.apply(keyUsage);
    KmsHttpServer http =
        new KmsHttpServer(
            vertx,
            work,
            authenticator,
            credentials == null ? IdentityPolicies.NONE : credentials,
            clock,
            api,
            config.server().maxBodyBytes(),
            audit,
            eventLoops,
            monitoring.metrics,
            ConfiguredParts.requestQuotas(config.quotas()),
            config.connections());
    http.delayThrottledAnswers(config.quotas().throttledAnswerDelayMillis());
    if (config.audit() != null) {
      http.boundAudit(
          config.audit().refusalWindowMillis(),
          config.audit().refusalMaxAddresses(),
          config.audit().queueCapacity());
    }
    // Before the public listener opens and readiness turns true: the JIT compiles the request path.
    this.warmup =
        new StartupWarmup(vertx, work, config, clock, eventLoops)
            .run(apis, store, new ServiceKeyRemoval(hsm.inventory(), store, keys));
    // Closing drains: no new connections, the requests in flight finish (bounded), then close.
    Duration drain = Duration.ofSeconds(config.server().drainSeconds());
    parts.add("the HTTP listeners", () -> http.drain(drain));
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
    PeriodicWork.start(
        vertx, work, parts, node, config, reconciler, materialRotation, usageLimits, importSweep);
    long usageTimer =
        vertx.setPeriodic(
            config.keyUsage().flushIntervalSeconds() * 1000,
            id -> work.background("the key usage flush", keyUsage::flush));
    parts.add("the key usage flush timer", () -> vertx.cancelTimer(usageTimer));
    if (credentials != null) {
      long credentialsTimer =
          vertx.setPeriodic(
              config.credentials().reloadIntervalSeconds() * 1000,
              id -> work.background("the credentials reload", credentials::reloadIfChanged));
      parts.add("the credentials reload", () -> vertx.cancelTimer(credentialsTimer));
    }
  }

  /** Waits for a Vert.x part to stop, as long as shutting down may reasonably take. */
  private static void await(Future<Void> closing) throws Exception {
    closing.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  public int port() {
    return port;
  }

  /** The management listener's port (health, metrics); -1 when there is none. */
  public int managementPort() {
    return monitoring.port();
  }

  /** What the start-up warm-up did; empty when it was off. */
  Optional<StartupWarmup.Outcome> warmup() {
    return warmup;
  }

  /** The HSM adapter, for operators' tools and tests. */
  public Pkcs11Hsm hsm() {
    return hsm;
  }

  public MetadataStore store() {
    return store;
  }

  /** The imported key material sweep (tests run it instead of waiting for its timer). */
  public ImportSweep importSweep() {
    return importSweep;
  }

  public Reconciler reconciler() {
    return reconciler;
  }

  /** The rotation of key materials: the sweep, for operators' tools and tests. */
  public MaterialRotation materialRotation() {
    return materialRotation;
  }

  /** The usage counts of key materials, for operators' tools and tests. */
  public UsageLimits usageLimits() {
    return usageLimits;
  }

  /** The executors of the classes of work, for operators' tools and tests. */
  public WorkQueues work() {
    return work;
  }

  /** The pool of pregenerated data key pairs, for operators' tools and tests. */
  public DataKeyPairPool dataKeyPairPool() {
    return keyPairPool;
  }

  /** The last uses of keys (GetKeyLastUsage), for operators' tools and tests. */
  public KeyUsageTracker keyUsage() {
    return keyUsage;
  }

  /** The access keys in use (null when no credentials file is configured). */
  public CredentialStore credentials() {
    return credentials;
  }

  /**
   * Stops serving and closes every part that is open, the last opened first. Readiness turns false
   * at once; the sweeps stop; the KMS listener stops accepting and the requests in flight finish
   * (at most {@code server.drainSeconds}); then the workers, the audit trail, the credentials, the
   * key-pair pool, the store, the HSM, the management listener and Vert.x close. A part that fails
   * to close is logged and does not keep the others open. Closing twice closes nothing more. The
   * commands run this from a shutdown hook, so SIGTERM shuts down the same way.
   */
  @Override
  public void close() {
    monitoring.readiness.draining();
    parts.closeAll();
  }
}
