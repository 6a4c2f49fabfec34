package org.hsmkms.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.hsmkms.monitoring.Readiness;
import org.hsmkms.monitoring.ServiceMetrics;

/**
 * The management listener, apart from the KMS port: {@code GET /health/live}, {@code GET
 * /health/ready} and {@code GET /metrics} (Prometheus text format). Plain HTTP without SigV4, on
 * loopback unless configured otherwise (docs/monitoring.md).
 *
 * <p>The readiness checks (which borrow an HSM session and query the store) and the rendering of
 * the metrics run on a worker of their own ({@code hsm-kms-management}), never on the event loop
 * and never on an HSM worker, so that a busy service still answers its probes.
 *
 * <p>Security: the answers name checks and carry counters only; no key id, alias, principal or
 * error message reaches them.
 */
public final class ManagementServer {
  static final String JSON = "application/json";

  private final Vertx vertx;
  private final Readiness readiness;
  private final ServiceMetrics metrics;
  private final WorkerExecutor worker;
  private HttpServer server;

  public ManagementServer(Vertx vertx, Readiness readiness, ServiceMetrics metrics) {
    this.vertx = vertx;
    this.readiness = readiness;
    this.metrics = metrics;
    this.worker = vertx.createSharedWorkerExecutor("hsm-kms-management", 1);
  }

  /** Starts listening on {@code host:port} (0: a free port); completes with the bound port. */
  public Future<Integer> listen(String host, int port) {
    return vertx
        .createHttpServer(new HttpServerOptions().setHost(host).setPort(port).setIdleTimeout(60))
        .requestHandler(router())
        .listen()
        .map(
            s -> {
              server = s;
              return s.actualPort();
            });
  }

  public Future<Void> close() {
    Future<Void> closing = server == null ? Future.succeededFuture() : server.close();
    return closing.eventually(worker::close);
  }

  private Router router() {
    Router router = Router.router(vertx);
    router.get("/health/live").handler(ManagementServer::live);
    router.get("/health/ready").handler(this::ready);
    router.get("/metrics").handler(this::metrics);
    router.route().handler(ctx -> ctx.response().setStatusCode(404).end());
    return router;
  }

  /** Live while this process answers at all. */
  private static void live(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", JSON).end("{\"status\":\"live\"}");
  }

  private void ready(RoutingContext ctx) {
    worker
        .executeBlocking(readiness::check, false)
        .onComplete(
            ar -> {
              Readiness.Result r =
                  ar.succeeded() ? ar.result() : new Readiness.Result(false, "probe");
              ctx.response()
                  .setStatusCode(r.ready() ? 200 : 503)
                  .putHeader("Content-Type", JSON)
                  .putHeader("Cache-Control", "no-store")
                  .end(
                      r.ready()
                          ? "{\"status\":\"ready\"}"
                          // The check's name is one of this service's constants, never input.
                          : "{\"status\":\"unavailable\",\"failing\":\"" + r.failing() + "\"}");
            });
  }

  private void metrics(RoutingContext ctx) {
    worker
        .executeBlocking(metrics::scrape, false)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ctx.response().setStatusCode(500).end();
                return;
              }
              ctx.response()
                  .putHeader("Content-Type", ServiceMetrics.CONTENT_TYPE)
                  .end(ar.result());
            });
  }
}
