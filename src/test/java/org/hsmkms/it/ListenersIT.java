package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hsmkms.config.Config;
import org.hsmkms.testing.MutableClock;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The server listens with one listener per event loop on one port: a port given in the
 * configuration (as {@code dev --port} and production use) serves many connections at once, and a
 * second server cannot take a port the first holds.
 */
class ListenersIT {

  @Test
  void fixedPort_servesConcurrentConnections_andASecondServerCannotTakeIt() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    try (TestServer server =
        TestServer.start(
            TestServer.newDataDir(),
            new MutableClock(),
            c -> c.withServer(new Config.Server("127.0.0.1", port, 65536L)))) {
      assertEquals(port, server.endpoint().getPort());

      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<Integer>> answers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          answers.add(
              pool.submit(
                  () -> {
                    // A client per thread, so that requests overlap on several connections.
                    try (KmsClient client = server.client()) {
                      int bytes = 0;
                      for (int i = 0; i < 20; i++) {
                        bytes +=
                            client
                                .generateRandom(b -> b.numberOfBytes(32))
                                .plaintext()
                                .asByteArray()
                                .length;
                      }
                      return bytes;
                    }
                  }));
        }
        for (Future<Integer> answer : answers) {
          assertEquals(20 * 32, answer.get());
        }
      } finally {
        pool.shutdown();
      }

      assertThrows(
          RuntimeException.class,
          () ->
              TestServer.start(
                      TestServer.newDataDir(),
                      new MutableClock(),
                      c -> c.withServer(new Config.Server("127.0.0.1", port, 65536L)))
                  .close());
      assertEquals(
          16,
          server.client().generateRandom(b -> b.numberOfBytes(16)).plaintext().asByteArray().length,
          "the first server still answers");
    }
  }
}
