package org.hsmkms.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.hsmkms.bench.BenchReport.CeilingResult;
import org.hsmkms.bench.BenchReport.Comparison;
import org.hsmkms.bench.BenchReport.OpResult;
import org.hsmkms.bench.LatencyRecorder.Latency;
import org.junit.jupiter.api.Test;

class BenchReportTest {
  @Test
  void bound_addsTheCpuTimeOfAnAnswerAndOfTheHsmWork() {
    // 30,000 answers a second take the CPUs 33.3 us each; 40,000 HSM operations 25 us each.
    assertEquals(1e6 / (1e6 / 30_000 + 1e6 / 40_000), BenchReport.bound(30_000, 40_000), 1e-6);
    assertEquals(17_142.857, BenchReport.bound(30_000, 40_000), 0.001);
    // Equal costs halve the rate.
    assertEquals(10_000, BenchReport.bound(20_000, 20_000), 1e-9);
  }

  @Test
  void compare_putsTheServiceBesideCeilingFloorAndMoto() {
    List<Comparison> c =
        BenchReport.compare(
            List.of(result("GenerateDataKey", 12_000), result("GenerateRandom", 20_000)),
            List.of(new CeilingResult("GenerateDataKey", 16, 10, 400_000, 40_000)),
            List.of(result("GenerateDataKey", 30_000), result("GenerateRandom", 31_000)),
            List.of(result("GenerateDataKey", 200)));

    Comparison gdk = c.get(0);
    assertEquals(0.3, gdk.fractionOfCeiling());
    assertEquals(30_000, gdk.floorPerSecond());
    assertEquals(17_142.9, gdk.bound());
    assertEquals(0.429, gdk.boundFractionOfCeiling());
    assertEquals(0.7, gdk.fractionOfBound());
    assertEquals(60.0, gdk.timesMoto());

    // A floor without a ceiling bounds nothing.
    Comparison random = c.get(1);
    assertEquals(31_000, random.floorPerSecond());
    assertNull(random.bound());
    assertNull(random.fractionOfBound());
    assertNull(random.timesMoto());
  }

  @Test
  void failures_nameEveryOperationWithFailedRequests_andTheTextReportShowsThem() {
    OpResult refused =
        new OpResult(
            "Decrypt",
            10,
            990,
            99,
            new Latency(1, 2, 3, 4),
            Map.of("AccessDeniedException", 10L),
            0,
            null);
    BenchReport report = report(List.of(result("GenerateDataKey", 100), refused), true);

    assertEquals(
        List.of("Decrypt: 10 of 1000 requests failed (AccessDeniedException=10)"),
        report.failures());
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    ReportPrinter.text(report, new PrintStream(text, true, StandardCharsets.UTF_8));
    String table = text.toString(StandardCharsets.UTF_8);
    assertTrue(table.contains("authorization: policies on"), table);
    assertTrue(table.contains("FAILED REQUESTS"), table);
    assertTrue(table.contains("Decrypt: 10 of 1000 requests failed"), table);
  }

  @Test
  void aCleanRun_hasNoFailures() {
    BenchReport report = report(List.of(result("GenerateDataKey", 100)), false);

    assertEquals(List.of(), report.failures());
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    ReportPrinter.text(report, new PrintStream(text, true, StandardCharsets.UTF_8));
    String table = text.toString(StandardCharsets.UTF_8);
    assertTrue(table.contains("authorization: " + BenchReport.WITHOUT_POLICIES), table);
    assertFalse(table.contains("FAILED"), table);
  }

  private static BenchReport report(List<OpResult> service, boolean policies) {
    return new BenchReport(
        "http://127.0.0.1:4599",
        "closed loop, 16 concurrent requests",
        16,
        null,
        1,
        10,
        1,
        policies,
        policies
            ? "policies on: requests signed by the bench principal"
            : BenchReport.WITHOUT_POLICIES,
        null,
        service,
        List.of(),
        List.of(),
        List.of(),
        BenchReport.compare(service, List.of(), List.of(), List.of()),
        List.of());
  }

  private static OpResult result(String operation, double rate) {
    return new OpResult(
        operation, 10, (long) (rate * 10), rate, new Latency(1, 2, 3, 4), Map.of(), 0, null);
  }
}
