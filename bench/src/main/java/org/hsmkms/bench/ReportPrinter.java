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
import java.util.stream.Collectors;
import org.hsmkms.bench.BenchReport.CeilingResult;
import org.hsmkms.bench.BenchReport.Comparison;
import org.hsmkms.bench.BenchReport.OpResult;

/** The report as tables for people and as JSON for scripts. */
final class ReportPrinter {
  private static final String OP = "%-36s";
  private static final double LAG_WORTH_A_NOTE_MS = 5;

  private ReportPrinter() {}

  static void text(BenchReport r, PrintStream out) {
    out.println();
    out.printf(
        "hsm-kms bench: %s, %s, warm-up %s s, %s s per operation%n",
        r.endpoint(), r.load(), number(r.warmupSeconds()), number(r.durationSeconds()));
    out.println();
    out.println(
        "hsm-kms (SigV4-signed requests on keep-alive connections"
            + (r.keys() > 1 ? ", spread over " + r.keys() + " CMKs" : "")
            + ")");
    out.println("authorization: " + r.authorization());
    servers(r.service(), out);
    List<String> failures = r.failures();
    if (!failures.isEmpty()) {
      out.println(
          "FAILED REQUESTS: the figures above count only answered requests; a run with failures"
              + (r.policies() ? " (here: a policy that refuses the bench)" : "")
              + " is no measurement");
      failures.forEach(f -> out.println("  " + f));
    }

    if (!r.ceiling().isEmpty()) {
      out.println();
      out.printf(
          "HSM ceiling: the same PKCS#11 work through the HSM layer, no HTTP, %d threads%n",
          r.ceiling().get(0).threads());
      out.printf(OP + " %10s %14s%n", "operation", "ops/s", "hsm-kms share");
      for (CeilingResult c : r.ceiling()) {
        Comparison cmp = comparison(r, c.operation());
        out.printf(
            OP + " %10.1f %14s%n",
            c.operation(),
            c.operationsPerSecond(),
            cmp == null || cmp.fractionOfCeiling() == null
                ? "-"
                : String.format("%.1f%%", cmp.fractionOfCeiling() * 100));
      }
    }

    if (!r.floor().isEmpty()) {
      out.println();
      out.println(
          "HTTP floor: a server that only answers (the same HTTP stack in a JVM of its own, no"
              + " signature, JSON, audit or HSM) under the same load");
      servers(r.floor(), out);
      List<Comparison> bounded = r.comparison().stream().filter(c -> c.bound() != null).toList();
      if (!bounded.isEmpty()) {
        out.println();
        out.println(
            "The most HTTP and the HSM leave room for on these CPUs: bound = 1 / (1/floor +"
                + " 1/ceiling)");
        out.printf(
            OP + " %10s %10s %10s %14s %14s%n",
            "operation",
            "ceiling/s",
            "floor/s",
            "bound/s",
            "bound/ceiling",
            "hsm-kms/bound");
        for (Comparison c : bounded) {
          out.printf(
              OP + " %10.1f %10.1f %10.1f %13.1f%% %13.1f%%%n",
              c.operation(),
              c.ceilingPerSecond(),
              c.floorPerSecond(),
              c.bound(),
              c.boundFractionOfCeiling() * 100,
              c.fractionOfBound() * 100);
        }
      }
    }

    if (!r.moto().isEmpty()) {
      out.println();
      out.println("moto (python3 -m moto.server) under the same load");
      servers(r.moto(), out);
      out.printf(OP + " %14s%n", "operation", "hsm-kms/moto");
      for (Comparison c : r.comparison()) {
        if (c.timesMoto() != null) {
          out.printf(OP + " %13.1fx%n", c.operation(), c.timesMoto());
        }
      }
    }

    if (r.serverMemory() != null) {
      out.println();
      out.printf(
          "server resident memory (pid %d, %d samples): max %.1f MiB, at the end %.1f MiB%n",
          r.serverMemory().pid(),
          r.serverMemory().samples(),
          r.serverMemory().maxMiB(),
          r.serverMemory().lastMiB());
    }

    List<String> notes = new ArrayList<>(r.notes());
    for (OpResult o : r.service()) {
      if (o.clientLagMs() > LAG_WORTH_A_NOTE_MS) {
        notes.add(
            String.format(
                "%s: the load generator sent requests up to %.1f ms late (short of CPU, or paused);"
                    + " the latencies include that",
                o.operation(), o.clientLagMs()));
      }
    }
    if (!notes.isEmpty()) {
      out.println();
      out.println("notes:");
      notes.forEach(n -> out.println("  " + n));
    }
  }

  private static void servers(List<OpResult> results, PrintStream out) {
    out.printf(
        OP + " %10s %8s %8s %8s %8s  %s%n",
        "operation",
        "req/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "errors");
    for (OpResult o : results) {
      if (!o.ran()) {
        out.printf(OP + " skipped: %s%n", o.operation(), o.note());
        continue;
      }
      out.printf(
          OP + " %10.1f %8.2f %8.2f %8.2f %8.2f  %s%n",
          o.operation(),
          o.requestsPerSecond(),
          o.latencyMs().p50(),
          o.latencyMs().p90(),
          o.latencyMs().p99(),
          o.latencyMs().max(),
          errors(o.errors()));
    }
  }

  private static Comparison comparison(BenchReport r, String operation) {
    return r.comparison().stream()
        .filter(c -> c.operation().equals(operation))
        .findFirst()
        .orElse(null);
  }

  static String errors(Map<String, Long> errors) {
    if (errors.isEmpty()) {
      return "0";
    }
    return errors.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(", "));
  }

  private static String number(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  static void json(BenchReport r, Path file) throws IOException {
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(Files.newOutputStream(file), r);
  }
}
