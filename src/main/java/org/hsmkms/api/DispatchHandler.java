package org.hsmkms.api;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.Set;
import org.hsmkms.authz.KmsActions;
import org.hsmkms.kms.Errors;
import org.hsmkms.kms.KmsException;
import org.hsmkms.kms.ProtocolErrors;
import org.hsmkms.kms.RequestContext;
import org.hsmkms.work.WorkClass;
import org.hsmkms.work.WorkQueues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last link: runs the operation on the executor of its {@link WorkClass} (fast or slow, each
 * with its share of the HSM sessions), queued under the caller's account, never on the event loop.
 * A request that finds its account's queue or its class's queue full is answered
 * ThrottlingException at once, without running. On the same worker the answer is serialized, the
 * plaintext it embeds is zeroed right after, and the audit record is written; back on the request's
 * event loop the answer is sent, or the error handed to the failure handler.
 */
final class DispatchHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(DispatchHandler.class);

  /** Told of each operation that succeeded (GetKeyLastUsage's tracking). */
  @FunctionalInterface
  interface Success {
    void succeeded(String operation, RequestContext ctx);
  }

  private final WorkQueues work;
  private final AuditRecorder recorder;
  private final Success success;

  DispatchHandler(WorkQueues work, AuditRecorder recorder) {
    this(work, recorder, (operation, ctx) -> {});
  }

  DispatchHandler(WorkQueues work, AuditRecorder recorder, Success success) {
    this.work = work;
    this.recorder = recorder;
    this.success = success;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Exchange ex = Exchange.of(ctx);
    WorkClass workClass = WorkClass.ofRequest(ex.operation, ex::textMember);
    Context loop = ctx.vertx().getOrCreateContext();
    boolean queued = work.of(workClass).submit(ex.rc.account(), () -> serve(ex, ctx, loop));
    if (!queued) {
      ctx.fail(ProtocolErrors.throttled());
    }
  }

  /**
   * On a worker: runs the operation, then hands its answer back to the event loop once its record
   * is written: at once, or (a trail that forces each write to disk) when the write holding it
   * ends, which leaves this worker free meanwhile.
   */
  private void serve(Exchange ex, RoutingContext ctx, Context loop) {
    Outcome outcome;
    try {
      outcome = run(ex);
    } catch (Throwable t) {
      outcome = Outcome.failed(classify(ex, t));
    }
    try {
      recorder.record(ex, outcome, o -> loop.runOnContext(v -> answer(ctx, o)));
    } catch (Throwable t) {
      // No record could be made: the answer, which may hold plaintext, is withheld.
      if (outcome.error() == null) {
        Arrays.fill(outcome.body(), (byte) 0);
      }
      Outcome failed = Outcome.failed(classify(ex, t));
      loop.runOnContext(v -> answer(ctx, failed));
    }
  }

  /** On a worker: the operation and its answer, serialized with its secrets closed. */
  private Outcome run(Exchange ex) {
    Outcome outcome;
    try (Reply r = ex.handler.handle(ex.rc, ex.request)) {
      checkAuthorized(ex);
      outcome = Outcome.ok(Json.MAPPER.writeValueAsBytes(r.body));
      // The one place that sees every successful operation and the keys it used.
      success.succeeded(ex.operation, ex.rc);
    } catch (Exception e) {
      outcome = Outcome.failed(classify(ex, e));
    }
    return outcome;
  }

  /**
   * Security: an operation that succeeded must have had each of its key-level permissions decided
   * (every key it used was resolved through the authorizing lookup). If one was not, the answer is
   * withheld: a defect, reported loudly, never a silent bypass.
   */
  private static void checkAuthorized(Exchange ex) {
    Set<KmsActions.Resource> unchecked = ex.rc.authorization().unchecked();
    if (!unchecked.isEmpty()) {
      throw Errors.internal(
          new IllegalStateException(ex.operation + " did not authorize " + unchecked));
    }
  }

  /** On the event loop: sends the answer and zeroes it, or fails the context with the error. */
  private static void answer(RoutingContext ctx, Outcome outcome) {
    if (outcome.error() != null) {
      ctx.fail(outcome.error());
      return;
    }
    HttpServerResponse response = ctx.response();
    if (!response.ended()) {
      response
          .setStatusCode(200)
          .putHeader("Content-Type", Json.CONTENT_TYPE)
          .end(Buffer.buffer(outcome.body()));
    }
    Arrays.fill(outcome.body(), (byte) 0);
  }

  /** The client's error for a failure of the operation; server faults go to the log. */
  private static KmsException classify(Exchange ex, Throwable t) {
    if (t instanceof KmsException k) {
      if (k.code().httpStatus() >= 500) {
        LOG.error("{} {} failed: {}", ex.requestId, ex.operation, k.code().awsType(), k.getCause());
      }
      return k;
    }
    if (t instanceof RuntimeException re) {
      KmsException k = KmsException.from(re);
      LOG.error("{} {} failed: {}", ex.requestId, ex.operation, k.code().awsType(), re);
      return k;
    }
    LOG.error("{} {} failed", ex.requestId, ex.operation, t);
    return KmsException.from(new RuntimeException(t));
  }
}
