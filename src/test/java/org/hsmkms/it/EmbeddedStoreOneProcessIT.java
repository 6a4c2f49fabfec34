package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.hsmkms.DevCredentials;
import org.hsmkms.testing.ServiceProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * One process per embedded store, seen from outside (issue 15, item 2): a second {@code dev} on the
 * data directory of a running one exits at once with a message that names the directory and the way
 * to run several nodes, changes nothing there, and the first keeps serving; {@code credentials add}
 * on that directory, which does not open the store, works beside the running server, which then
 * accepts the new key. Each server is a real child JVM ({@link ServiceProcess}).
 */
class EmbeddedStoreOneProcessIT {
  private final List<ServiceProcess> processes = new ArrayList<>();
  private Path dataDir;

  @BeforeEach
  void dataDir(TestInfo test) throws Exception {
    Path base = Path.of("target", "one-process").toAbsolutePath();
    Files.createDirectories(base);
    dataDir =
        ServiceProcess.prepareDataDir(
            Files.createTempDirectory(base, test.getTestMethod().orElseThrow().getName() + "-"));
  }

  @AfterEach
  void kill() throws Exception {
    for (ServiceProcess p : processes) {
      p.close();
    }
  }

  private ServiceProcess startFirst() throws Exception {
    ServiceProcess p = ServiceProcess.start(dataDir, null);
    processes.add(p);
    return p;
  }

  @Test
  void aSecondDevOnTheSameDataDir_exitsNonZeroWithinSeconds_andTheFirstKeepsServing()
      throws Exception {
    ServiceProcess first = startFirst();
    KmsClient kms = first.client();
    String keyId = kms.createKey(b -> b.description("before the second")).keyMetadata().keyId();
    byte[] credentials = Files.readAllBytes(dataDir.resolve(DevCredentials.SERVER_FILE));
    int objects = ServiceProcess.tokenObjects(dataDir);

    ServiceProcess second = ServiceProcess.launch(dataDir, null);
    processes.add(second);
    int status = second.awaitExit(Duration.ofSeconds(30));

    assertNotEquals(0, status, "the second process refuses to start");
    String output = second.output();
    assertTrue(output.contains(dataDir.toString()), "names the data directory:\n" + output);
    assertTrue(output.contains("--store postgresql"), "names the way to several nodes:\n" + output);
    assertArrayEquals(
        credentials,
        Files.readAllBytes(dataDir.resolve(DevCredentials.SERVER_FILE)),
        "the second process wrote no credentials");
    assertEquals(objects, ServiceProcess.tokenObjects(dataDir), "nor anything into the token");

    byte[] plaintext = "still serving".getBytes(StandardCharsets.UTF_8);
    SdkBytes blob =
        kms.encrypt(b -> b.keyId(keyId).plaintext(SdkBytes.fromByteArray(plaintext)))
            .ciphertextBlob();
    assertArrayEquals(
        plaintext, kms.decrypt(b -> b.ciphertextBlob(blob)).plaintext().asByteArray());
    assertEquals(1, kms.listKeys().keys().size());
  }

  @Test
  void credentialsAdd_onTheDataDirOfARunningDev_isAcceptedByIt() throws Exception {
    ServiceProcess first = startFirst();
    String accessKeyId = "AKIDADDEDBESIDE";
    String secret = "added-beside-the-running-server";

    ProcessBuilder command =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports",
                "jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1",
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
            .redirectErrorStream(true)
            .redirectOutput(dataDir.resolve("credentials-add.out").toFile());
    command.environment().put("SOFTHSM2_CONF", dataDir.resolve("softhsm2.conf").toString());
    // The secret as an operator gives it: from the environment, never on the command line.
    command.environment().put("HSM_KMS_SECRET_ACCESS_KEY", secret);
    Process add = command.start();
    add.getOutputStream().close();
    assertTrue(add.waitFor(60, TimeUnit.SECONDS), "credentials add finished");
    String output = Files.readString(dataDir.resolve("credentials-add.out"));
    assertEquals(0, add.exitValue(), output);

    try (KmsClient added = clientFor(first.port(), accessKeyId, secret)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (true) {
        try {
          added.listKeys();
          break;
        } catch (SdkException e) {
          if (System.nanoTime() > deadline) {
            throw new AssertionError("the running server never accepted the added key", e);
          }
          Thread.sleep(250);
        }
      }
    }
  }

  private static KmsClient clientFor(int port, String accessKeyId, String secret) {
    return KmsClient.builder()
        .endpointOverride(java.net.URI.create("http://127.0.0.1:" + port))
        .region(Region.of(org.hsmkms.config.DevDefaults.get().region()))
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secret)))
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }
}
