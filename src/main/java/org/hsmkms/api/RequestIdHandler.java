package org.hsmkms.api;

import io.vertx.core.Handler;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The first link: gives the request its id, which every response carries as {@code
 * x-amzn-RequestId}, and opens its {@link Exchange}.
 */
final class RequestIdHandler implements Handler<RoutingContext> {
  static final String HEADER = "x-amzn-RequestId";

  @Override
  public void handle(RoutingContext ctx) {
    open(ctx);
    ctx.next();
  }

  /** Opens the request's exchange under a new id and puts the id on the response. */
  static Exchange open(RoutingContext ctx) {
    SocketAddress remote = ctx.request().remoteAddress();
    Exchange ex = Exchange.open(ctx, newRequestId(), remote == null ? null : remote.hostAddress());
    ctx.response().putHeader(HEADER, ex.requestId);
    return ex;
  }

  /**
   * A random (version 4) UUID. A request id is an identifier, not a secret, so it comes from a fast
   * thread-local generator rather than the system's secure one.
   */
  static String newRequestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long hi = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(hi, lo).toString();
  }
}
