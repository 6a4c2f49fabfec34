package org.hsmkms.api;

import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The first link of the KMS pipeline: counts the requests received and not yet answered, so that a
 * graceful shutdown can wait for them ({@link #awaitNone}). While draining, each answer carries
 * {@code Connection: close}, so that a client with a kept-alive connection opens its next one to
 * another node.
 */
final class InFlightRequests implements Handler<RoutingContext> {
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean draining;

  /** One handler for every request's end, so that counting allocates nothing per request. */
  private final Handler<AsyncResult<Void>> ended = ar -> inFlight.decrementAndGet();

  @Override
  public void handle(RoutingContext ctx) {
    inFlight.incrementAndGet();
    // Called when the response has ended or failed, or the connection closed before it did.
    ctx.addEndHandler(ended);
    if (draining) {
      ctx.response().putHeader("Connection", "close");
    }
    ctx.next();
  }

  int count() {
    return inFlight.get();
  }

  void drain() {
    draining = true;
  }

  /**
   * Waits until no request is in flight, at most {@code timeoutMillis}; returns how many still are.
   * Called off the event loop (the shutdown hook's thread).
   */
  int awaitNone(long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (inFlight.get() > 0 && System.nanoTime() - deadline < 0) {
      Thread.sleep(10);
    }
    return inFlight.get();
  }
}
