package org.hsmkms.api;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Several HTTP listeners on one port, one per event loop.
 *
 * <p>A server in Vert.x handles all its connections on the event loop it was made on. So that the
 * event loop work of requests (HTTP and whatever the handler does there) runs on every core, one
 * listener is deployed per event loop on the same port, and Vert.x hands new connections to them in
 * turn. The service and the bench's HTTP floor both listen this way.
 */
public final class HttpListeners {
  private final Vertx vertx;
  private final int listeners;
  private final Supplier<Handler<HttpServerRequest>> handler;
  private final Handler<HttpConnection> connections;
  private final List<String> deployments = new ArrayList<>();
  private final List<HttpServer> servers = new ArrayList<>();

  /**
   * @param listeners how many listeners (event loops) share the port
   * @param handler makes the request handler of one listener; called once per listener
   */
  public HttpListeners(Vertx vertx, int listeners, Supplier<Handler<HttpServerRequest>> handler) {
    this(vertx, listeners, handler, null);
  }

  /**
   * @param connections told of every new connection (e.g. to limit them); null for none
   */
  HttpListeners(
      Vertx vertx,
      int listeners,
      Supplier<Handler<HttpServerRequest>> handler,
      Handler<HttpConnection> connections) {
    if (listeners < 1) {
      throw new IllegalArgumentException("listeners must be at least 1");
    }
    this.vertx = vertx;
    this.listeners = listeners;
    this.handler = handler;
    this.connections = connections;
  }

  /** Starts listening as {@code options} say; completes with the bound port. */
  public Future<Integer> listen(HttpServerOptions options) {
    if (options.getPort() != 0 || listeners == 1) {
      return deploy(options, listeners).map(HttpServer::actualPort);
    }
    return listenOnAFreePort(options, 5);
  }

  /**
   * Port 0 with several listeners: Vert.x would give each its own free port, so one listener finds
   * a free port, is closed, and all listeners are deployed on that port; should another process
   * take the port in between, this is tried again.
   */
  private Future<Integer> listenOnAFreePort(HttpServerOptions options, int attempts) {
    return deploy(options, 1)
        .compose(
            probe -> {
              int free = probe.actualPort();
              return close()
                  .compose(v -> deploy(new HttpServerOptions(options).setPort(free), listeners))
                  .map(free)
                  .recover(
                      t ->
                          attempts > 1
                              ? listenOnAFreePort(options, attempts - 1)
                              : Future.failedFuture(t));
            });
  }

  /**
   * Stops accepting connections and shuts each open connection down once its request in flight is
   * answered (Vert.x's graceful shutdown), closing what is left after {@code grace}; then undeploys
   * the listeners.
   */
  public Future<Void> shutdown(Duration grace) {
    List<Future<Void>> stopped = new ArrayList<>();
    synchronized (servers) {
      servers.forEach(s -> stopped.add(s.shutdown(grace)));
      servers.clear();
    }
    return Future.join(stopped).eventually(this::close).mapEmpty();
  }

  /** Undeploys every listener, which closes its server. */
  public Future<Void> close() {
    synchronized (servers) {
      servers.clear();
    }
    List<Future<Void>> undeployed = new ArrayList<>();
    synchronized (deployments) {
      deployments.forEach(id -> undeployed.add(vertx.undeploy(id)));
      deployments.clear();
    }
    return Future.join(undeployed).mapEmpty();
  }

  /**
   * Deploys {@code instances} listeners with {@code options}, each on an event loop of its own;
   * completes with one of their servers.
   */
  private Future<HttpServer> deploy(HttpServerOptions options, int instances) {
    AtomicReference<HttpServer> started = new AtomicReference<>();
    return vertx
        .deployVerticle(
            () ->
                new VerticleBase() {
                  @Override
                  public Future<?> start() {
                    HttpServer made = vertx.createHttpServer(options);
                    if (connections != null) {
                      made.connectionHandler(connections);
                    }
                    return made.requestHandler(handler.get())
                        .listen()
                        .onSuccess(
                            server -> {
                              started.set(server);
                              synchronized (servers) {
                                servers.add(server);
                              }
                            });
                  }
                },
            new DeploymentOptions().setInstances(instances))
        .map(
            id -> {
              synchronized (deployments) {
                deployments.add(id);
              }
              return started.get();
            });
  }
}
