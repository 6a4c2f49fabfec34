package org.hsmkms.api;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.hsmkms.config.Connections;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the KMS listener's connections within bounds ({@link Connections}): at most so many open
 * (in all, and optionally per source address), each closed when it takes too long to send a
 * request's headers (from its opening or its previous response) or its body, or stays idle; and
 * small buffers per connection.
 *
 * <p>Vert.x tells when a connection opens and closes ({@link #opened}) and when a request's headers
 * are complete (the first link, {@link #headersReceived}); the link after the body handler says
 * when the body is ({@link #bodyReceived}), and the end of the response re-arms the header timer.
 * Each connection's deadline is set on its own event loop; one periodic sweep closes the
 * connections past theirs (within a quarter of a second).
 *
 * <p>Security: a connection past a limit is closed as soon as it is accepted, before any byte of it
 * is read; a slowloris connection (a header byte every second) or a trickled body is cut at its
 * timeout; none of this ever waits on a worker or blocks an event loop.
 */
final class ConnectionGuard {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

  private final Vertx vertx;
  private final Connections limits;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<String, Integer> perAddress = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<HttpConnection, Watch> watches = new ConcurrentHashMap<>();
  private final AtomicBoolean atLimit = new AtomicBoolean();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong timedOut = new AtomicLong();

  /** A timeout is noticed within a quarter of a second of its deadline. */
  private static final int SWEEPS_PER_SECOND = 4;

  private volatile long sweeper = -1;

  ConnectionGuard(Vertx vertx, Connections limits) {
    this.vertx = vertx;
    this.limits = limits;
  }

  /** The listener options that bound each connection's buffers and idle time. */
  HttpServerOptions apply(HttpServerOptions options) {
    if (sweeper < 0) {
      sweeper = vertx.setPeriodic(1000 / SWEEPS_PER_SECOND, id -> sweep());
    }
    return options
        .setIdleTimeout(limits.idleTimeoutSeconds())
        .setReceiveBufferSize(limits.receiveBufferBytes())
        // Vert.x's defaults, stated: what one connection may make the decoder hold.
        .setDecoderInitialBufferSize(128)
        .setMaxChunkSize(8192)
        .setMaxInitialLineLength(4096);
  }

  /** How many connections are open now. */
  int open() {
    return open.get();
  }

  /** How many connections were closed at once, past a limit. */
  long refused() {
    return refused.get();
  }

  /** How many connections were closed for taking too long over a request's headers or body. */
  long timedOut() {
    return timedOut.get();
  }

  /** Vert.x's connection handler: counts the connection, closes it if over a limit, arms it. */
  void opened(HttpConnection connection) {
    SocketAddress remote = connection.remoteAddress();
    String address = remote == null ? "" : remote.hostAddress();
    int total = open.incrementAndGet();
    int fromHere = perAddress.merge(address, 1, Integer::sum);
    connection.closeHandler(v -> closed(connection, address));
    boolean overAll = total > limits.maxConnections();
    boolean overAddress =
        limits.maxConnectionsPerAddress() > 0 && fromHere > limits.maxConnectionsPerAddress();
    if (overAll || overAddress) {
      if (overAll && atLimit.compareAndSet(false, true)) {
        LOG.warn(
            "{} connections open, the limit: new connections are closed at once",
            limits.maxConnections());
      }
      refused.incrementAndGet();
      connection.close();
      return;
    }
    Watch watch = new Watch(connection);
    watches.put(connection, watch);
    watch.awaitHeaders();
  }

  private void closed(HttpConnection connection, String address) {
    Watch watch = watches.remove(connection);
    if (watch != null) {
      watch.cancel();
    }
    perAddress.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
    if (open.decrementAndGet() < limits.maxConnections() && atLimit.compareAndSet(true, false)) {
      LOG.info("connections below the limit of {} again", limits.maxConnections());
    }
  }

  /** The first link: the request's headers are in; its body must follow in time. */
  void headersReceived(RoutingContext ctx) {
    Watch watch = watches.get(ctx.request().connection());
    if (watch != null) {
      watch.requestStarted();
      ctx.addEndHandler(ar -> watch.requestEnded());
    }
    ctx.next();
  }

  /** The link after the body handler: the body is in; the operation takes the time it takes. */
  void bodyReceived(RoutingContext ctx) {
    Watch watch = watches.get(ctx.request().connection());
    if (watch != null) {
      watch.cancel();
    }
    ctx.next();
  }

  /**
   * The deadline of one connection: set on its event loop, read by the sweep. A deadline in a
   * field, not a timer per request: at tens of thousands of requests a second, setting and
   * cancelling two Vert.x timers per request cost measurable CPU.
   */
  private final class Watch {
    private final HttpConnection connection;
    private volatile long deadline;
    private int requests;

    Watch(HttpConnection connection) {
      this.connection = connection;
    }

    void awaitHeaders() {
      arm(limits.headerTimeoutSeconds());
    }

    void requestStarted() {
      requests++;
      arm(limits.bodyTimeoutSeconds());
    }

    void requestEnded() {
      if (--requests == 0) {
        awaitHeaders();
      }
    }

    private void arm(int seconds) {
      // Never 0, which means "no deadline".
      deadline = (System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds)) | 1L;
    }

    void cancel() {
      deadline = 0;
    }

    /** Closes the connection if its deadline has passed. */
    void check(long now) {
      long d = deadline;
      if (d != 0 && now - d > 0) {
        deadline = 0;
        timedOut.incrementAndGet();
        connection.close();
      }
    }
  }

  /** Checks every connection's deadline {@link #SWEEPS_PER_SECOND} times a second. */
  private void sweep() {
    long now = System.nanoTime();
    watches.values().forEach(w -> w.check(now));
  }

  /** Stops the sweep (the listener is closed). */
  void stop() {
    long id = sweeper;
    if (id >= 0) {
      vertx.cancelTimer(id);
      sweeper = -1;
    }
  }
}
