package org.hsmkms.api;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.hsmkms.audit.AuditTrail;
import org.hsmkms.kms.Errors;
import org.hsmkms.kms.ProtocolErrors;

/**
 * Fail closed: while the audit trail is known to be unwritable and must not be bypassed, no
 * operation starts (KMSInternalException), since nothing may be done that could not be recorded;
 * nor while the records of refused requests fill their queue (ThrottlingException, {@link
 * AuditLoad}).
 */
final class AuditGateHandler implements Handler<RoutingContext> {
  private final AuditTrail audit;
  private final AuditLoad load;

  AuditGateHandler(AuditTrail audit, AuditLoad load) {
    this.audit = audit;
    this.load = load;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (audit.failClosed() && !audit.available()) {
      ctx.fail(Errors.internal(null));
      return;
    }
    if (audit.failClosed() && load.full()) {
      ctx.fail(ProtocolErrors.throttled());
      return;
    }
    ctx.next();
  }
}
