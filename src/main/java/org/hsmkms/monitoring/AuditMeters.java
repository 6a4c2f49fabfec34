package org.hsmkms.monitoring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.IntSupplier;
import org.hsmkms.audit.AuditTrail;

/**
 * The meters of the audit trail under load: records waiting to be written, records dropped because
 * too many waited, refusals counted in a summary instead of recorded alone, and rotated files
 * removed by retention (docs/audit.md, docs/monitoring.md).
 */
public final class AuditMeters {
  private final MeterRegistry registry;
  private final Counter dropped;
  private final Counter refused;
  private final Counter summarized;

  AuditMeters(MeterRegistry registry) {
    this.registry = registry;
    dropped =
        Counter.builder("hsmkms.audit.dropped")
            .description("Records of refused requests dropped because the audit queue was full")
            .register(registry);
    refused =
        Counter.builder("hsmkms.audit.queue.full.refusals")
            .description("Requests answered ThrottlingException because the audit queue was full")
            .register(registry);
    summarized =
        Counter.builder("hsmkms.audit.refusals.summarized")
            .description(
                "Unauthenticated refusals counted in a summary record instead of recorded alone")
            .register(registry);
  }

  /** Records waiting for the audit pool now, and files removed by retention. */
  public void watch(IntSupplier queueDepth, AuditTrail trail) {
    Gauge.builder("hsmkms.audit.queue.depth", queueDepth::getAsInt)
        .description("Records of refused requests waiting to be written")
        .register(registry);
    FunctionCounter.builder("hsmkms.audit.files.removed", trail, AuditTrail::filesRemoved)
        .description("Rotated audit files removed by retention (each also recorded in the trail)")
        .register(registry);
  }

  /** A record was dropped: the queue was full. */
  public void dropped() {
    dropped.increment();
  }

  /** A request was refused because the queue was full and the trail fails closed. */
  public void refusedQueueFull() {
    refused.increment();
  }

  /** A refusal was counted in a summary. */
  public void summarized() {
    summarized.increment();
  }
}
