package org.hsmkms.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.hsmkms.auth.SigV4Signer;
import org.hsmkms.bench.BenchOptions.Load;
import org.hsmkms.bench.BenchReport.OpResult;
import org.hsmkms.bench.NoisyTenantReport.Quiet;
import org.hsmkms.bench.Operations.Workload;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The two kinds of load of the noisy-tenant scenario against small local servers: the quiet
 * tenant's open loop, whose latencies count from the scheduled send (queueing shows), and the noisy
 * tenant's slow connections. Bounds are loose: a loaded machine only makes queueing longer and
 * trickling slower, and waits are polls with a generous deadline.
 */
class ScenarioLoadTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private static PrintStream silent() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }

  @Test
  void theQuietOpenLoop_countsLatencyFromTheSchedule_soThatQueueingShows_andThrottlingApart() {
    // One connection to a server that takes 200 ms an answer and throttles every fifth request:
    // 10 requests scheduled over 1 s are answered one after the other over about 2 s.
    AtomicInteger seen = new AtomicInteger();
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            b ->
                                vertx.setTimer(
                                    200,
                                    id -> {
                                      boolean throttle = seen.incrementAndGet() % 5 == 0;
                                      req.response()
                                          .setStatusCode(throttle ? 400 : 200)
                                          .end(
                                              throttle
                                                  ? "{\"__type\":\"ThrottlingException\"}"
                                                  : "{}");
                                    })))
            .listen(0, "127.0.0.1")
            .await();
    SigV4Signer signer =
        new SigV4Signer("AKIDTEST", "s".getBytes(StandardCharsets.UTF_8), "us-east-1", "kms", true);
    Load schedule = new Load(1, 10.0, Duration.ZERO, Duration.ofSeconds(1));
    OpResult r;
    try (SignedClient client =
        new SignedClient(vertx, URI.create("http://127.0.0.1:" + server.actualPort()), signer, 1)) {
      Workload w = new Workload("quiet GenerateDataKey", "GenerateDataKey", new byte[][] {{'{'}});
      r = new LoadRunner(client, schedule, silent()).run(w);
    } finally {
      server.close().await();
    }

    Quiet q = Quiet.of(10, r);
    assertEquals(10, q.sent());
    assertEquals(8, q.answered());
    assertEquals(2, q.throttled());
    assertEquals(0, q.otherErrors());
    // The last was scheduled at 0.9 s and answered at about 2 s: measured from its own send it
    // would be 200 ms; from its schedule it is about 1.1 s.
    assertTrue(q.latencyMs().max() >= 600, q.toString());
    assertTrue(q.latencyMs().p50() >= 190, q.toString());
  }

  @Test
  void slowConnections_trickleOneByteASecond_andAreOpenedAgainWhenTheServerClosesThem()
      throws Exception {
    // A server that keeps 4 connections and closes every one beyond them at once.
    Map<NetSocket, Buffer> open = new ConcurrentHashMap<>();
    NetServer server =
        vertx
            .createNetServer()
            .connectHandler(
                s -> {
                  if (open.size() >= 4) {
                    s.close();
                    return;
                  }
                  open.put(s, Buffer.buffer());
                  s.handler(data -> open.get(s).appendBuffer(data));
                  s.closeHandler(v -> open.remove(s));
                })
            .listen(0, "127.0.0.1")
            .await();
    SlowConnections slow = new SlowConnections(vertx, "127.0.0.1", server.actualPort(), 6).start();
    long started = System.nanoTime();
    try {
      await(() -> slow.result().closedByServer() >= 3);
      await(() -> open.values().stream().anyMatch(b -> b.length() >= 2));
      double seconds = (System.nanoTime() - started) / 1e9;
      SlowConnections.Result r = slow.result();

      assertEquals(6, r.slots());
      assertEquals(0, r.connectFailures());
      assertTrue(r.opened() >= 6 + 1, r.toString());
      // The trickling ones spell the start of a request, a byte a tick, never faster.
      for (Buffer b : List.copyOf(open.values())) {
        String sent = b.toString(StandardCharsets.US_ASCII);
        assertTrue(
            new String(SlowConnections.HEADERS, StandardCharsets.US_ASCII).startsWith(sent), sent);
        assertTrue(b.length() <= seconds + 2, b.length() + " bytes in " + seconds + " s");
      }
    } finally {
      SlowConnections.Result end = slow.stop();
      assertTrue(end.openAtEnd() <= 6, end.toString());
    }
    // Stopped: every connection closed by the bench, none left at the server.
    await(open::isEmpty);
    server.close().await();
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "not within 20 s");
      Thread.sleep(50);
    }
  }
}
