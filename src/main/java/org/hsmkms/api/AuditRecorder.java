package org.hsmkms.api;

import java.util.Arrays;
import org.hsmkms.audit.AuditException;
import org.hsmkms.audit.AuditTrail;
import org.hsmkms.kms.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the one audit record of a request, before its answer is sent: on the worker that ran the
 * operation, or on the {@code hsm-kms-audit} pool for requests refused on the event loop. Never on
 * the event loop: a write may block.
 */
final class AuditRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(AuditRecorder.class);

  private final AuditTrail audit;

  AuditRecorder(AuditTrail audit) {
    this.audit = audit;
  }

  /**
   * Writes the audit record of {@code outcome}. If that fails and the trail fails closed, a success
   * becomes KMSInternalException (its body, which may hold plaintext, is zeroed); an error stays
   * the error it was.
   */
  Outcome recorded(Exchange ex, Outcome outcome) {
    ex.audited = true;
    int status = outcome.error() == null ? 200 : outcome.error().code().httpStatus();
    try {
      audit.write(
          ex.record(status, outcome.error() == null ? null : outcome.error().code().awsType()));
      return outcome;
    } catch (AuditException e) {
      if (!audit.failClosed() || outcome.error() != null) {
        return outcome;
      }
      LOG.error(
          "{} {}: answer withheld because its audit record could not be written",
          ex.requestId,
          ex.operation);
      Arrays.fill(outcome.body(), (byte) 0);
      return Outcome.failed(Errors.internal(null));
    }
  }
}
