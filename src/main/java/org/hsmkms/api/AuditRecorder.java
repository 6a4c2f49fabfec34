package org.hsmkms.api;

import java.util.Arrays;
import java.util.function.Consumer;
import org.hsmkms.audit.AuditException;
import org.hsmkms.audit.AuditRecord;
import org.hsmkms.audit.AuditTrail;
import org.hsmkms.kms.ErrorCode;
import org.hsmkms.kms.Errors;
import org.hsmkms.kms.KmsException;
import org.hsmkms.monitoring.RequestMeters;
import org.hsmkms.monitoring.ServiceMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the one audit record of a request, before its answer is sent: on the worker that ran the
 * operation, or on the {@code hsm-kms-audit} pool for requests refused on the event loop. Never on
 * the event loop: a write may block. Being the one place every request passes once, with its
 * operation and final outcome, it also counts requests and their latency for the metrics.
 */
final class AuditRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(AuditRecorder.class);

  private final AuditTrail audit;

  /** Null where nothing is measured (tests of single links). */
  private final ServiceMetrics metrics;

  private final RequestMeters requests;

  AuditRecorder(AuditTrail audit) {
    this(audit, null, null);
  }

  AuditRecorder(AuditTrail audit, ServiceMetrics metrics, RequestMeters requests) {
    this.audit = audit;
    this.metrics = metrics;
    this.requests = requests;
  }

  /**
   * Writes the audit record of {@code outcome}. If that fails and the trail fails closed, a success
   * becomes KMSInternalException (its body, which may hold plaintext, is zeroed); an error stays
   * the error it was.
   */
  Outcome recorded(Exchange ex, Outcome outcome) {
    return measured(ex, write(ex, outcome));
  }

  private Outcome measured(Exchange ex, Outcome answered) {
    if (requests != null) {
      ErrorCode error = answered.error() == null ? null : answered.error().code();
      requests.record(ex.operation, error, System.nanoTime() - ex.startNanos);
    }
    return answered;
  }

  /**
   * Like {@link #recorded}, but the answer is handed to {@code answered} once the record is
   * written, perhaps later and from the thread that writes it (a trail that forces each write to
   * disk), which leaves the calling worker free meanwhile. {@code answered} must not block.
   */
  void record(Exchange ex, Outcome outcome, Consumer<Outcome> answered) {
    long start = System.nanoTime();
    audit.write(
        auditRecord(ex, outcome),
        failure -> answered.accept(measured(ex, after(ex, outcome, failure, start))));
  }

  /** The request's one record, of its final outcome; the request counts as audited from here. */
  private static AuditRecord auditRecord(Exchange ex, Outcome outcome) {
    ex.audited = true;
    KmsException error = outcome.error();
    return ex.record(
        error == null ? 200 : error.code().httpStatus(),
        error == null ? null : error.code().awsType());
  }

  /**
   * Counts a request whose record is not written alone (summarized, or dropped with the audit queue
   * full): it is marked audited and measured like any other.
   */
  void counted(Exchange ex, Outcome outcome) {
    ex.audited = true;
    if (requests != null) {
      ErrorCode error = outcome.error() == null ? null : outcome.error().code();
      requests.record(ex.operation, error, System.nanoTime() - ex.startNanos);
    }
  }

  boolean failClosed() {
    return audit.failClosed();
  }

  private Outcome write(Exchange ex, Outcome outcome) {
    long start = System.nanoTime();
    AuditException failure = null;
    try {
      audit.write(auditRecord(ex, outcome));
    } catch (AuditException e) {
      failure = e;
    }
    return after(ex, outcome, failure, start);
  }

  /**
   * The answer once the record is written ({@code failure} null) or failed: if it failed and the
   * trail fails closed, a success becomes KMSInternalException (its body, which may hold plaintext,
   * is zeroed); an error stays the error it was.
   */
  private Outcome after(Exchange ex, Outcome outcome, AuditException failure, long start) {
    if (failure == null) {
      if (metrics != null) {
        metrics.auditWritten(System.nanoTime() - start);
      }
      return outcome;
    }
    if (metrics != null) {
      metrics.auditFailed();
    }
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
