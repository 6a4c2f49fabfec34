package org.hsmkms.api;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.hsmkms.audit.AuditTrail;
import org.hsmkms.kms.Errors;

/**
 * Fail closed: while the audit trail is known to be unwritable and must not be bypassed, no
 * operation starts (KMSInternalException), since nothing may be done that could not be recorded.
 */
final class AuditGateHandler implements Handler<RoutingContext> {
  private final AuditTrail audit;

  AuditGateHandler(AuditTrail audit) {
    this.audit = audit;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (audit.failClosed() && !audit.available()) {
      ctx.fail(Errors.internal(null));
      return;
    }
    ctx.next();
  }
}
