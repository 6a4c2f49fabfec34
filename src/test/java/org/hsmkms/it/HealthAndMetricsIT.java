package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hsmkms.config.Audit;
import org.hsmkms.config.Config;
import org.hsmkms.testing.MutableClock;
import org.hsmkms.testing.Prerequisites;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.KmsInternalException;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/**
 * The management listener of a real server: {@code /health/live}, {@code /health/ready} with the
 * checks it names when failing, and {@code /metrics} in the Prometheus text format, which counts
 * requests by operation and outcome and never carries a key id or an alias.
 */
class HealthAndMetricsIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** An answer of the management listener. */
  record Answer(int status, String body, String contentType) {}

  static Answer get(int port, String path) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return new Answer(
          r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The value of the sample {@code name{labels}} in a scrape; 0 when it is absent. */
  static double sample(String scrape, String name, String labels) {
    String series = labels.isEmpty() ? name : name + "{" + labels + "}";
    Matcher m =
        Pattern.compile("^" + Pattern.quote(series) + " ([0-9.eE+-]+)$", Pattern.MULTILINE)
            .matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static int management(TestServer server) {
    return server.app().managementPort();
  }

  @Test
  void live_is200_andReady_is200_whileTheServerServes() {
    TestServer server = TestServer.shared();

    Answer live = get(management(server), "/health/live");
    Answer ready = get(management(server), "/health/ready");

    assertEquals(200, live.status());
    assertEquals("{\"status\":\"live\"}", live.body());
    assertEquals(200, ready.status(), ready.body());
    assertEquals("{\"status\":\"ready\"}", ready.body());
  }

  @Test
  void theManagementListener_isNotTheKmsPort_andTheKmsPortHasNoHealthPath() {
    TestServer server = TestServer.shared();

    assertTrue(management(server) > 0);
    assertTrue(management(server) != server.app().port());
    TestServer.RawResponse onKmsPort =
        server.send(
            HttpRequest.newBuilder(server.endpoint().resolve("/health/ready")).GET().build());
    assertEquals(400, onKmsPort.status(), "the KMS port knows only POST /");
    assertEquals(404, get(management(server), "/other").status());
  }

  @Test
  void metrics_countASignedGenerateDataKey_andAnErrorByItsCode() {
    TestServer server = TestServer.shared();
    KmsClient client = server.client();
    String keyId = client.createKey(b -> {}).keyMetadata().keyId();
    String before = get(management(server), "/metrics").body();

    client.generateDataKey(b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256));
    assertThrows(
        NotFoundException.class,
        () -> client.describeKey(b -> b.keyId("00000000-0000-0000-0000-000000000000")));
    Answer after = get(management(server), "/metrics");

    assertEquals(200, after.status());
    assertTrue(after.contentType().startsWith("text/plain; version=0.0.4"), after.contentType());
    String success = "operation=\"GenerateDataKey\",outcome=\"Success\"";
    assertEquals(
        1,
        sample(after.body(), "hsmkms_requests_total", success)
            - sample(before, "hsmkms_requests_total", success));
    String notFound = "operation=\"DescribeKey\",outcome=\"NotFoundException\"";
    assertEquals(
        1,
        sample(after.body(), "hsmkms_requests_total", notFound)
            - sample(before, "hsmkms_requests_total", notFound));
    assertTrue(
        sample(
                after.body(),
                "hsmkms_request_duration_seconds_bucket",
                "operation=\"GenerateDataKey\",le=\"10.0\"")
            >= 1,
        "the latency histogram has the request");
    for (String gauge :
        new String[] {
          "hsmkms_hsm_sessions_in_use ",
          "hsmkms_hsm_sessions_max ",
          "hsmkms_hsm_session_waits_total ",
          "hsmkms_hsm_working_copies ",
          "hsmkms_audit_failures_total ",
          "hsmkms_audit_available ",
          "hsmkms_requests_in_flight ",
          "hsmkms_data_key_pairs_ready{spec=\"ECC_NIST_P256\"}",
          "hsmkms_store_duration_seconds_count{method=\"findKey\"}"
        }) {
      assertTrue(after.body().contains(gauge), gauge + " is exported");
    }
  }

  @Test
  void metrics_carryNoKeyId_noAlias_andNoTargetAClientMadeUp() {
    TestServer server = TestServer.shared();
    KmsClient client = server.client();
    String keyId =
        client.createKey(b -> b.description("metrics-description-xyzzy")).keyMetadata().keyId();
    String alias = "alias/metrics-alias-plugh";
    client.createAlias(b -> b.aliasName(alias).targetKeyId(keyId));
    client.generateDataKey(b -> b.keyId(alias).keySpec(DataKeySpec.AES_128));
    client.describeKey(b -> b.keyId(keyId));
    assertThrows(
        NotFoundException.class, () -> client.describeKey(b -> b.keyId("alias/metrics-no-such")));
    server.post("TrentService.made-up-target-quux", "{}");

    String scrape = get(management(server), "/metrics").body();

    for (String chosen :
        new String[] {keyId, "metrics-alias-plugh", "metrics-no-such", "xyzzy", "quux"}) {
      assertFalse(scrape.contains(chosen), chosen + " must not appear in /metrics");
    }
    assertTrue(
        sample(
                scrape,
                "hsmkms_requests_total",
                "operation=\"unknown\",outcome=\"UnknownOperationException\"")
            >= 1,
        "an unknown target is counted under one label value");
  }

  @Test
  void ready_isFalseNamingTheHsm_whileNoSessionCanBeHad_andTrueAgainAfterwards() throws Exception {
    try (TestServer own = TestServer.start(TestServer.newDataDir())) {
      assertEquals(200, get(management(own), "/health/ready").status());

      try (AutoCloseable held = own.app().hsm().diagnostics().holdAllSessions()) {
        Answer ready = get(management(own), "/health/ready");
        assertEquals(503, ready.status());
        assertEquals("{\"status\":\"unavailable\",\"failing\":\"hsm\"}", ready.body());
        String scrape = get(management(own), "/metrics").body();
        assertEquals(
            own.app().hsm().status().sessionsMax(),
            (int) sample(scrape, "hsmkms_hsm_sessions_in_use", ""));
        assertEquals(200, get(management(own), "/health/live").status(), "still live");
      }

      assertEquals(200, get(management(own), "/health/ready").status());
    }
  }

  @Test
  void ready_isFalseNamingTheAudit_whenTheTrailThatFailsClosedCannotBeWritten() {
    Prerequisites.require(Files.isWritable(Path.of("/dev/full")), Prerequisites.DEV_FULL);
    try (TestServer own =
        TestServer.start(
            TestServer.newDataDir(),
            new MutableClock(),
            c -> c.withAudit(new Audit(true, "/dev/full", null, null, null, true)))) {
      assertThrows(
          KmsInternalException.class, () -> own.client().generateRandom(b -> b.numberOfBytes(8)));

      Answer ready = get(management(own), "/health/ready");

      assertEquals(503, ready.status());
      assertEquals("{\"status\":\"unavailable\",\"failing\":\"audit\"}", ready.body());
      String scrape = get(management(own), "/metrics").body();
      assertTrue(sample(scrape, "hsmkms_audit_failures_total", "") >= 1);
    }
  }

  @Test
  void managementPortMinusOne_meansNoManagementListener() {
    try (TestServer own =
        TestServer.start(
            TestServer.newDataDir(),
            new MutableClock(),
            c -> c.withServer(c.server().withManagementPort(Config.Server.NO_MANAGEMENT)))) {
      assertEquals(-1, own.app().managementPort());
      assertEquals(
          32,
          own.client().generateRandom(b -> b.numberOfBytes(32)).plaintext().asByteArray().length);
    }
  }
}
