package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.hsmkms.testing.Prerequisites;
import org.hsmkms.testing.TestToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service started through another module in front of the token: p11-kit's RPC client ({@code
 * p11-kit-client.so}) talking to a {@code p11-kit server} over a SoftHSM2 token made for this test.
 * The client module gives each {@code C_GetFunctionList} caller an instance of its own, so the
 * JDK's PKCS#11 layer (the AES-GCM fast path) does not share the service's sessions: the service
 * finds that out by one probe encryption, says so, and goes on with the IAIK wrapper. p11-kit 0.24
 * (Debian 12) then does not forward {@code CK_GCM_PARAMS} at all, and the service stops at start-up
 * with a message that names {@code CKM_AES_GCM}. (A p11-kit that forwards the parameters, 0.25 and
 * later by its mechanism table, would let start-up go on through the IAIK wrapper: this test states
 * what 0.24 does.)
 */
class P11KitClientIT {
  private static final String LABEL = "hsm-kms-p11kit";
  private static final String PIN = "p11kit-user-pin-1234";
  private static final List<String> CLIENT_MODULES =
      List.of(
          "/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so",
          "/usr/lib/aarch64-linux-gnu/pkcs11/p11-kit-client.so",
          "/usr/lib64/pkcs11/p11-kit-client.so",
          "/usr/lib/pkcs11/p11-kit-client.so");

  @TempDir Path dir;
  private Process server;
  private Path socket;
  private String clientModule;

  @BeforeEach
  void startP11KitServer() throws Exception {
    Optional<String> client =
        CLIENT_MODULES.stream().filter(m -> Files.exists(Path.of(m))).findFirst();
    boolean p11kit =
        Stream.of("/usr/bin/p11-kit", "/bin/p11-kit").anyMatch(p -> Files.isExecutable(Path.of(p)));
    Prerequisites.require(client.isPresent() && p11kit, Prerequisites.P11_KIT);
    clientModule = client.get();

    Path conf = dir.resolve("softhsm2.conf");
    Path tokens = Files.createDirectories(dir.resolve("tokens"));
    Files.writeString(
        conf,
        "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n",
        StandardCharsets.UTF_8);
    run(
        conf,
        "softhsm2-util",
        "--init-token",
        "--free",
        "--label",
        LABEL,
        "--so-pin",
        "p11kit-so-pin-5678",
        "--pin",
        PIN);

    socket = dir.resolve("p11-kit.sock");
    ProcessBuilder pb =
        new ProcessBuilder(
                "p11-kit",
                "server",
                "-f",
                "-n",
                socket.toString(),
                "--provider",
                TestToken.module(),
                "pkcs11:token=" + LABEL)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("p11-kit-server.out").toFile());
    pb.environment().put("SOFTHSM2_CONF", conf.toString());
    server = pb.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!Files.exists(socket)) {
      if (!server.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "p11-kit server did not open its socket: "
                + Files.readString(dir.resolve("p11-kit-server.out")));
      }
      Thread.sleep(50);
    }
  }

  @AfterEach
  void stopP11KitServer() throws InterruptedException {
    if (server != null) {
      server.destroy();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor();
      }
    }
  }

  @Test
  void
      throughP11KitsClient_theFastPathFallsBack_andMissingGcmParametersStopStartUpNamingTheMechanism()
          throws Exception {
    Result r = serve(true);

    assertTrue(
        r.output.contains("AES-GCM through the IAIK wrapper (slower)")
            && r.output.contains("CKR_CRYPTOKI_NOT_INITIALIZED"),
        "the fast path is left for the IAIK wrapper, with the reason:\n" + r.output);
    assertStoppedNamingGcm(r);
  }

  @Test
  void throughP11KitsClient_withTheFastPathOff_missingGcmParametersStopStartUpNamingTheMechanism()
      throws Exception {
    Result r = serve(false);

    assertFalse(r.output.contains("CKR_CRYPTOKI_NOT_INITIALIZED"), r.output);
    assertStoppedNamingGcm(r);
  }

  private static void assertStoppedNamingGcm(Result r) {
    assertEquals(2, r.exitCode, "start-up stops:\n" + r.output);
    String stop =
        r.output
            .lines()
            .filter(l -> l.startsWith("hsm-kms: "))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no start-up error:\n" + r.output));
    assertTrue(stop.contains("cannot do CKM_AES_GCM"), stop);
    assertTrue(stop.contains("CKR_MECHANISM_INVALID"), stop);
    assertTrue(stop.contains("p11-kit-client.so"), "names the module: " + stop);
    assertTrue(stop.contains("hsm-config/vendors/README.md"), stop);
    assertFalse(stop.contains(PIN), stop);
  }

  private record Result(int exitCode, String output) {}

  /** {@code hsm-kms serve} in a JVM of its own, whose PKCS#11 module is p11-kit's client. */
  private Result serve(boolean fastPath) throws Exception {
    Path config = dir.resolve("hsm-kms.yaml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "server:",
            "  host: 127.0.0.1",
            "  port: 4841",
            "accountId: \"111122223333\"",
            "defaultRegion: us-east-1",
            "hsm:",
            "  module: " + clientModule,
            "  tokenLabel: " + LABEL,
            "  pinEnv: HSM_KMS_PIN",
            "  sessions: 2",
            "  sessionWaitMillis: 5000",
            "store:",
            "  url: jdbc:sqlite:" + dir.resolve("metadata.db"),
            "credentials:",
            "  file: " + dir.resolve("credentials"),
            "audit:",
            "  file: " + dir.resolve("audit.log"),
            ""),
        StandardCharsets.UTF_8);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--add-exports");
    command.add("jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED");
    command.add("-XX:TieredStopAtLevel=1");
    if (!fastPath) {
      command.add("-Dhsmkms.pkcs11.jdkGcm=false");
    }
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "org.hsmkms.cli.Main",
            "serve",
            "--config",
            config.toString()));
    Path out = dir.resolve("serve-" + fastPath + ".out");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().remove("SOFTHSM2_CONF"); // the token is reached through p11-kit only
    pb.environment().put("P11_KIT_SERVER_ADDRESS", "unix:path=" + socket);
    pb.environment().put("HSM_KMS_PIN", PIN);
    Process p = pb.start();
    p.getOutputStream().close();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError("hsm-kms serve did not stop:\n" + Files.readString(out));
    }
    return new Result(p.exitValue(), Files.readString(out));
  }

  private void run(Path conf, String... command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("SOFTHSM2_CONF", conf.toString());
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), command[0]);
    assertEquals(0, p.exitValue(), command[0] + ": " + output.replace(PIN, "***"));
  }
}
