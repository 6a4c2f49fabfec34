package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hsmkms.config.DevDefaults;
import org.hsmkms.testing.PostgresServer;
import org.hsmkms.testing.Prerequisites;
import org.hsmkms.testing.ServiceProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.KeyMetadata;

/**
 * {@code ./hsm-kms dev --store postgresql} twice on one data directory (issue 15, "Done when"): the
 * real {@code dev} command in two child JVMs started at the same moment, as the launcher starts it
 * after preparing the directory, makes one PostgreSQL cluster under the directory and two nodes on
 * it and on the directory's one SoftHSM2 token; a key made through one is used through the other;
 * an access key added with {@code credentials add --data-dir} is accepted by both within about a
 * second; one node stopped leaves the cluster and the other node serving.
 */
class DevClusterIT {
  private final List<ServiceProcess> processes = new ArrayList<>();
  private Path dataDir;

  @AfterEach
  void stopNodesAndCluster() throws Exception {
    for (ServiceProcess p : processes) {
      p.close();
    }
    if (dataDir != null && Files.exists(dataDir.resolve("postgresql/data/PG_VERSION"))) {
      // The cluster outlives the nodes, by design: stopped here as the welcome text says.
      stopCluster("immediate");
    }
  }

  /** {@code pg_ctl stop -m mode} on the data dir's cluster; answers its exit status. */
  private int stopCluster(String mode) throws Exception {
    List<String> stop = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      stop.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    stop.addAll(
        List.of(
            PostgresServer.binaries().orElseThrow().resolve("pg_ctl").toString(),
            "-D",
            dataDir.resolve("postgresql/data").toString(),
            "-m",
            mode,
            "-w",
            "stop"));
    Process p = new ProcessBuilder(stop).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(60, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }

  @Test
  void aStoppedCluster_isStartedAgainByTheNextNode_withEverythingInIt() throws Exception {
    Prerequisites.require(PostgresServer.binaries().isPresent(), Prerequisites.POSTGRESQL);
    Path base = Files.createDirectories(Path.of("target", "dev-cluster").toAbsolutePath());
    dataDir = ServiceProcess.prepareDataDir(Files.createTempDirectory(base, "restart-"));
    List<String> postgresql = List.of("--store", "postgresql");
    ServiceProcess first = ServiceProcess.start(dataDir, List.of(), postgresql);
    processes.add(first);
    KmsClient kms = first.client();
    String keyId = kms.createKey(k -> k.description("kept")).keyMetadata().keyId();
    kms.createAlias(a -> a.aliasName("alias/kept").targetKeyId(keyId));
    first.stop();
    assertEquals(0, stopCluster("fast"), "the cluster was running after its only node stopped");

    ServiceProcess again = ServiceProcess.start(dataDir, List.of(), postgresql);
    processes.add(again);

    KeyMetadata kept = again.client().describeKey(d -> d.keyId("alias/kept")).keyMetadata();
    assertEquals(keyId, kept.keyId());
    assertEquals("kept", kept.description());
  }

  @Test
  void twoDevProcessesWithStorePostgresql_onOneDataDir_areTwoNodesOfOneCluster() throws Exception {
    Optional<Path> bin = PostgresServer.binaries();
    Prerequisites.require(bin.isPresent(), Prerequisites.POSTGRESQL);
    Path base = Files.createDirectories(Path.of("target", "dev-cluster").toAbsolutePath());
    dataDir = ServiceProcess.prepareDataDir(Files.createTempDirectory(base, "dev-"));

    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<ServiceProcess>> starts = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      starts.add(
          pool.submit(
              () -> ServiceProcess.start(dataDir, List.of(), List.of("--store", "postgresql"))));
    }
    pool.shutdown();
    for (Future<ServiceProcess> f : starts) {
      processes.add(f.get());
    }
    ServiceProcess first = processes.get(0);
    ServiceProcess second = processes.get(1);
    assertTrue(Files.exists(dataDir.resolve("postgresql/data/PG_VERSION")), "one cluster");
    assertTrue(Files.exists(dataDir.resolve("audit-" + first.port() + ".log")));
    assertTrue(Files.exists(dataDir.resolve("audit-" + second.port() + ".log")));
    assertTrue(first.output().contains("stop it with: "), first.output());

    KmsClient one = first.client();
    KmsClient two = second.client();
    String keyId = one.createKey(k -> k.description("made through one node")).keyMetadata().keyId();
    GenerateDataKeyResponse dk =
        two.generateDataKey(g -> g.keyId(keyId).keySpec(DataKeySpec.AES_256));
    assertArrayEquals(
        dk.plaintext().asByteArray(),
        one.decrypt(d -> d.ciphertextBlob(dk.ciphertextBlob())).plaintext().asByteArray());

    String secret = "dev-cluster-added-secret-1357";
    addAccessKey("AKIDDEVCLUSTERADDED", secret);
    for (ServiceProcess node : processes) {
      Duration accepted =
          ClusterIT.until(() -> accepts(node.port(), "AKIDDEVCLUSTERADDED", secret));
      // Reloaded every second; the first check may come a second after the change.
      assertTrue(accepted.compareTo(Duration.ofSeconds(3)) < 0, "accepted after " + accepted);
    }

    assertNoSecretWritten(
        List.of(Files.readString(dataDir.resolve("postgresql-password")).trim(), secret));

    first.stop();
    assertEquals(
        keyId,
        two.describeKey(d -> d.keyId(keyId)).keyMetadata().keyId(),
        "the cluster outlives the node that made it");
  }

  /** The nodes' output and logs, audit trails and the database server's log hold no secret. */
  private void assertNoSecretWritten(List<String> secrets) throws Exception {
    List<Path> written = new ArrayList<>();
    try (var files = Files.list(dataDir)) {
      files
          .filter(f -> f.toString().endsWith(".out") || f.toString().endsWith(".log"))
          .forEach(written::add);
    }
    written.add(dataDir.resolve("postgresql/server.log"));
    for (Path f : written) {
      String text = Files.exists(f) ? Files.readString(f) : "";
      for (String s : secrets) {
        assertTrue(!text.contains(s), f + " holds a secret");
      }
    }
  }

  /** {@code hsm-kms credentials add --data-dir DIR --admin}, a third process on the token. */
  private void addAccessKey(String accessKeyId, String secret) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports",
                "jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED",
                "-Dhsmkms.testLog=" + dataDir.resolve("credentials-add.log"),
                "-cp",
                System.getProperty("java.class.path"),
                "org.hsmkms.cli.Main",
                "credentials",
                "add",
                "--data-dir",
                dataDir.toString(),
                "--access-key-id",
                accessKeyId,
                "--admin")
            .redirectErrorStream(true);
    pb.environment().put("SOFTHSM2_CONF", dataDir.resolve("softhsm2.conf").toString());
    pb.environment().put("HSM_KMS_SECRET_ACCESS_KEY", secret);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
  }

  private static boolean accepts(int port, String accessKeyId, String secret) {
    try (KmsClient kms =
        KmsClient.builder()
            .endpointOverride(URI.create("http://127.0.0.1:" + port))
            .region(Region.of(DevDefaults.get().region()))
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secret)))
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(o -> o.retryPolicy(RetryPolicy.none()))
            .build()) {
      kms.listKeys(l -> l.limit(1));
      return true;
    } catch (SdkException e) {
      return false;
    }
  }
}
