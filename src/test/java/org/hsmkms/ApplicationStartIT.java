package org.hsmkms;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.hsmkms.config.Audit;
import org.hsmkms.config.Config;
import org.hsmkms.testing.MutableClock;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * A start that fails part-way closes everything it opened (Vert.x, the workers, the audit trail,
 * the key-pair pool, the store, the HSM), so that the process holds no thread or file of it and a
 * second start on the same data directory works.
 */
class ApplicationStartIT {
  /**
   * Threads the service starts: Vert.x's own, the HSM workers, the pool's and the audit trail's.
   */
  private static final List<String> SERVICE_THREADS = List.of("vert.x-", "vertx-", "hsm-kms-");

  @Test
  void portAlreadyTaken_startFails_andLeavesNoThreadOrOpenFile_andAStartAfterwardsWorks()
      throws Exception {
    Path dir = TestServer.newDataDir();
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertStartFailsCleanly(
          dir, c -> withPrefilledPool(c).withServer(new Config.Server("127.0.0.1", port, 65536L)));
    }
    assertStartsAndServes(dir);
  }

  @Test
  void auditTrailCannotBeOpened_startFails_andLeavesNoThreadOrOpenFile_andAStartAfterwardsWorks()
      throws Exception {
    Path dir = TestServer.newDataDir();
    // A directory where the trail's file should be: the trail cannot open it, after the HSM, the
    // store, the key-pair pool and the credentials are open.
    Path notAFile = Files.createDirectories(dir.resolve("audit-is-a-directory"));
    assertStartFailsCleanly(
        dir, c -> withPrefilledPool(c).withAudit(Audit.toFile(notAFile.toString())));
    assertStartsAndServes(dir);
  }

  /** Fills the P-256 pool at start-up, so that the pool's thread runs before the failure. */
  private static Config withPrefilledPool(Config c) {
    Map<String, Integer> sizes = new HashMap<>();
    Config.DataKeyPairs.DEFAULT_POOL_SIZES.keySet().forEach(spec -> sizes.put(spec, 0));
    sizes.put("ECC_NIST_P256", 2);
    return c.withDataKeyPairs(new Config.DataKeyPairs(true, sizes));
  }

  private static void assertStartFailsCleanly(Path dir, UnaryOperator<Config> customize)
      throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();

    assertThrows(
        RuntimeException.class, () -> TestServer.start(dir, new MutableClock(), customize));

    List<Thread> left = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (!before.contains(t) && SERVICE_THREADS.stream().anyMatch(t.getName()::startsWith)) {
        // Closing has returned; a thread that is stopping may still need a moment to end.
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        if (t.isAlive()) {
          left.add(t);
        }
      }
    }
    List<Path> openFiles = openFilesUnder(dir);
    assertAll(
        () ->
            assertEquals(
                List.of(), left.stream().map(Thread::getName).toList(), "threads left running"),
        () -> assertEquals(List.of(), openFiles, "files left open"));
  }

  private static void assertStartsAndServes(Path dir) {
    try (TestServer server = TestServer.start(dir);
        KmsClient kms = server.client()) {
      String keyId = kms.createKey(b -> {}).keyMetadata().keyId();
      assertEquals(keyId, kms.describeKey(b -> b.keyId(keyId)).keyMetadata().keyId());
      assertTrue(server.auditLines().stream().anyMatch(l -> l.contains("\"CreateKey\"")));
    }
  }

  /** The files under {@code dir} this process holds open (Linux: /proc/self/fd). */
  private static List<Path> openFilesUnder(Path dir) throws IOException {
    Path real = dir.toRealPath();
    List<Path> open = new ArrayList<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          Path target = Files.readSymbolicLink(fd);
          if (target.startsWith(real)) {
            open.add(target);
          }
        } catch (IOException closedMeanwhile) {
          // The descriptor was closed between listing and reading it (e.g. the listing's own).
        }
      }
    }
    return open;
  }
}
