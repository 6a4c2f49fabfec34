package org.hsmkms.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hsmkms.auth.CredentialsFile;
import org.hsmkms.bench.BenchReport.CeilingResult;
import org.hsmkms.bench.BenchReport.Comparison;
import org.hsmkms.bench.BenchReport.OpResult;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.hsm.pkcs11.Pkcs11Settings;
import org.hsmkms.testing.TestServer;
import org.hsmkms.testing.TestToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.Tag;

/**
 * The bench keeps working: a short run against the real test server (and its token for the ceiling)
 * answers every operation without errors and reports every figure. No timing is asserted; the
 * figures of a test run mean nothing.
 */
class BenchSmokeIT {
  private static final List<String> OPS =
      List.of(
          "GenerateDataKey",
          "GenerateDataKeyWithoutPlaintext",
          "Encrypt",
          "Decrypt",
          "GenerateRandom",
          "GenerateDataKeyPair:ECC_NIST_P256");

  private static final java.util.Set<String> NOT_YET_AUTHENTICATED =
      java.util.Set.of("UnrecognizedClientException", "InvalidSignatureException");

  private static final Bench.HsmOpener TEST_TOKEN =
      (dataDir, config, sessions) ->
          Pkcs11Hsm.open(
              new Pkcs11Settings(
                  TestToken.module(),
                  TestToken.LABEL,
                  TestToken.PIN.toCharArray(),
                  sessions,
                  5000L));

  @Test
  void closedLoopWithCeiling_reportsEveryOperationWithoutErrors(@TempDir Path dir)
      throws IOException {
    Path json = dir.resolve("bench.json");
    BenchOptions options =
        BenchOptions.parse(
            args(
                "--ops",
                String.join(",", OPS),
                "--concurrency",
                "2",
                "--warmup",
                "0.2",
                "--duration",
                "0.6",
                "--ceiling",
                "--json",
                json.toString()));

    BenchReport report = Bench.run(options, TEST_TOKEN, quiet());

    assertEquals(OPS, report.service().stream().map(OpResult::operation).toList());
    for (OpResult r : report.service()) {
      assertTrue(r.ran(), r.operation() + ": " + r.note());
      assertTrue(r.requests() > 0 && r.requestsPerSecond() > 0, r.toString());
      assertEquals(0, r.errors().size(), r.operation() + ": " + r.errors());
      assertTrue(r.latencyMs().p50() > 0, r.toString());
      assertTrue(r.latencyMs().p50() <= r.latencyMs().p90(), r.toString());
      assertTrue(r.latencyMs().p90() <= r.latencyMs().p99(), r.toString());
      assertTrue(r.latencyMs().p99() <= r.latencyMs().max(), r.toString());
    }
    assertEquals(OPS, report.ceiling().stream().map(CeilingResult::operation).toList());
    report.ceiling().forEach(c -> assertTrue(c.operationsPerSecond() > 0, c.toString()));
    for (Comparison c : report.comparison()) {
      assertNotNull(c.fractionOfCeiling(), c.toString());
    }

    JsonNode written = new ObjectMapper().readTree(json.toFile());
    for (String field : List.of("endpoint", "load", "service", "ceiling", "comparison", "notes")) {
      assertTrue(written.has(field), "JSON report lacks " + field);
    }
    JsonNode first = written.get("service").get(0);
    for (String field :
        List.of("operation", "seconds", "requests", "requestsPerSecond", "latencyMs", "errors")) {
      assertTrue(first.has(field), "JSON result lacks " + field);
    }
    for (String field : List.of("p50", "p90", "p99", "max")) {
      assertTrue(first.get("latencyMs").has(field), "JSON latency lacks " + field);
    }
    assertTrue(written.get("comparison").get(0).has("fractionOfCeiling"));

    ByteArrayOutputStream text = new ByteArrayOutputStream();
    ReportPrinter.text(report, new PrintStream(text, true, StandardCharsets.UTF_8));
    String table = text.toString(StandardCharsets.UTF_8);
    for (String heading : List.of("req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors")) {
      assertTrue(table.contains(heading), table);
    }
    assertTrue(table.contains("HSM ceiling"), table);
    OPS.forEach(op -> assertTrue(table.contains(op), table));
  }

  @Test
  void floor_runsInItsOwnJvm_andBoundsTheServiceWithTheCeiling() throws IOException {
    BenchOptions options =
        BenchOptions.parse(
            args(
                "--ops",
                "GenerateDataKey,Encrypt,GenerateDataKeyPair:ECC_NIST_P256",
                "--concurrency",
                "2",
                "--warmup",
                "0.2",
                "--duration",
                "0.6",
                "--ceiling",
                "--floor"));

    BenchReport report = Bench.run(options, TEST_TOKEN, quiet());

    // Key pairs are paced by their generation, not by HTTP: no floor for them.
    assertEquals(
        List.of("GenerateDataKey", "Encrypt"),
        report.floor().stream().map(OpResult::operation).toList());
    for (OpResult f : report.floor()) {
      assertTrue(f.ran(), f.operation() + ": " + f.note());
      assertTrue(f.requests() > 0, f.toString());
      assertEquals(0, f.errors().size(), f.operation() + ": " + f.errors());
    }
    for (Comparison c : report.comparison()) {
      if (c.operation().startsWith("GenerateDataKeyPair")) {
        assertEquals(null, c.bound(), c.toString());
        continue;
      }
      assertEquals(
          BenchReport.bound(c.floorPerSecond(), c.ceilingPerSecond()),
          c.bound(),
          0.1,
          c.toString());
      assertTrue(c.bound() < Math.min(c.floorPerSecond(), c.ceilingPerSecond()), c.toString());
      assertEquals(c.requestsPerSecond() / c.bound(), c.fractionOfBound(), 0.001, c.toString());
    }
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    ReportPrinter.text(report, new PrintStream(text, true, StandardCharsets.UTF_8));
    String table = text.toString(StandardCharsets.UTF_8);
    assertTrue(table.contains("HTTP floor"), table);
    assertTrue(table.contains("hsm-kms/bound"), table);
    // The floor's JVM is stopped with the run: no child of this JVM still runs it.
    List<Long> left =
        ProcessHandle.current()
            .descendants()
            .filter(ProcessHandle::isAlive)
            .filter(p -> p.info().commandLine().orElse("").contains(HttpFloor.MARKER))
            .map(ProcessHandle::pid)
            .toList();
    assertEquals(List.of(), left, "the HTTP floor's JVM outlived the run");
  }

  @Test
  void openLoop_answersEveryRequestWithoutErrors_andShowsTheSlowestAnswerOfEachSecond()
      throws IOException {
    BenchOptions options =
        BenchOptions.parse(
            args(
                "--ops", "GenerateRandom",
                "--rate", "200",
                "--concurrency", "4",
                "--warmup", "0.2",
                "--duration", "1.3"));
    ByteArrayOutputStream progress = new ByteArrayOutputStream();

    BenchReport report =
        Bench.run(options, TEST_TOKEN, new PrintStream(progress, true, StandardCharsets.UTF_8));

    OpResult r = report.service().get(0);
    assertTrue(r.requests() > 0 && r.requestsPerSecond() > 0, r.toString());
    assertEquals(0, r.errors().size(), r.errors().toString());
    assertEquals(200.0, report.rate());
    // A progress line a second, with the slowest answer of that second: when a run stalled.
    String lines = progress.toString(StandardCharsets.UTF_8);
    Matcher m =
        Pattern.compile("GenerateRandom +run +\\d+s +(\\d+)/s +slowest +(\\d+\\.\\d) ms")
            .matcher(lines);
    assertTrue(m.find(), lines);
    assertTrue(Integer.parseInt(m.group(1)) > 0, lines);
    assertTrue(Double.parseDouble(m.group(2)) > 0, lines);
  }

  /** The test server's endpoint and access key, then {@code more}. */
  @Test
  void manyKeys_spreadTheRequests_andTheServersMemoryIsSampled() throws IOException {
    int keysBefore = keyCount();
    long pid = ProcessHandle.current().pid(); // the test server runs in this JVM
    BenchOptions options =
        BenchOptions.parse(
            args(
                "--ops", "GenerateDataKey,Decrypt",
                "--keys", "5",
                "--pid", Long.toString(pid),
                "--concurrency", "2",
                "--warmup", "0.1",
                "--duration", "0.5"));

    BenchReport report = Bench.run(options, TEST_TOKEN, quiet());

    assertEquals(5, report.keys());
    for (OpResult r : report.service()) {
      assertTrue(r.requests() >= 5, r.toString());
      assertEquals(0, r.errors().size(), r.operation() + ": " + r.errors());
    }
    assertEquals(keysBefore + 5, keyCount());
    assertEquals(pid, report.serverMemory().pid());
    assertTrue(report.serverMemory().samples() >= 2, report.serverMemory().toString());
    assertTrue(report.serverMemory().maxMiB() >= report.serverMemory().lastMiB() - 0.001);
    assertTrue(report.serverMemory().maxMiB() > 10, report.serverMemory().toString());
  }

  /**
   * {@code --policies}: the bench adds its non-admin principal with the launcher's {@code
   * credentials add} (here through a config file naming the test server's token and credentials
   * file), the server picks it up without a restart, the keys get the bench's key policy and tag,
   * every request is signed by that principal and succeeds, and the principal is removed again.
   */
  @Test
  void policies_measureAsTheBenchPrincipal_onKeysWithTheBenchPolicy_andRemoveItAfter(
      @TempDir Path dir) throws IOException {
    TestServer server = TestServer.shared();
    Path config = dir.resolve("test-server.yaml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "accountId: \"" + TestServer.ACCOUNT + "\"",
            "hsm:",
            "  module: \"" + TestToken.module() + "\"",
            "  tokenLabel: " + TestToken.LABEL,
            "  pinFile: \"" + server.dataDir().resolve("pin") + "\"",
            "store:",
            "  url: \"jdbc:sqlite:" + server.dataDir().resolve("metadata.db") + "\"",
            "credentials:",
            "  file: \"" + server.credentialsFile() + "\"",
            ""),
        StandardCharsets.UTF_8);
    List<String> ops = List.of("GenerateDataKey", "Decrypt", "Encrypt", "GenerateRandom");
    int auditBefore = server.auditLines().size();
    BenchOptions options =
        BenchOptions.parse(
            args(
                "--config",
                config.toString(),
                "--policies",
                "--ops",
                String.join(",", ops),
                "--keys",
                "2",
                "--concurrency",
                "2",
                "--warmup",
                "0.1",
                "--duration",
                "0.5"));

    BenchReport report = Bench.run(options, TEST_TOKEN, quiet());

    String bench = BenchPolicy.principal(TestServer.ACCOUNT);
    assertTrue(report.policies());
    assertTrue(report.authorization().startsWith("policies on: requests signed by " + bench));
    assertEquals(ops, report.service().stream().map(OpResult::operation).toList());
    for (OpResult r : report.service()) {
      assertTrue(r.ran() && r.requests() > 0, r.toString());
    }
    assertEquals(List.of(), report.failures());

    // The keys: created by the administrator with the bench's policy and tag.
    String policy = BenchPolicy.keyPolicy(TestServer.ACCOUNT, TestServer.PRINCIPAL, bench);
    ObjectMapper json = new ObjectMapper();
    List<String> benchKeys = new ArrayList<>();
    List<String> audit = server.auditLines();
    for (String line : audit.subList(auditBefore, audit.size())) {
      JsonNode record = json.readTree(line);
      String operation = record.path("operation").asText();
      String principal = record.path("principal").asText();
      if (NOT_YET_AUTHENTICATED.contains(record.path("errorCode").asText())) {
        continue; // the bench waiting for the server to reload its credentials
      }
      if (operation.equals("CreateKey")) {
        assertEquals(TestServer.PRINCIPAL, principal, line);
        benchKeys.add(record.path("keyArns").get(0).asText());
      } else if (operation.equals("ScheduleKeyDeletion")) {
        assertEquals(TestServer.PRINCIPAL, principal, line);
      } else if (ops.contains(operation)) {
        // The measured requests, and the ones that set them up, by the bench principal.
        assertEquals(bench, principal, line);
        assertEquals("success", record.path("outcome").asText(), line);
      }
    }
    assertEquals(2, benchKeys.size());
    try (KmsClient admin = server.client()) {
      for (String key : benchKeys) {
        assertEquals(policy, admin.getKeyPolicy(b -> b.keyId(key).policyName("default")).policy());
        assertEquals(
            List.of(
                Tag.builder().tagKey(BenchPolicy.TAG_KEY).tagValue(BenchPolicy.TAG_VALUE).build()),
            admin.listResourceTags(b -> b.keyId(key)).tags());
      }
    }

    // The principal is gone again: no access key, no identity policy.
    CredentialsFile.Contents left = CredentialsFile.readAll(server.credentialsFile());
    assertTrue(
        left.entries().stream().noneMatch(e -> e.accessKeyId().equals(BenchPolicy.ACCESS_KEY_ID)));
    assertTrue(left.policies().stream().noneMatch(p -> p.principalArn().equals(bench)));
    assertTrue(
        left.entries().stream().anyMatch(e -> e.accessKeyId().equals(TestServer.ACCESS_KEY_ID)));
  }

  private static int keyCount() {
    return TestServer.shared()
        .app()
        .store()
        .listKeys(TestServer.ACCOUNT, "us-east-1", null, 1_000_000)
        .size();
  }

  private static String[] args(String... more) {
    TestServer server = TestServer.shared();
    List<String> all = new ArrayList<>();
    all.addAll(
        List.of(
            "--endpoint",
            server.endpoint().toString(),
            "--access-key-id",
            TestServer.ACCESS_KEY_ID,
            "--secret-access-key",
            TestServer.SECRET_ACCESS_KEY,
            "--data-dir",
            server.dataDir().toString()));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
