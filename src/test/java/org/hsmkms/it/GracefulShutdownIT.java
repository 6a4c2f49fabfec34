package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.hsmkms.Application;
import org.hsmkms.config.Config;
import org.hsmkms.testing.TestServer;
import org.hsmkms.testing.TestToken;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.KeyState;

/**
 * Start and stop as a load balancer sees them: not ready while starting; on close (what SIGTERM
 * runs, through the shutdown hook) not ready at once, no new connection accepted, the requests in
 * flight answered, and what they did kept.
 */
class GracefulShutdownIT {

  @Test
  void whileStarting_theServiceIsLive_butNotReady() throws Exception {
    Path dir = TestServer.newDataDir();
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("pin"), TestToken.PIN);
    TestToken.dir();
    int management = freePort();
    Config config =
        new Config(
            new Config.Server("127.0.0.1", 0, 65536L).withManagementPort(management),
            TestServer.ACCOUNT,
            "us-east-1",
            new Config.Hsm(
                TestToken.module(),
                TestToken.LABEL,
                null,
                dir.resolve("pin").toString(),
                2,
                5000L,
                null),
            new Config.Store("jdbc:sqlite:" + dir.resolve("metadata.db")),
            new Config.Deletion(3600L));
    CountDownLatch halfway = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    CompletableFuture<Application> starting =
        CompletableFuture.supplyAsync(
            () ->
                Application.start(
                    config,
                    TestToken.PIN.toCharArray(),
                    Clock.systemUTC(),
                    // Runs with the HSM open and the management listener up; holds the start.
                    hsm -> {
                      halfway.countDown();
                      try {
                        proceed.await(30, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }));
    assertTrue(halfway.await(30, TimeUnit.SECONDS));
    try {
      assertEquals(200, HealthAndMetricsIT.get(management, "/health/live").status());
      HealthAndMetricsIT.Answer ready = HealthAndMetricsIT.get(management, "/health/ready");
      assertEquals(503, ready.status());
      assertEquals("{\"status\":\"unavailable\",\"failing\":\"starting\"}", ready.body());
    } finally {
      proceed.countDown();
    }
    try (Application app = starting.get(30, TimeUnit.SECONDS)) {
      assertEquals(200, HealthAndMetricsIT.get(management, "/health/ready").status());
    }
  }

  @Test
  void close_withRequestsInFlight_answersThem_refusesNewConnections_andKeepsWhatTheyDid()
      throws Exception {
    Path dir = TestServer.newDataDir();
    TestServer server = TestServer.start(dir);
    KmsClient client = server.client();
    String keyId = client.createKey(b -> {}).keyMetadata().keyId();
    int kmsPort = server.app().port();
    int management = server.app().managementPort();
    ExecutorService callers = Executors.newFixedThreadPool(6);
    ExecutorService closer = Executors.newSingleThreadExecutor();
    List<Future<GenerateDataKeyResponse>> dataKeys = new ArrayList<>();
    Future<String> created;
    Future<?> closing;
    // With every HSM session held, the requests wait on the workers: in flight, and unanswered.
    try (AutoCloseable held = server.app().hsm().diagnostics().holdAllSessions()) {
      for (int i = 0; i < 3; i++) {
        dataKeys.add(
            callers.submit(
                () -> client.generateDataKey(b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256))));
      }
      created =
          callers.submit(
              () ->
                  client.createKey(b -> b.description("made while closing")).keyMetadata().keyId());
      awaitTrue(() -> inFlight(management) >= 4, "four requests in flight");

      closing = closer.submit(server::close);

      awaitTrue(
          () -> HealthAndMetricsIT.get(management, "/health/ready").status() == 503,
          "not ready while draining");
      assertEquals(
          "{\"status\":\"unavailable\",\"failing\":\"draining\"}",
          HealthAndMetricsIT.get(management, "/health/ready").body());
      awaitTrue(() -> !accepts(kmsPort), "the KMS port accepts no new connection");
      assertTrue(!closing.isDone(), "close waits for the requests in flight");
    }

    List<GenerateDataKeyResponse> answered = new ArrayList<>();
    for (Future<GenerateDataKeyResponse> f : dataKeys) {
      answered.add(f.get(30, TimeUnit.SECONDS));
    }
    String createdKeyId = created.get(30, TimeUnit.SECONDS);
    closing.get(30, TimeUnit.SECONDS);
    callers.shutdown();
    closer.shutdown();

    try (TestServer again = TestServer.start(dir)) {
      KmsClient after = again.client();
      assertEquals(
          KeyState.ENABLED,
          after.describeKey(b -> b.keyId(createdKeyId)).keyMetadata().keyState(),
          "the key created while closing was kept");
      for (GenerateDataKeyResponse r : answered) {
        assertArrayEquals(
            r.plaintext().asByteArray(),
            after.decrypt(b -> b.ciphertextBlob(r.ciphertextBlob())).plaintext().asByteArray(),
            "each data key answered while closing decrypts after a restart");
      }
    }
  }

  @Test
  void close_withNothingInFlight_isQuick() {
    TestServer server = TestServer.start(TestServer.newDataDir());
    server.client().generateRandom(b -> b.numberOfBytes(8)); // a kept-alive idle connection

    long start = System.nanoTime();
    server.close();

    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(millis < 5000, "closed in " + millis + " ms, not after the drain bound");
  }

  private static double inFlight(int management) {
    return HealthAndMetricsIT.sample(
        HealthAndMetricsIT.get(management, "/metrics").body(), "hsmkms_requests_in_flight", "");
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void awaitTrue(BooleanSupplier condition, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting: " + what);
      }
      Thread.sleep(20);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
