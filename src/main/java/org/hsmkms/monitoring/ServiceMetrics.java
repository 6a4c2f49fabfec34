package org.hsmkms.monitoring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;
import org.hsmkms.audit.AuditTrail;
import org.hsmkms.hsm.HsmStatus;
import org.hsmkms.store.ClusterChanges;
import org.hsmkms.store.MetadataStore;

/**
 * The service's meters, in one Micrometer registry that {@code GET /metrics} renders in the
 * Prometheus text format: requests ({@link RequestMeters}), the HSM's session pool and working
 * copies, the data key pair pools, the audit trail, the store's latency, and the JVM's own.
 *
 * <p>Only this package knows Micrometer; the other rooms hand it numbers (role interfaces,
 * suppliers) and never see a meter.
 *
 * <p>Security: no label carries a key id, an alias or any other client-chosen string; label values
 * are operation names of the AWS model, error types, KeyPairSpecs, request quota classes and store
 * method names.
 */
public final class ServiceMetrics implements AutoCloseable {
  /** The latency histograms' buckets: from a cached read to a slow RSA-4096 generation. */
  static final Duration[] LATENCY_BUCKETS = {
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  /** The Content-Type of {@link #scrape()}: the Prometheus text format 0.0.4. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Counter auditFailures;
  private final Timer auditWrites;
  private final Map<String, Counter> throttled = new ConcurrentHashMap<>();

  /** What function counters read and nothing else holds (Micrometer references them weakly). */
  private final List<Object> strongly = new CopyOnWriteArrayList<>();

  public ServiceMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    auditFailures =
        Counter.builder("hsmkms.audit.failures")
            .description("Audit records that could not be written")
            .register(registry);
    auditWrites =
        Timer.builder("hsmkms.audit.write.duration")
            .description("Time to write one audit record (records are written synchronously)")
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry);
  }

  /** The meters of requests to the operations of the AWS model (call once per server). */
  public RequestMeters requests(Set<String> operations) {
    return new RequestMeters(registry, operations);
  }

  /** Requests being served now (the KMS listener's count). */
  public void requestsInFlight(IntSupplier inFlight) {
    Gauge.builder("hsmkms.requests.in.flight", inFlight::getAsInt)
        .description("Requests received and not yet answered")
        .register(registry);
  }

  /** An audit record was written, in {@code nanos}. */
  public void auditWritten(long nanos) {
    auditWrites.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** An audit record could not be written. */
  public void auditFailed() {
    auditFailures.increment();
  }

  /** Whether the audit trail can write (1) or its last write failed (0). */
  public void audit(AuditTrail audit) {
    Gauge.builder("hsmkms.audit.available", () -> audit.available() ? 1 : 0)
        .description("1 while the audit trail can write, 0 after a failed write")
        .register(registry);
  }

  /**
   * A request refused for its request quota, by quota class (a fixed set of names: {@code
   * symmetric}, {@code GenerateDataKeyPair:RSA_4096}, {@code CreateKey}, ...; never an account).
   */
  public void throttled(String quotaClass) {
    throttled
        .computeIfAbsent(
            quotaClass,
            c ->
                Counter.builder("hsmkms.requests.throttled")
                    .description(
                        "Requests refused with ThrottlingException, by request quota class")
                    .tag("quota_class", c)
                    .register(registry))
        .increment();
  }

  /** The meters of the audit trail under load (call once per server). */
  public AuditMeters auditMeters() {
    return new AuditMeters(registry);
  }

  /** The HSM's session pool and working copies. */
  public void hsm(HsmStatus hsm) {
    Gauge.builder("hsmkms.hsm.sessions.in.use", hsm::sessionsInUse)
        .description("HSM sessions borrowed now")
        .register(registry);
    Gauge.builder("hsmkms.hsm.sessions.max", hsm::sessionsMax)
        .description("The size of the HSM session pool")
        .register(registry);
    FunctionCounter.builder("hsmkms.hsm.session.waits", hsm, HsmStatus::sessionWaits)
        .description("Borrows that found every HSM session in use and waited")
        .register(registry);
    FunctionCounter.builder("hsmkms.hsm.session.timeouts", hsm, HsmStatus::sessionTimeouts)
        .description("Borrows that found no HSM session within their bound")
        .register(registry);
    Gauge.builder("hsmkms.hsm.working.copies", hsm::workingCopies)
        .description("Keys with a working copy (a session object) in the HSM")
        .register(registry);
  }

  /** The pool of pregenerated data key pairs of one KeyPairSpec: pairs ready, and its size. */
  public void dataKeyPairPool(String keyPairSpec, IntSupplier ready, IntSupplier capacity) {
    Gauge.builder("hsmkms.data.key.pairs.ready", ready::getAsInt)
        .description("Pregenerated data key pairs ready, by KeyPairSpec")
        .tag("spec", keyPairSpec)
        .register(registry);
    Gauge.builder("hsmkms.data.key.pairs.capacity", capacity::getAsInt)
        .description("The size of the pool of pregenerated data key pairs, by KeyPairSpec")
        .tag("spec", keyPairSpec)
        .register(registry);
  }

  /**
   * The KMS listener's connections: open now, closed at once past a connection limit, and closed
   * for taking too long over a request's headers or body.
   */
  public void connections(IntSupplier open, LongSupplier refused, LongSupplier timedOut) {
    // Micrometer holds a function counter's object weakly: these lambdas are kept here.
    strongly.add(refused);
    strongly.add(timedOut);
    Gauge.builder("hsmkms.connections.open", open::getAsInt)
        .description("Connections open on the KMS listener")
        .register(registry);
    FunctionCounter.builder("hsmkms.connections.refused", refused, LongSupplier::getAsLong)
        .description("Connections closed at once, past connections.maxConnections(PerAddress)")
        .register(registry);
    FunctionCounter.builder("hsmkms.connections.timed.out", timedOut, LongSupplier::getAsLong)
        .description("Connections closed for taking too long over a request's headers or body")
        .register(registry);
  }

  /**
   * One class of work (fast, slow, background) and its executor {@code queue} (held by its owner;
   * the meters keep only a weak reference): tasks waiting in its queues, tasks running, and
   * requests refused because its queues were full. Labelled by class only, never by account.
   */
  public <T> void workClass(
      String workClass,
      T queue,
      ToDoubleFunction<T> waiting,
      ToDoubleFunction<T> running,
      ToDoubleFunction<T> refused) {
    Gauge.builder("hsmkms.work.queue.depth", queue, waiting)
        .description("Tasks waiting for a thread of their class of work")
        .tag("class", workClass)
        .register(registry);
    Gauge.builder("hsmkms.work.running", queue, running)
        .description("Tasks running on the threads of their class of work")
        .tag("class", workClass)
        .register(registry);
    FunctionCounter.builder("hsmkms.work.throttled", queue, refused)
        .description("Requests refused (ThrottlingException) because their class's queue was full")
        .tag("class", workClass)
        .register(registry);
  }

  /** {@code store} with the latency of each of its methods measured. */
  public MetadataStore timed(MetadataStore store) {
    return TimedStore.wrap(store, registry);
  }

  /** The meters of the cluster change feed: lag and cache invalidations. */
  public ClusterChanges.Observer clusterChanges() {
    return new ClusterChangeMeters(registry);
  }

  /** Every meter in the Prometheus text format ({@link #CONTENT_TYPE}). */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
