package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hsmkms.config.Connections;
import org.hsmkms.testing.MutableClock;
import org.hsmkms.testing.RawConnection;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * The KMS listener's connection bounds ({@code connections} in the configuration): a trickling
 * connection is closed at the header timeout, a trickled body at the body timeout, and past the
 * connection limit new connections are closed at once; meanwhile, and afterwards, normal clients
 * are served. Bounds are generous: the machine may be loaded.
 */
class ConnectionLimitsIT {
  private static final String RANDOM = "TrentService.GenerateRandom";
  private static final String RANDOM_BODY = "{\"NumberOfBytes\":16}";
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** Trickled bytes this far apart would take a minute for a whole request head. */
  private static final long TRICKLE_MILLIS = 250;

  private static TestServer start(Connections connections) {
    return TestServer.start(
        TestServer.newDataDir(), new MutableClock(), c -> c.withConnections(connections));
  }

  @Test
  void tricklingHeaders_areCutAtTheHeaderTimeout_whileANormalClientIsServed() throws Exception {
    try (TestServer own = start(new Connections(null, null, 2, 2, null, null))) {
      int port = own.endpoint().getPort();
      CompletableFuture<Long> cutAfterMillis =
          CompletableFuture.supplyAsync(
              () -> {
                try (RawConnection slow = RawConnection.open(port, 30_000)) {
                  long start = System.nanoTime();
                  String head =
                      "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: "
                          + RANDOM
                          + "\r\nX-Padding: "
                          + "x".repeat(200)
                          + "\r\n\r\n";
                  boolean sentItAll = slow.trickle(head, TRICKLE_MILLIS);
                  assertFalse(sentItAll, "the trickling connection is closed before its head ends");
                  return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });

      assertEquals(200, own.post(RANDOM, RANDOM_BODY).status(), "a normal client meanwhile");
      long cut = cutAfterMillis.get(60, TimeUnit.SECONDS);
      assertTrue(cut >= 1000 && cut < 20_000, "cut after " + cut + " ms (timeout 2 s)");
      assertEquals(200, own.post(RANDOM, RANDOM_BODY).status());
      assertTrue(metric(own, "hsmkms_connections_timed_out_total") >= 1);
    }
  }

  @Test
  void trickledBody_isCutAtTheBodyTimeout() throws Exception {
    try (TestServer own = start(new Connections(null, null, 30, 2, null, null));
        RawConnection slow = RawConnection.open(0 + own.endpoint().getPort(), 30_000)) {
      String date = AMZ_DATE.format(Instant.now());
      slow.send(
          "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n"
              + "X-Amz-Target: "
              + RANDOM
              + "\r\nX-Amz-Date: "
              + date
              + "\r\nAuthorization: "
              + RawConnection.zeroSignature(TestServer.ACCESS_KEY_ID, date)
              + "\r\nContent-Length: 200\r\n\r\n");
      long start = System.nanoTime();

      boolean sentItAll = slow.trickle("{" + " ".repeat(198) + "}", TRICKLE_MILLIS);

      long cut = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertFalse(sentItAll, "the body trickle is cut");
      assertTrue(cut >= 1000 && cut < 20_000, "cut after " + cut + " ms (timeout 2 s)");
      assertEquals(200, own.post(RANDOM, RANDOM_BODY).status());
    }
  }

  @Test
  void pastTheConnectionLimit_newConnectionsAreClosed_andServiceResumesWhenTheyGo()
      throws Exception {
    try (TestServer own = start(new Connections(4, null, 60, null, null, null))) {
      int port = own.endpoint().getPort();
      List<RawConnection> idle = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          idle.add(RawConnection.open(port, 5_000));
        }
        awaitOpen(own, 4);
        try (RawConnection fifth = RawConnection.open(port, 10_000)) {
          assertTrue(fifth.closedByServer(), "the fifth connection is closed at once");
        }
        assertThrows(IllegalStateException.class, () -> own.post(RANDOM, RANDOM_BODY));
        assertTrue(metric(own, "hsmkms_connections_refused_total") >= 2);
        assertTrue(metric(own, "hsmkms_connections_open") >= 4);
      } finally {
        for (RawConnection c : idle) {
          c.close();
        }
      }
      awaitServed(own);
    }
  }

  @Test
  void pastTheLimitPerAddress_newConnectionsFromThatAddressAreClosed() throws Exception {
    try (TestServer own = start(new Connections(null, 2, 60, null, null, null))) {
      int port = own.endpoint().getPort();
      try (RawConnection a = RawConnection.open(port, 5_000);
          RawConnection b = RawConnection.open(port, 5_000)) {
        awaitOpen(own, 2);
        try (RawConnection third = RawConnection.open(port, 10_000)) {
          assertTrue(third.closedByServer(), "a third connection from 127.0.0.1 is closed");
        }
        assertFalse(a.closedByServer(), "the first two stay open");
        assertFalse(b.closedByServer(), "the first two stay open");
      }
      awaitServed(own);
    }
  }

  /**
   * Waits until the server has taken in {@code n} connections: they are handed to the listeners'
   * event loops in turn, so the order in which they are counted is not the order of connecting.
   */
  private static void awaitOpen(TestServer own, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (metric(own, "hsmkms_connections_open") < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(n + " connections not counted within 20 s");
      }
      Thread.sleep(50);
    }
  }

  private static double metric(TestServer own, String name) {
    String scrape = HealthAndMetricsIT.get(own.app().managementPort(), "/metrics").body();
    return HealthAndMetricsIT.sample(scrape, name, "");
  }

  /** A normal request is served again soon (closing is asynchronous on the server's side). */
  private static void awaitServed(TestServer own) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      try {
        if (own.post(RANDOM, RANDOM_BODY).status() == 200) {
          return;
        }
      } catch (IllegalStateException e) {
        // closed by the limit still: try again
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not served again within 20 s");
      }
      Thread.sleep(200);
    }
  }
}
