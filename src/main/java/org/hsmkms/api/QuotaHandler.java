package org.hsmkms.api;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.hsmkms.kms.ProtocolErrors;
import org.hsmkms.monitoring.ServiceMetrics;
import org.hsmkms.quota.QuotaClass;
import org.hsmkms.quota.QuotaClasses;
import org.hsmkms.quota.RequestQuotas;

/**
 * AWS KMS's request quotas: takes one token from the caller's bucket of the request's quota class
 * ({@link QuotaClasses}), or refuses the request with ThrottlingException at once. After parsing
 * and validation, so that the class is read from a valid request of a known caller; on the event
 * loop, before any worker or HSM session is taken. A throttled request is counted by class and
 * audited like any other refused request (the one failure handler).
 *
 * <p>Security: never queues; a caller over its quota costs one map lookup and one compare-and-set.
 */
final class QuotaHandler implements Handler<RoutingContext> {
  private final RequestQuotas quotas;
  private final ServiceMetrics metrics;

  /**
   * @param quotas the buckets, or null when request quotas are off
   */
  QuotaHandler(RequestQuotas quotas, ServiceMetrics metrics) {
    this.quotas = quotas;
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (quotas != null) {
      Exchange ex = Exchange.of(ctx);
      QuotaClass c = QuotaClasses.of(ex.operation, ex::textMember);
      if (c != null && !quotas.tryAcquire(ex.caller.account(), ex.caller.accessKeyId(), c)) {
        metrics.throttled(c.name());
        ctx.fail(ProtocolErrors.throttled());
        return;
      }
    }
    ctx.next();
  }
}
