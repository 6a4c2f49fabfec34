package org.hsmkms.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.hsmkms.audit.AuditTrail;
import org.hsmkms.auth.Authenticator;
import org.hsmkms.auth.IdentityPolicies;
import org.hsmkms.config.Audit;
import org.hsmkms.config.Connections;
import org.hsmkms.kms.ProtocolErrors;
import org.hsmkms.monitoring.AuditMeters;
import org.hsmkms.monitoring.RequestMeters;
import org.hsmkms.monitoring.ServiceMetrics;
import org.hsmkms.quota.RequestQuotas;
import org.hsmkms.work.WorkQueues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AWS KMS JSON 1.1 endpoint: {@code POST /} with {@code X-Amz-Target: TrentService.<Op>}.
 *
 * <p>A request goes through a chain of small handlers, each with one job ({@link #router()} lists
 * them in order). On the event loop: request id, target, the checks of the headers alone (SigV4's
 * header part and the content type, answered without reading the body), body limit, SigV4
 * authentication, JSON parsing and model validation, authorization (account-level permissions;
 * those on keys when the operation resolves them), the audit gate. On the executor of the request's
 * class of work (fast or slow, queued per account; {@link org.hsmkms.work.WorkQueues}): the
 * operation itself, the serialization of its answer (so that plaintext is encoded and zeroed on one
 * thread) and its audit record. Every response carries {@code x-amzn-RequestId}; every error is
 * {@code {"__type", "message"}} and never a stack trace.
 *
 * <p>Every request, refused or served, gets one audit record before its response is sent. When the
 * trail fails closed, an answer whose record could not be written is replaced by
 * KMSInternalException, and no operation starts while the trail is known to be unwritable.
 *
 * <p>Every request is counted in the metrics by operation and outcome ({@link RequestMeters}), and
 * while in flight ({@link InFlightRequests}), so that {@link #drain} can let it finish on shutdown.
 */
public final class KmsHttpServer {
  private static final Logger LOG = LoggerFactory.getLogger(KmsHttpServer.class);
  private final Vertx vertx;
  private final WorkQueues work;
  private final WorkerExecutor auditWorkers;
  private final Authenticator authenticator;
  private final IdentityPolicies identities;
  private final Clock clock;
  private final ModelValidator validator;
  private final KmsApi api;
  private final long maxBodyBytes;
  private volatile long throttledDelayMillis;
  private final AuditTrail audit;
  private final HttpListeners listeners;
  private final ServiceMetrics metrics;
  private final RequestQuotas quotas;
  private final RequestMeters requests;
  private final InFlightRequests inFlight = new InFlightRequests();
  private final ConnectionGuard guard;
  private final AuditMeters auditMeters;
  private volatile AuditLoad auditLoad;

  /**
   * @param work the executors operations run on, by class of work
   * @param identities the callers' identity policies
   * @param clock the time policies compare with ({@code aws:CurrentTime})
   * @param api the operations, built by the composition root
   * @param maxBodyBytes the largest body accepted; a larger one is answered with HTTP 413
   * @param listeners how many listeners (event loops) share the port
   * @param metrics where requests are counted and timed
   * @param quotas the request quotas, or null for none
   * @param connections the bounds on connections: how many, how slow, how much buffer
   */
  public KmsHttpServer(
      Vertx vertx,
      WorkQueues work,
      Authenticator authenticator,
      IdentityPolicies identities,
      Clock clock,
      KmsApi api,
      long maxBodyBytes,
      AuditTrail audit,
      int listeners,
      ServiceMetrics metrics,
      RequestQuotas quotas,
      Connections connections) {
    this.guard = new ConnectionGuard(vertx, connections);
    this.listeners = new HttpListeners(vertx, listeners, this::router, guard::opened);
    this.vertx = vertx;
    this.work = work;
    // Records of requests refused on the event loop are written here, off the event loop and
    // without taking an HSM worker.
    this.auditWorkers = vertx.createSharedWorkerExecutor("hsm-kms-audit", 2);
    this.authenticator = authenticator;
    this.identities = identities;
    this.clock = clock;
    this.validator = ModelValidator.load(Json.MAPPER);
    this.api = api;
    this.maxBodyBytes = maxBodyBytes;
    this.audit = audit;
    this.metrics = metrics;
    this.quotas = quotas;
    this.requests = metrics.requests(validator.operations());
    metrics.requestsInFlight(inFlight::count);
    metrics.connections(guard::open, guard::refused, guard::timedOut);
    this.auditMeters = metrics.auditMeters();
    auditMeters.watch(() -> auditLoad.depth(), audit);
    Audit defaults = Audit.toFile("-");
    boundAudit(
        defaults.refusalWindowMillis(), defaults.refusalMaxAddresses(), defaults.queueCapacity());
  }

  /**
   * Sends each ThrottlingException after {@code millis} (0: at once), holding no thread: a client
   * that retries at once without backing off is slowed to a few requests a second per connection
   * (docs/quotas.md). Call before {@link #listen}.
   */
  public void delayThrottledAnswers(long millis) {
    this.throttledDelayMillis = millis;
  }

  /**
   * How refused requests are recorded under load (docs/audit.md): unauthenticated refusals
   * summarized per address over {@code windowMillis} (0: each recorded alone), at most {@code
   * maxAddresses} addresses per window, at most {@code queueCapacity} records waiting. Call before
   * {@link #listen}; the defaults are those of the {@code audit} configuration.
   */
  public void boundAudit(long windowMillis, int maxAddresses, int queueCapacity) {
    this.auditLoad = new AuditLoad(audit, auditMeters, windowMillis, maxAddresses, queueCapacity);
  }

  /**
   * Starts listening, with HTTPS when a certificate and key are given; completes with the bound
   * port. One listener per event loop shares the port ({@link HttpListeners}).
   *
   * @param certificate PEM certificate chain, or null for plain HTTP
   * @param privateKey PEM private key of the certificate, or null for plain HTTP
   */
  public Future<Integer> listen(String host, int port, Path certificate, Path privateKey) {
    auditLoad.start(vertx, auditWorkers);
    return listeners.listen(guard.apply(options(host, port, certificate, privateKey)));
  }

  public Future<Void> close() {
    guard.stop();
    return listeners
        .close()
        .eventually(
            () ->
                auditWorkers.executeBlocking(
                    () -> {
                      auditLoad.stop(vertx);
                      return null;
                    }))
        .eventually(auditWorkers::close);
  }

  /**
   * Graceful shutdown: stops accepting connections, lets the requests in flight finish (at most
   * {@code grace}), then closes. Requests that arrive meanwhile on connections already open are
   * still served, and answered with {@code Connection: close}. Blocks: call it off the event loop.
   */
  public void drain(Duration grace) throws Exception {
    inFlight.drain();
    long start = System.nanoTime();
    try {
      listeners
          .shutdown(grace)
          .toCompletionStage()
          .toCompletableFuture()
          .get(grace.toMillis() + 5000, TimeUnit.MILLISECONDS);
      long left = grace.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      int unfinished = inFlight.awaitNone(Math.max(0, left));
      if (unfinished > 0) {
        LOG.warn("{} requests still in flight after {} s; closing", unfinished, grace.toSeconds());
      }
    } finally {
      guard.stop();
      auditLoad.stop(vertx);
      auditWorkers.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * The request pipeline, in the order a request goes through it. Each link either passes the
   * request on ({@code next()}) or fails it with a KmsException, which the one failure handler
   * turns into the AWS error; what the links learn travels in the request's {@link Exchange}. Made
   * once per listener.
   */
  private Router router() {
    AuditRecorder recorder = new AuditRecorder(audit, metrics, requests);
    Router router = Router.router(vertx);
    router.route().handler(guard::headersReceived);
    router.route().handler(inFlight);
    router.route().handler(new RequestIdHandler());
    // The target is named before the body is read (so that a refused request's record names its
    // operation); Vert.x wants a body handler first in its route, hence a route of its own.
    // So are the checks that need only headers: such a refusal never receives the body.
    router
        .post("/")
        .handler(new TargetHandler(validator.operations(), api))
        .handler(new HeaderCheckHandler(authenticator));
    router
        .post("/")
        .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
        .handler(guard::bodyReceived)
        .handler(new AuthenticationHandler(authenticator))
        .handler(new ParseAndValidateHandler(validator))
        .handler(new QuotaHandler(quotas, metrics))
        // After authentication and validation, so that it judges only well-formed requests of
        // known callers; key-level decisions follow when the operation resolves its keys.
        .handler(new AuthorizationHandler(identities, clock))
        .handler(new AuditGateHandler(audit, auditLoad))
        .handler(new DispatchHandler(work, recorder, api::succeeded));
    router.route().handler(KmsHttpServer::unknownRoute);
    router
        .route()
        .failureHandler(
            new FailureHandler(auditWorkers, recorder, maxBodyBytes, auditLoad)
                .delayingThrottled(throttledDelayMillis));
    return router;
  }

  /** Anything but {@code POST /}: the JSON protocol has no such operation. */
  private static void unknownRoute(RoutingContext ctx) {
    ctx.fail(ProtocolErrors.unknownOperation());
  }

  private static HttpServerOptions options(
      String host, int port, Path certificate, Path privateKey) {
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(host)
            .setPort(port)
            .setMaxHeaderSize(16 * 1024)
            // HTTP/1.1 only, as AWS KMS endpoints speak it; the signed Host header then always
            // exists.
            .setHttp2ClearTextEnabled(false);
    if (certificate != null) {
      options
          .setSsl(true)
          .setKeyCertOptions(
              new PemKeyCertOptions()
                  .setCertPath(certificate.toString())
                  .setKeyPath(privateKey.toString()))
          .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"));
    }
    return options;
  }
}
