package org.hsmkms.api;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.hsmkms.audit.AuditEvent;
import org.hsmkms.audit.AuditException;
import org.hsmkms.audit.AuditTrail;
import org.hsmkms.audit.RefusalSummaries;
import org.hsmkms.monitoring.AuditMeters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What keeps a flood of refused requests from flooding the audit trail, or the memory in front of
 * it: unauthenticated refusals aggregated per source address ({@link RefusalSummaries}, whose
 * summaries a timer writes at the end of each window), and a bound on the records of refused
 * requests waiting for the {@code hsm-kms-audit} pool.
 *
 * <p>Security: when the bound is reached a record is dropped and counted ({@code
 * hsmkms_audit_dropped_total}); with {@code audit.failClosed} the request is answered
 * ThrottlingException instead of its own error, and no operation starts until the queue has room
 * ({@link AuditGateHandler}), since what it did could not be recorded in time.
 */
final class AuditLoad {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLoad.class);

  final RefusalSummaries summaries;
  final AuditMeters meters;
  private final int capacity;
  private final AtomicInteger depth = new AtomicInteger();
  private final AuditTrail audit;
  private long timer = -1;

  AuditLoad(
      AuditTrail audit, AuditMeters meters, long windowMillis, int maxAddresses, int capacity) {
    this.audit = audit;
    this.meters = meters;
    this.summaries = new RefusalSummaries(windowMillis, maxAddresses);
    this.capacity = capacity;
  }

  /** Records waiting for the pool now. */
  int depth() {
    return depth.get();
  }

  /** Takes a place in the queue; false if it is full. */
  boolean enter() {
    if (depth.incrementAndGet() > capacity) {
      depth.decrementAndGet();
      return false;
    }
    return true;
  }

  /** Gives a place back once its record was written (or failed). */
  void exit() {
    depth.decrementAndGet();
  }

  /** Whether the queue is full now. */
  boolean full() {
    return depth.get() >= capacity;
  }

  /** Writes the summaries of ended windows every window, on {@code auditWorkers}. */
  void start(Vertx vertx, WorkerExecutor auditWorkers) {
    if (summaries.windowMillis() > 0) {
      timer =
          vertx.setPeriodic(
              summaries.windowMillis(),
              id ->
                  auditWorkers.executeBlocking(
                      () -> {
                        write(summaries.drain(Instant.now()));
                        return null;
                      },
                      false));
    }
  }

  /** Stops the timer and writes every summary still open (blocks: off the event loop). */
  void stop(Vertx vertx) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    write(summaries.drainAll(Instant.now()));
  }

  private void write(Iterable<AuditEvent> events) {
    for (AuditEvent e : events) {
      try {
        audit.write(e);
      } catch (AuditException ex) {
        LOG.error("a summary of refused requests could not be written to the audit trail");
      }
    }
  }
}
