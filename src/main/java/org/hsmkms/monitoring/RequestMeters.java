package org.hsmkms.monitoring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.hsmkms.kms.ErrorCode;

/**
 * The meters of requests, one set per operation of the AWS model, made when the server starts so
 * that recording a request is two map-free lookups and no allocation: its latency (a histogram per
 * operation) and its outcome ({@code Success} or the AWS error type).
 *
 * <p>Security: label values come only from the model's list of operations, the {@link ErrorCode}
 * enum and the constant {@link #UNKNOWN}; never from a key id, an alias or any other string a
 * client chose.
 */
public final class RequestMeters {
  /** The operation label of a request whose X-Amz-Target names no operation of the model. */
  public static final String UNKNOWN = "unknown";

  static final String SUCCESS = "Success";

  private final MeterRegistry registry;
  private final Map<String, OperationMeters> byOperation = new HashMap<>();
  private final OperationMeters unknown;

  RequestMeters(MeterRegistry registry, Set<String> operations) {
    this.registry = registry;
    for (String operation : operations) {
      byOperation.put(operation, new OperationMeters(operation));
    }
    this.unknown = new OperationMeters(UNKNOWN);
  }

  /**
   * Records one request.
   *
   * @param operation the operation of the model, or null (or any other name) for {@link #UNKNOWN}
   * @param error its error, or null if it succeeded
   * @param nanos how long it took
   */
  public void record(String operation, ErrorCode error, long nanos) {
    OperationMeters m = operation == null ? null : byOperation.get(operation);
    (m == null ? unknown : m).record(error, nanos);
  }

  /** The meters of one operation; the counter of an error is made on its first occurrence. */
  private final class OperationMeters {
    private final String operation;
    private final Timer latency;
    private final Counter success;
    private final AtomicReferenceArray<Counter> errors =
        new AtomicReferenceArray<>(ErrorCode.values().length);

    OperationMeters(String operation) {
      this.operation = operation;
      this.latency =
          Timer.builder("hsmkms.request.duration")
              .description("Time from a request's arrival to its answer, by operation")
              .tag("operation", operation)
              .serviceLevelObjectives(ServiceMetrics.LATENCY_BUCKETS)
              .register(registry);
      this.success = outcome(SUCCESS);
    }

    void record(ErrorCode error, long nanos) {
      latency.record(nanos, TimeUnit.NANOSECONDS);
      if (error == null) {
        success.increment();
        return;
      }
      Counter c = errors.get(error.ordinal());
      if (c == null) {
        // Registering twice gives the same counter, so a race here is harmless.
        c = outcome(error.awsType());
        errors.set(error.ordinal(), c);
      }
      c.increment();
    }

    private Counter outcome(String outcome) {
      return Counter.builder("hsmkms.requests")
          .description("Requests answered, by operation and outcome (Success or the AWS error)")
          .tag("operation", operation)
          .tag("outcome", outcome)
          .register(registry);
    }
  }
}
