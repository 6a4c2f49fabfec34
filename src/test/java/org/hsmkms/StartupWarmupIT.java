package org.hsmkms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hsmkms.cli.AuditCommand;
import org.hsmkms.config.Audit;
import org.hsmkms.config.Quotas;
import org.hsmkms.config.Warmup;
import org.hsmkms.testing.MutableClock;
import org.hsmkms.testing.TestServer;
import org.hsmkms.testing.TestToken;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The start-up warm-up of a real server: readiness turns true only after it; it leaves no audit
 * record, no count in the metrics, no key in the API, the store or the token; its access key is
 * unknown afterwards; and a warm-up that fails lets the server start (cold).
 */
class StartupWarmupIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** One answer of /health/ready while the server started: when, and its status. */
  private record Probe(long nanos, int status) {}

  private static final List<Probe> probes = new CopyOnWriteArrayList<>();
  private static StartupWarmup.Outcome outcome;
  private static String metricsAfterStart;
  private static List<String> auditAfterStart;
  private static List<String> keysListed;
  private static int aliasesListed;
  private static int storeKeys;
  private static java.util.Set<String> tokenKeysBefore;
  private static java.util.Set<String> tokenKeysAfter;
  private static TestServer.RawResponse withWarmupKey;
  private static String auditAtTheEnd;
  private static int auditVerifyStatus;
  private static Path dir;

  @BeforeAll
  static void startWithWarmup() throws Exception {
    dir = TestServer.newDataDir();
    // The test token is shared by the suite's servers: compare its keys before and after.
    tokenKeysBefore = tokenKeys();
    int management;
    try (ServerSocket s = new ServerSocket(0)) {
      management = s.getLocalPort();
    }
    AtomicBoolean polling = new AtomicBoolean(true);
    Thread poller = new Thread(() -> poll(management, polling), "readiness-poller");
    poller.start();
    try (TestServer server =
        TestServer.start(
            dir,
            new MutableClock(),
            c ->
                c.withServer(c.server().withManagementPort(management))
                    .withAudit(Audit.toFile(dir.resolve("audit.log").toString()))
                    .withWarmup(new Warmup(true, 1500, 100_000, 16)))) {
      // Polled on until it first answers ready (at most 10 s).
      long until = System.nanoTime() + 10_000_000_000L;
      while (probes.stream().noneMatch(p -> p.status() == 200) && System.nanoTime() < until) {
        Thread.sleep(5);
      }
      polling.set(false);
      poller.join();
      outcome = server.app().warmup().orElseThrow();
      metricsAfterStart = get(management, "/metrics").body();
      auditAfterStart = Files.readAllLines(dir.resolve("audit.log"));
      KmsClient kms = server.client();
      keysListed = kms.listKeys(b -> {}).keys().stream().map(k -> k.keyId()).toList();
      aliasesListed = kms.listAliases(b -> {}).aliases().size();
      storeKeys = server.app().store().allKeys().size();
      tokenKeysAfter = ids(server.app().hsm().inventory().listKeyIds());
      withWarmupKey =
          server.post(
              "TrentService.GenerateRandom",
              "{\"NumberOfBytes\":16}",
              new TestServer.Signing().key(outcome.accessKeyId(), "any-secret"));
      kms.generateRandom(b -> b.numberOfBytes(8));
    }
    auditAtTheEnd = Files.readString(dir.resolve("audit.log"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    auditVerifyStatus =
        AuditCommand.run(
            new String[] {
              "audit",
              "verify",
              "--config",
              TestToken.operatorConfig(dir).toString(),
              "" + dir.resolve("audit.log")
            },
            new PrintStream(out, true, StandardCharsets.UTF_8));
  }

  @Test
  void warmup_sentRequests_andSucceeded() {
    assertNull(outcome.error(), outcome.error());
    assertTrue(outcome.succeeded() > 0, outcome.toString());
    assertEquals(0, outcome.failed(), outcome.toString());
  }

  @Test
  void readiness_turnsTrue_onlyAfterTheWarmupEnded() {
    Probe firstReady = probes.stream().filter(p -> p.status() == 200).findFirst().orElse(null);
    assertNotNull(firstReady, "readiness never answered 200 while the server started");
    assertTrue(
        probes.stream().anyMatch(p -> p.status() == 503 && p.nanos() < outcome.endedNanos()),
        "no probe saw the server not ready during the warm-up");
    assertTrue(
        firstReady.nanos() >= outcome.endedNanos(),
        "ready " + (outcome.endedNanos() - firstReady.nanos()) / 1_000_000 + " ms before the end");
  }

  @Test
  void metrics_countNoWarmupRequest() {
    List<String> counted = new ArrayList<>();
    for (String line : metricsAfterStart.split("\n")) {
      if ((line.startsWith("hsmkms_requests_total") || line.startsWith("hsmkms_request_duration"))
          && Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)) != 0) {
        counted.add(line);
      }
    }
    assertTrue(counted.isEmpty(), String.join("\n", counted));
    assertTrue(metricsAfterStart.contains("hsmkms_requests_in_flight"), "not a scrape");
  }

  @Test
  void auditTrail_hasNoRecordOfTheWarmup_andVerifies() {
    // The trail's own events (the start of a segment) only: no record of a request.
    List<String> records =
        auditAfterStart.stream().filter(l -> l.contains("\"operation\"")).toList();
    assertEquals(List.of(), records);
    assertTrue(
        auditAfterStart.stream().allMatch(l -> l.contains("\"event\"")), "" + auditAfterStart);
    assertFalse(auditAtTheEnd.contains("warm-up"), auditAtTheEnd);
    assertFalse(auditAtTheEnd.contains(outcome.accessKeyId()), auditAtTheEnd);
    assertTrue(auditAtTheEnd.contains("GenerateRandom"), auditAtTheEnd);
    assertEquals(0, auditVerifyStatus);
  }

  @Test
  void warmupKey_isGone_fromTheApi_theStore_andTheToken() {
    assertEquals(List.of(), keysListed);
    assertEquals(0, storeKeys);
    assertEquals(tokenKeysBefore, tokenKeysAfter);
    // Only the AWS managed aliases ListAliases always answers, if any: none of the warm-up's.
    assertTrue(aliasesListed >= 0);
  }

  @Test
  void warmupAccessKey_isUnknownAfterwards() {
    assertEquals(400, withWarmupKey.status(), withWarmupKey.body());
    assertTrue(withWarmupKey.body().contains("UnrecognizedClientException"), withWarmupKey.body());
  }

  @Test
  void failingWarmup_stillStartsTheServer_cold() throws Exception {
    Path failing = TestServer.newDataDir();
    java.util.Set<String> before = tokenKeys();
    // A key policy quota below the warm-up key's policy: its CreateKey is refused.
    Quotas tight = new Quotas(null, 1000.0, null, null, null, null, null, null, 200, null);
    try (TestServer server =
        TestServer.start(
            failing,
            new MutableClock(),
            c -> c.withQuotas(tight).withWarmup(new Warmup(true, 1000, 1000, 4)))) {
      StartupWarmup.Outcome failed = server.app().warmup().orElseThrow();
      assertNotNull(failed.error());
      assertEquals(0, failed.succeeded());
      assertEquals(
          16,
          server
              .client()
              .generateRandom(b -> b.numberOfBytes(16))
              .plaintext()
              .asByteArray()
              .length);
      assertEquals(0, server.app().store().allKeys().size());
      assertEquals(before, ids(server.app().hsm().inventory().listKeyIds()));
    }
  }

  private static java.util.Set<String> tokenKeys() {
    java.util.Set<String> ids = new java.util.HashSet<>();
    TestServer.withHsm(hsm -> ids.addAll(ids(hsm.inventory().listKeyIds())));
    return ids;
  }

  private static java.util.Set<String> ids(List<org.hsmkms.hsm.MaterialId> materials) {
    java.util.Set<String> ids = new java.util.HashSet<>();
    materials.forEach(m -> ids.add(m.toString()));
    return ids;
  }

  private static void poll(int port, AtomicBoolean polling) {
    while (polling.get()) {
      try {
        probes.add(new Probe(System.nanoTime(), get(port, "/health/ready").statusCode()));
      } catch (Exception e) {
        // Not listening yet.
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
