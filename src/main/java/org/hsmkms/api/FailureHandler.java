package org.hsmkms.api;

import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.hsmkms.kms.ErrorCode;
import org.hsmkms.kms.Errors;
import org.hsmkms.kms.KmsException;
import org.hsmkms.kms.ProtocolErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one failure handler: every error of every link becomes the AWS JSON error {@code {"__type",
 * "message"}} with the status {@link ErrorCode} gives it, never a stack trace (those go to the
 * server log). A request refused before its operation ran is recorded first, on the {@code
 * hsm-kms-audit} pool (off the event loop, and without taking an HSM worker); one whose operation
 * ran was recorded on its worker already. A request refused before its body was read is answered
 * with {@code Connection: close}, and its connection closed.
 *
 * <p>Security: a refusal of a request without a verified caller may instead be counted in its
 * address's summary ({@link org.hsmkms.audit.RefusalSummaries}); when too many records wait for the
 * pool, a record is dropped and counted, and with a trail that fails closed the request is answered
 * ThrottlingException ({@link AuditLoad}).
 */
final class FailureHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);

  private final WorkerExecutor auditWorkers;
  private final AuditRecorder recorder;
  private final long maxBodyBytes;
  private final AuditLoad load;
  private long throttledDelayMillis;

  /** Marks a request whose ThrottlingException has waited its delay. */
  private static final String DELAYED = "hsmkms.throttledDelayed";

  FailureHandler(
      WorkerExecutor auditWorkers, AuditRecorder recorder, long maxBodyBytes, AuditLoad load) {
    this.auditWorkers = auditWorkers;
    this.recorder = recorder;
    this.maxBodyBytes = maxBodyBytes;
    this.load = load;
  }

  /**
   * Sends ThrottlingException after {@code millis} on a timer (no thread waits), so that a client
   * retrying without backoff cannot spend the server's CPU on refusals (docs/quotas.md).
   */
  FailureHandler delayingThrottled(long millis) {
    this.throttledDelayMillis = millis;
    return this;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (throttledDelayMillis > 0
        && ctx.failure() instanceof KmsException k
        && k.code() == ErrorCode.THROTTLING
        && ctx.get(DELAYED) == null) {
      ctx.put(DELAYED, Boolean.TRUE);
      ctx.vertx().setTimer(throttledDelayMillis, id -> handle(ctx));
      return;
    }
    Exchange found = Exchange.of(ctx);
    Exchange ex = found != null ? found : RequestIdHandler.open(ctx);
    ex.zeroBody();
    KmsException error = error(ctx, ex);
    if (ex.audited) {
      reply(ctx, ex, error);
      return;
    }
    // Never an authenticated request: only those without a verified caller are summarized.
    if (ex.caller == null
        && !load.summaries.admit(ex.sourceAddress, error.code().awsType(), ex.start)) {
      recorder.counted(ex, Outcome.failed(error));
      load.meters.summarized();
      reply(ctx, ex, error);
      return;
    }
    if (!load.enter()) {
      KmsException answer = error;
      load.meters.dropped();
      if (recorder.failClosed()) {
        answer = ProtocolErrors.throttled();
        load.meters.refusedQueueFull();
      }
      recorder.counted(ex, Outcome.failed(answer));
      reply(ctx, ex, answer);
      return;
    }
    auditWorkers
        .executeBlocking(() -> recorder.recorded(ex, Outcome.failed(error)), false)
        .onComplete(
            ar -> {
              load.exit();
              reply(ctx, ex, error);
            });
  }

  /** The client's error for what failed the context. */
  private KmsException error(RoutingContext ctx, Exchange ex) {
    if (ctx.failure() instanceof KmsException k) {
      return k;
    }
    if (ctx.statusCode() == 413) {
      return ProtocolErrors.requestTooLarge(maxBodyBytes);
    }
    if (ctx.statusCode() == 400 || ctx.failure() instanceof HttpClosedException) {
      // A closed connection: the client went away or took too long (ConnectionGuard); no answer
      // can reach it, and it is no fault of the server's.
      return ProtocolErrors.requestUnreadable();
    }
    LOG.error("{} request failed", ex.requestId, ctx.failure());
    return Errors.internal(null);
  }

  private static void reply(RoutingContext ctx, Exchange ex, KmsException e) {
    HttpServerResponse response = ctx.response();
    if (response.ended()) {
      return;
    }
    var body = Json.object().put("__type", e.code().awsType());
    if (e.getMessage() != null) {
      body.put("message", e.getMessage());
    }
    LOG.debug("{} -> {}", ex.requestId, e.code().awsType());
    response.setStatusCode(e.code().httpStatus()).putHeader("Content-Type", Json.CONTENT_TYPE);
    if (!ex.refusedBeforeBody) {
      response.end(body.toString());
      return;
    }
    // Its body was never read: the connection cannot carry another request, and closing it
    // spares receiving the body at all.
    response.putHeader("Connection", "close");
    response.end(body.toString()).onComplete(ar -> ctx.request().connection().close());
  }
}
