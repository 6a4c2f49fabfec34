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
 */
final class FailureHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);

  private final WorkerExecutor auditWorkers;
  private final AuditRecorder recorder;
  private final long maxBodyBytes;

  FailureHandler(WorkerExecutor auditWorkers, AuditRecorder recorder, long maxBodyBytes) {
    this.auditWorkers = auditWorkers;
    this.recorder = recorder;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Exchange found = Exchange.of(ctx);
    Exchange ex = found != null ? found : RequestIdHandler.open(ctx);
    ex.zeroBody();
    KmsException error = error(ctx, ex);
    if (ex.audited) {
      reply(ctx, ex, error);
      return;
    }
    auditWorkers
        .executeBlocking(() -> recorder.recorded(ex, Outcome.failed(error)), false)
        .onComplete(ar -> reply(ctx, ex, error));
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
