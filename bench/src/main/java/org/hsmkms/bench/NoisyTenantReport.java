package org.hsmkms.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hsmkms.bench.BenchReport.OpResult;
import org.hsmkms.bench.LatencyRecorder.Latency;

/**
 * What {@code bench --scenario noisy-tenant} measured, and each target of issue 16 with PASS or
 * FAIL: the quiet tenant gets every answer, none throttled, p99 under {@link #QUIET_P99_MS} ms; the
 * noisy tenant sees ThrottlingException; the quiet tenant alone gets at least {@link
 * #SINGLE_TENANT_MIN_PER_SECOND} GenerateDataKey answers a second.
 */
record NoisyTenantReport(
    String endpoint,
    List<String> serverArgs,
    double seconds,
    Quiet quiet,
    Noisy noisy,
    SlowConnections.Result slowConnections,
    SingleTenant singleTenant,
    Double serverMaxRssMiB,
    GeneratorCpu loadGenerator,
    List<Check> checks,
    List<String> notes) {

  static final String THROTTLED = "ThrottlingException";
  static final double QUIET_P99_MS = 20;
  static final double SINGLE_TENANT_MIN_PER_SECOND = 10_000;

  NoisyTenantReport {
    serverArgs = List.copyOf(serverArgs);
    checks = List.copyOf(checks);
    notes = List.copyOf(notes);
  }

  /**
   * The quiet tenant beside the noisy one.
   *
   * @param sent requests scheduled in the phase: answered, refused or lost
   * @param answered answered with 200
   * @param errors every other outcome by AWS error type (or exception), throttling included
   * @param latencyMs of the answered ones, from the time each was scheduled
   */
  record Quiet(
      double rate,
      long sent,
      long answered,
      long throttled,
      Map<String, Long> errors,
      Latency latencyMs) {
    static Quiet of(double rate, OpResult r) {
      return new Quiet(
          rate,
          r.requests() + r.failed(),
          r.requests(),
          r.errors().getOrDefault(THROTTLED, 0L),
          r.errors(),
          r.latencyMs());
    }

    long otherErrors() {
      return sent - answered - throttled;
    }
  }

  /**
   * The noisy tenant's two kinds of request.
   *
   * @param dataKeyAnswers GenerateDataKey answered with 200
   * @param rsaPairs GenerateDataKeyPair RSA_4096 answered with 200 (pairs served)
   * @param otherErrors errors but throttling, both kinds together
   */
  record Noisy(
      long dataKeyAnswers,
      long dataKeyThrottled,
      long rsaPairs,
      long rsaThrottled,
      Map<String, Long> otherErrors) {
    static Noisy of(OpResult dataKey, OpResult rsa) {
      Map<String, Long> other = new java.util.TreeMap<>();
      for (OpResult r : List.of(dataKey, rsa)) {
        r.errors().forEach((k, v) -> other.merge(k, v, Long::sum));
      }
      other.remove(THROTTLED);
      return new Noisy(
          dataKey.requests(),
          dataKey.errors().getOrDefault(THROTTLED, 0L),
          rsa.requests(),
          rsa.errors().getOrDefault(THROTTLED, 0L),
          other);
    }

    long throttled() {
      return dataKeyThrottled + rsaThrottled;
    }
  }

  /** The quiet tenant alone, closed loop at {@code concurrency}. */
  record SingleTenant(
      int concurrency,
      double seconds,
      long answered,
      double requestsPerSecond,
      Latency latencyMs,
      Map<String, Long> errors,
      double settledAfterSeconds) {
    static SingleTenant of(int concurrency, OpResult r, double settled) {
      return new SingleTenant(
          concurrency,
          r.seconds(),
          r.requests(),
          r.requestsPerSecond(),
          r.latencyMs(),
          r.errors(),
          settled);
    }
  }

  /**
   * The CPU the load generator (this JVM) used in each phase, in cores: taken from the server's
   * share of the machine, so worth knowing beside the server's figures.
   */
  record GeneratorCpu(double noisyPhaseCores, double singleTenantCores) {}

  /** One target and whether it was met. */
  record Check(String target, String measured, boolean pass) {}

  /** Checks every target of issue 16 against the figures. */
  static List<Check> checks(Quiet q, Noisy n, SingleTenant s) {
    List<Check> c = new ArrayList<>();
    c.add(
        new Check(
            "quiet tenant gets every answer",
            q.answered() + " of " + q.sent() + " answered",
            q.sent() > 0 && q.answered() == q.sent()));
    c.add(
        new Check(
            "quiet tenant never throttled", q.throttled() + " throttled", q.throttled() == 0));
    c.add(
        new Check(
            "quiet tenant p99 < " + number(QUIET_P99_MS) + " ms",
            "p99 " + q.latencyMs().p99() + " ms",
            q.answered() > 0 && q.latencyMs().p99() < QUIET_P99_MS));
    c.add(
        new Check(
            "noisy tenant sees " + THROTTLED, n.throttled() + " throttled", n.throttled() > 0));
    c.add(
        new Check(
            "single tenant GenerateDataKey >= " + number(SINGLE_TENANT_MIN_PER_SECOND) + " req/s",
            number(s.requestsPerSecond()) + " req/s",
            s.requestsPerSecond() >= SINGLE_TENANT_MIN_PER_SECOND));
    return c;
  }

  boolean passed() {
    return checks.stream().allMatch(Check::pass);
  }

  void text(PrintStream out) {
    out.println();
    out.printf(
        "hsm-kms bench --scenario noisy-tenant: %s, server flags [%s], %s s beside each other%n",
        endpoint, String.join(" ", serverArgs), number(seconds));
    out.println();
    out.printf(
        "quiet tenant (%s): GenerateDataKey at %s req/s, open loop%n",
        NoisyTenantOptions.QUIET_ACCOUNT, number(quiet.rate()));
    out.printf(
        "  answered %d of %d sent, throttled %d, other errors %d%s%n",
        quiet.answered(),
        quiet.sent(),
        quiet.throttled(),
        quiet.otherErrors(),
        quiet.errors().isEmpty() ? "" : " " + quiet.errors());
    out.printf(
        "  latency from the scheduled send: p50 %.3f ms, p99 %.3f ms, max %.3f ms%n",
        quiet.latencyMs().p50(), quiet.latencyMs().p99(), quiet.latencyMs().max());
    out.printf("noisy tenant (%s):%n", NoisyTenantOptions.NOISY_ACCOUNT);
    out.printf(
        "  GenerateDataKey: %d answered, %d %s%n",
        noisy.dataKeyAnswers(), noisy.dataKeyThrottled(), THROTTLED);
    out.printf(
        "  GenerateDataKeyPair RSA_4096: %d pairs served, %d %s%n",
        noisy.rsaPairs(), noisy.rsaThrottled(), THROTTLED);
    out.printf(
        "  other errors: %s%n", noisy.otherErrors().isEmpty() ? "none" : noisy.otherErrors());
    SlowConnections.Result slow = slowConnections;
    out.printf(
        "  slow connections (%d kept open, half trickling headers, half idle): %d opened,"
            + " %d closed by the server, %d refused, %d open at the end%n",
        slow.slots(),
        slow.opened(),
        slow.closedByServer(),
        slow.connectFailures(),
        slow.openAtEnd());
    out.printf(
        "single tenant: quiet tenant alone, %d connections, closed loop (after the server's CPU"
            + " settled, %s s)%n",
        singleTenant.concurrency(), number(singleTenant.settledAfterSeconds()));
    out.printf(
        "  %s req/s over %s s, p50 %.3f ms, p99 %.3f ms, errors %s%n",
        number(singleTenant.requestsPerSecond()),
        number(singleTenant.seconds()),
        singleTenant.latencyMs().p50(),
        singleTenant.latencyMs().p99(),
        singleTenant.errors().isEmpty() ? "none" : singleTenant.errors());
    if (serverMaxRssMiB != null) {
      out.printf("server resident memory: at most %s MiB%n", number(serverMaxRssMiB));
    }
    out.printf(
        "load generator (this JVM): %.2f cores in the noisy phase, %.2f alone%n",
        loadGenerator.noisyPhaseCores(), loadGenerator.singleTenantCores());
    out.println();
    out.println("targets (issue 16):");
    for (Check c : checks) {
      out.printf("  %-4s %-48s %s%n", c.pass() ? "PASS" : "FAIL", c.target(), c.measured());
    }
    notes.forEach(n -> out.println("note: " + n));
  }

  void json(Path file) throws IOException {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Files.write(file, mapper.writeValueAsBytes(this));
  }

  static String number(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(Math.round(v * 10) / 10.0);
  }
}
