package org.hsmkms.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hsmkms.bench.LatencyRecorder.Latency;

/**
 * Everything one bench run measured: the service per operation, and beside it (when asked for) the
 * HSM's own ceiling, the HTTP floor and moto under the same load, with the ratios between them.
 *
 * @param load how the service and moto were driven, e.g. "closed loop, 16 concurrent requests"
 * @param rate requests per second of an open loop, null for a closed loop
 * @param ceiling empty unless {@code --ceiling}
 * @param floor empty unless {@code --floor}: {@link HttpFloor} under the same load
 * @param moto empty unless {@code --moto} and moto ran
 * @param keys how many CMKs the requests were spread over
 * @param policies whether the run was made with {@code --policies}: to compare two runs, compare
 *     one with and one without
 * @param authorization who signed the measured requests and which key policy allowed them
 * @param serverMemory the server's resident memory during the run, or null without {@code --pid}
 * @param notes operations skipped and comparisons not made, and why
 */
public record BenchReport(
    String endpoint,
    String load,
    int concurrency,
    Double rate,
    double warmupSeconds,
    double durationSeconds,
    int keys,
    boolean policies,
    String authorization,
    ServerMemory serverMemory,
    List<OpResult> service,
    List<CeilingResult> ceiling,
    List<OpResult> floor,
    List<OpResult> moto,
    List<Comparison> comparison,
    List<String> notes) {

  /**
   * One operation against a server.
   *
   * @param seconds the duration, or from the end of the warm-up to the last measured answer if that
   *     is longer
   * @param requests answered successfully in the measurement
   * @param requestsPerSecond {@code requests / seconds}
   * @param latencyMs of the successful requests, from when each was (meant to be) sent
   * @param errors failed requests of the measurement by AWS error type (or exception)
   * @param clientLagMs open loop: the most a measured request went out after its scheduled time,
   *     the load generator's own delay (included in the latencies); 0 in a closed loop
   * @param note why the operation was skipped, or null
   */
  public record OpResult(
      String operation,
      double seconds,
      long requests,
      double requestsPerSecond,
      Latency latencyMs,
      Map<String, Long> errors,
      double clientLagMs,
      String note) {

    static OpResult skipped(String operation, String note) {
      return new OpResult(operation, 0, 0, 0, new Latency(0, 0, 0, 0), Map.of(), 0, note);
    }

    boolean ran() {
      return note == null;
    }

    /** How many requests of the measurement failed, of every error type. */
    long failed() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** What {@link #authorization} says of a run without {@code --policies}. */
  static final String WITHOUT_POLICIES =
      "policies off: requests signed by the access key given, keys with the default key policy";

  /**
   * The service's operations with failed requests, one line each ("Decrypt: 12 of 5012 requests
   * failed (AccessDeniedException=12)"); empty for a clean run.
   */
  List<String> failures() {
    List<String> out = new ArrayList<>();
    for (OpResult r : service) {
      long failed = r.failed();
      if (failed > 0) {
        out.add(
            String.format(
                "%s: %d of %d requests failed (%s)",
                r.operation(), failed, failed + r.requests(), ReportPrinter.errors(r.errors())));
      }
    }
    return out;
  }

  /**
   * The resident memory (RSS) of the server's process, sampled every 200 ms from the start of the
   * run to its end.
   */
  public record ServerMemory(long pid, int samples, double maxMiB, double lastMiB) {}

  /** The same HSM work as one operation, called directly by {@code threads} threads. */
  public record CeilingResult(
      String operation, int threads, double seconds, long operations, double operationsPerSecond) {}

  /**
   * The service beside its ceiling, the HTTP floor and moto.
   *
   * @param fractionOfCeiling service rate / ceiling rate, or null without a ceiling
   * @param floorPerSecond the HTTP floor's rate, or null without {@code --floor}
   * @param bound what a service with no work of its own beyond HTTP and the HSM could reach on the
   *     same cores, {@code 1 / (1/floor + 1/ceiling)} (see {@link #bound(double, double)}); null
   *     without both
   * @param boundFractionOfCeiling bound / ceiling: the largest share of the ceiling reachable here
   * @param fractionOfBound service rate / bound
   * @param timesMoto service rate / moto rate, or null without moto
   */
  public record Comparison(
      String operation,
      double requestsPerSecond,
      Double ceilingPerSecond,
      Double fractionOfCeiling,
      Double floorPerSecond,
      Double bound,
      Double boundFractionOfCeiling,
      Double fractionOfBound,
      Double motoPerSecond,
      Double timesMoto) {}

  /**
   * The most requests a second that HTTP plus the HSM work allow when both share the same CPUs: at
   * its floor rate, an answer with no work of its own takes {@code cpus / floor} of CPU time (the
   * load generator's part included), the HSM work {@code cpus / ceiling}, and together {@code cpus
   * / (cpus/floor + cpus/ceiling)} requests a second fit. Holds when both were measured with the
   * CPUs busy (closed loops), as the bench measures them.
   */
  static double bound(double floorPerSecond, double ceilingPerSecond) {
    return 1.0 / (1.0 / floorPerSecond + 1.0 / ceilingPerSecond);
  }

  /** Pairs each operation the service ran with its ceiling, floor and moto figures. */
  static List<Comparison> compare(
      List<OpResult> service,
      List<CeilingResult> ceiling,
      List<OpResult> floor,
      List<OpResult> moto) {
    List<Comparison> out = new ArrayList<>();
    for (OpResult s : service) {
      if (!s.ran()) {
        continue;
      }
      Double c =
          ceiling.stream()
              .filter(r -> r.operation().equals(s.operation()))
              .map(CeilingResult::operationsPerSecond)
              .findFirst()
              .orElse(null);
      Double m = rateOf(moto, s.operation());
      Double f = rateOf(floor, s.operation());
      double rate = s.requestsPerSecond();
      Double b = c == null || c == 0 || f == null || f == 0 ? null : round(bound(f, c));
      out.add(
          new Comparison(
              s.operation(),
              rate,
              c,
              c == null || c == 0 ? null : ratio(rate, c),
              f,
              b,
              b == null ? null : ratio(b, c),
              b == null ? null : ratio(rate, b),
              m,
              m == null || m == 0 ? null : ratio(rate, m)));
    }
    return out;
  }

  /** The rate of {@code operation} in {@code results}, or null if it did not run there. */
  private static Double rateOf(List<OpResult> results, String operation) {
    return results.stream()
        .filter(r -> r.operation().equals(operation) && r.ran())
        .map(OpResult::requestsPerSecond)
        .findFirst()
        .orElse(null);
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static double ratio(double a, double b) {
    return Math.round(a / b * 1000) / 1000.0;
  }
}
