package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hsmkms.testing.PostgresServer;
import org.hsmkms.testing.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/**
 * Two nodes, one cluster (issue 15 items 2 and 6): two {@code dev} processes ({@link
 * ServiceProcess}) on one PostgreSQL database ({@link PostgresServer}) and one data directory, so
 * one SoftHSM2 token, with GenerateDataKey and Decrypt load sent to both from start to end ({@link
 * ClusterLoad}). Through signed AWS SDK v2 clients: a change through one node holds on the other
 * within a second; racing key state changes end in one state; a node killed with SIGKILL under load
 * loses nothing it acknowledged while the other keeps serving; a due deletion is carried out once.
 * The tests run in order, on the same two nodes; the kill comes last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
  private static final Duration ONE_SECOND = Duration.ofSeconds(1);
  private static final Duration PATIENCE = Duration.ofSeconds(10);

  private final List<ServiceProcess> processes = new ArrayList<>();
  private final ClusterLoad load = new ClusterLoad();
  private String databaseUrl;
  private Path dataDir;
  private List<String> nodeOptions;
  private ServiceProcess a;
  private ServiceProcess b;
  private KmsClient kmsA;
  private KmsClient kmsB;

  @BeforeAll
  void twoNodesUnderLoad() throws Exception {
    databaseUrl = PostgresServer.get().createDatabase();
    Path base = Files.createDirectories(Path.of("target", "cluster").toAbsolutePath());
    dataDir = ServiceProcess.prepareDataDir(Files.createTempDirectory(base, "nodes-"));
    Path password = dataDir.resolve("database-password");
    Files.writeString(
        Files.createFile(
            password,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
        PostgresServer.PASSWORD,
        StandardCharsets.US_ASCII);
    nodeOptions =
        List.of(
            "--store",
            "postgresql",
            "--store-url",
            databaseUrl,
            "--store-user",
            PostgresServer.USER,
            "--store-password-file",
            password.toString(),
            // Due deletions are looked for every second by each node.
            "--deletion-check-seconds",
            "1");
    // Both at once: one migrates the new database while the other waits for it.
    List<ServiceProcess> started = startTogether(dataDir, nodeOptions, 2);
    a = started.get(0);
    b = started.get(1);
    kmsA = a.client();
    kmsB = b.client();
    String loadKey = kmsA.createKey(k -> k.description("cluster load")).keyMetadata().keyId();
    load.crypto(a, loadKey, 2);
    load.crypto(b, loadKey, 2);
  }

  @AfterAll
  void stop() throws Exception {
    load.close();
    for (ServiceProcess p : processes) {
      p.close();
    }
    if (dataDir != null) {
      System.out.println("cluster runs in " + dataDir);
    }
  }

  @Test
  @Order(1)
  void aKeyDisabledThroughOneNode_isRefusedByTheOther_withinOneSecond_andEnabledLikewise() {
    String keyId = kmsA.createKey(k -> k.description("disabled through A")).keyMetadata().keyId();
    encrypt(kmsB, keyId);

    kmsA.disableKey(k -> k.keyId(keyId));
    Duration refused = until(() -> refuses(kmsB, keyId));
    kmsA.enableKey(k -> k.keyId(keyId));
    Duration served = until(() -> !refuses(kmsB, keyId));
    kmsB.disableKey(k -> k.keyId(keyId));
    Duration refusedByA = until(() -> refuses(kmsA, keyId));

    assertTrue(refused.compareTo(ONE_SECOND) < 0, "B refused the disabled key after " + refused);
    assertTrue(served.compareTo(ONE_SECOND) < 0, "B served the enabled key after " + served);
    assertTrue(refusedByA.compareTo(ONE_SECOND) < 0, "A refused it after " + refusedByA);
    assertLoadServed();
  }

  @Test
  @Order(2)
  void scheduleAndCancelKeyDeletion_racedThroughBothNodes_endInOneStateBothReport()
      throws Exception {
    String keyId = kmsA.createKey(k -> k.description("raced")).keyMetadata().keyId();
    AtomicInteger scheduled = new AtomicInteger();
    AtomicInteger cancelled = new AtomicInteger();
    List<Callable<Void>> racers = new ArrayList<>();
    for (ServiceProcess node : List.of(a, b, a, b)) {
      KmsClient kms = node.client();
      int offset = racers.size();
      racers.add(
          () -> {
            for (int i = 0; i < 30; i++) {
              try {
                if ((i + offset) % 2 == 0) {
                  kms.scheduleKeyDeletion(k -> k.keyId(keyId).pendingWindowInDays(7));
                  scheduled.incrementAndGet();
                } else {
                  kms.cancelKeyDeletion(k -> k.keyId(keyId));
                  cancelled.incrementAndGet();
                }
              } catch (KmsInvalidStateException lost) {
                // The other state change won this round.
              }
            }
            return null;
          });
    }
    ExecutorService pool = Executors.newFixedThreadPool(racers.size());
    try {
      for (Future<Void> f : pool.invokeAll(racers)) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }

    KeyMetadata throughA = describe(kmsA, keyId);
    KeyMetadata throughB = describe(kmsB, keyId);
    assertEquals(throughA.keyState(), throughB.keyState());
    assertEquals(throughA.deletionDate(), throughB.deletionDate());
    // Enabled -> PendingDeletion -> Disabled -> PendingDeletion ...: the successes alternate, so
    // there is one more schedule than cancel exactly when the key ends pending deletion.
    boolean pending = throughA.keyState() == KeyState.PENDING_DELETION;
    assertTrue(pending || throughA.keyState() == KeyState.DISABLED, throughA.keyStateAsString());
    assertEquals(
        pending ? 1 : 0,
        scheduled.get() - cancelled.get(),
        "successful ScheduleKeyDeletion " + scheduled + ", CancelKeyDeletion " + cancelled);
    assertTrue(scheduled.get() > 1, "the race had more than one round");
    assertLoadServed();
  }

  @Test
  @Order(3)
  void aDeletionFallingDue_isCarriedOutOnce_byOneOfTheNodes() throws Exception {
    String keyId = kmsA.createKey(k -> k.description("falls due")).keyMetadata().keyId();
    byte[] blob = encrypt(kmsA, keyId);
    kmsB.scheduleKeyDeletion(k -> k.keyId(keyId).pendingWindowInDays(7));
    // Seven days pass: the deletion date is moved to a moment ago in the shared database.
    try (Connection c = PostgresServer.connect(databaseUrl);
        PreparedStatement s =
            c.prepareStatement("UPDATE keys SET deletion_date = ? WHERE key_id = ?")) {
      s.setLong(1, System.currentTimeMillis() - 1000);
      s.setString(2, keyId);
      assertEquals(1, s.executeUpdate());
    }

    until(() -> gone(kmsA, keyId) && gone(kmsB, keyId));
    // A sweep that found it too late finds nothing: wait out a few more of both nodes' sweeps.
    Thread.sleep(3000);

    Pattern deleted = Pattern.compile("key " + keyId + " deleted");
    int times = count(deleted, a.output()) + count(deleted, b.output());
    assertEquals(1, times, "deletions of " + keyId + " across both nodes' logs");
    assertThrows(
        RuntimeException.class,
        () -> kmsB.decrypt(d -> d.ciphertextBlob(SdkBytes.fromByteArray(blob))),
        "a ciphertext of the deleted key");
    assertLoadServed();
  }

  @Test
  @Order(4)
  void aNodeKilledUnderLoad_losesNothingAcknowledged_whileTheOtherKeepsServing() throws Exception {
    ClusterLoad writes = new ClusterLoad();
    writes.writes(a, "through-a-");
    writes.writes(b, "through-b-");
    Thread.sleep(3000);
    long servedByBBefore = load.node(b).succeeded.get();
    load.node(a).goingDown = true;
    writes.node(a).goingDown = true;

    a.kill();
    Thread.sleep(3000);
    writes.close();

    assertTrue(load.node(b).succeeded.get() > servedByBBefore, "B kept serving after A was killed");
    assertEquals(List.of(), writes.node(b).failures, "B's writes after A was killed");
    assertLoadServed();
    List<ClusterLoad.Acknowledged> acknowledged = writes.acknowledged();
    assertTrue(acknowledged.size() > 6, "acknowledged by the nodes: " + acknowledged.size());
    assertIntact(kmsB, acknowledged);

    ServiceProcess restarted = ServiceProcess.start(dataDir, List.of(), nodeOptions);
    processes.add(restarted);
    assertIntact(restarted.client(), acknowledged);
    assertLoadServed();
  }

  /** Every acknowledged key, alias and ciphertext, through {@code kms}. */
  private static void assertIntact(KmsClient kms, List<ClusterLoad.Acknowledged> acknowledged) {
    for (ClusterLoad.Acknowledged ack : acknowledged) {
      assertEquals(KeyState.ENABLED, describe(kms, ack.keyId()).keyState(), ack.keyId());
      if (ack.alias() != null) {
        assertEquals(ack.keyId(), describe(kms, ack.alias()).keyId(), ack.alias());
      }
      if (ack.ciphertext() != null) {
        assertEquals(
            ack.plaintext(),
            kms.decrypt(d -> d.ciphertextBlob(SdkBytes.fromByteArray(ack.ciphertext())))
                .plaintext()
                .asUtf8String());
      }
    }
  }

  /** No load request failed on a node that was not being taken down. */
  private void assertLoadServed() {
    for (ServiceProcess p : List.of(a, b)) {
      ClusterLoad.Node node = load.node(p);
      assertEquals(List.of(), node.failures, "load failures on the node on port " + p.port());
      assertTrue(node.succeeded.get() > 0, "load served by the node on port " + p.port());
    }
  }

  /** Starts {@code n} nodes on {@code dir} at the same moment. */
  private List<ServiceProcess> startTogether(Path dir, List<String> options, int n)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<ServiceProcess>> starts = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        starts.add(pool.submit(() -> ServiceProcess.start(dir, List.of(), options)));
      }
      List<ServiceProcess> started = new ArrayList<>();
      Exception failure = null;
      for (Future<ServiceProcess> f : starts) {
        try {
          started.add(f.get());
        } catch (java.util.concurrent.ExecutionException e) {
          failure = failure == null ? new IllegalStateException(e.getCause()) : failure;
        }
      }
      processes.addAll(started);
      if (failure != null) {
        throw failure;
      }
      return started;
    } finally {
      pool.shutdown();
    }
  }

  /** How long until {@code condition} held (polled); fails after {@link #PATIENCE}. */
  static Duration until(Supplier<Boolean> condition) {
    long start = System.nanoTime();
    while (!condition.get()) {
      if (System.nanoTime() - start > PATIENCE.toNanos()) {
        throw new AssertionError("not within " + PATIENCE);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static boolean refuses(KmsClient kms, String keyId) {
    try {
      encrypt(kms, keyId);
      return false;
    } catch (DisabledException e) {
      return true;
    }
  }

  private static boolean gone(KmsClient kms, String keyId) {
    try {
      describe(kms, keyId);
      return false;
    } catch (NotFoundException e) {
      return true;
    }
  }

  private static byte[] encrypt(KmsClient kms, String keyId) {
    return kms.encrypt(e -> e.keyId(keyId).plaintext(SdkBytes.fromUtf8String("cluster")))
        .ciphertextBlob()
        .asByteArray();
  }

  private static KeyMetadata describe(KmsClient kms, String keyId) {
    return kms.describeKey(d -> d.keyId(keyId)).keyMetadata();
  }

  private static int count(Pattern p, String text) {
    Matcher m = p.matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
