package org.hsmkms.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.hsmkms.config.DevDefaults;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The service as a separate process: {@code java -cp <this JVM's class path> org.hsmkms.cli.Main
 * dev} on a data directory of its own, with its own SoftHSM2 token, prepared here as the launcher
 * ({@code ./hsm-kms prepare-dev-dir}) does. For tests that must kill the process, not just stop an
 * in-process server. Each start's stdout and stderr go to {@code run-N.out} in the data directory,
 * its debug log to {@code run-N.log}.
 */
public final class ServiceProcess implements AutoCloseable {
  public static final String ACCESS_KEY_ID = "AKIDPROCESSTEST";
  public static final String SECRET_ACCESS_KEY = "process-test-secret-key";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final Path output;
  private final int port;
  private final List<KmsClient> clients = new ArrayList<>();

  private ServiceProcess(Process process, Path output, int port) {
    this.process = process;
    this.output = output;
    this.port = port;
  }

  /** Makes {@code dir} a dev data directory with a fresh token, as the launcher does. */
  public static Path prepareDataDir(Path dir) throws IOException, InterruptedException {
    Path tokens = Files.createDirectories(dir.resolve("tokens"));
    Files.writeString(
        softhsm2Conf(dir),
        "directories.tokendir = "
            + tokens
            + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
        StandardCharsets.UTF_8);
    byte[] random = new byte[12];
    new SecureRandom().nextBytes(random);
    String pin = HexFormat.of().formatHex(random);
    Files.writeString(dir.resolve("pin"), pin, StandardCharsets.US_ASCII);
    ProcessBuilder init =
        new ProcessBuilder(
                "softhsm2-util",
                "--init-token",
                "--free",
                "--label",
                DevDefaults.get().tokenLabel(),
                "--so-pin",
                "so-" + pin,
                "--pin",
                pin)
            .redirectErrorStream(true);
    init.environment().put("SOFTHSM2_CONF", softhsm2Conf(dir).toString());
    Process p = init.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("softhsm2-util --init-token failed: " + out);
    }
    return dir;
  }

  /**
   * Starts {@code dev} on {@code dataDir} with {@code -Dhsmkms.crashAt=crashAt} (none for null) and
   * waits until it answers a signed request.
   */
  public static ServiceProcess start(Path dataDir, String crashAt)
      throws IOException, InterruptedException {
    return start(
        dataDir, crashAt == null ? List.of() : List.of("-Dhsmkms.crashAt=" + crashAt), List.of());
  }

  /**
   * Starts {@code dev} on {@code dataDir} with extra JVM options (e.g. system properties) and extra
   * {@code dev} options (e.g. {@code --store postgresql}), on a free port, and waits until it
   * answers a signed request. Several processes may share one data directory: each start has its
   * own {@code run-N} files.
   */
  public static ServiceProcess start(Path dataDir, List<String> jvmOptions, List<String> options)
      throws IOException, InterruptedException {
    return start(dataDir, freePort(), jvmOptions, options);
  }

  /** As {@link #start(Path, List, List)}, on {@code port}. */
  public static ServiceProcess start(
      Path dataDir, int port, List<String> jvmOptions, List<String> options)
      throws IOException, InterruptedException {
    ServiceProcess service = launch(dataDir, port, jvmOptions, options);
    try {
      service.awaitReady();
    } catch (RuntimeException | IOException | InterruptedException e) {
      service.close();
      throw e;
    }
    return service;
  }

  /**
   * Starts {@code dev} on {@code dataDir} as {@link #start} does, without waiting for it: for a
   * start that is to fail.
   */
  public static ServiceProcess launch(Path dataDir, String crashAt) throws IOException {
    return launch(
        dataDir,
        freePort(),
        crashAt == null ? List.of() : List.of("-Dhsmkms.crashAt=" + crashAt),
        List.of());
  }

  private static ServiceProcess launch(
      Path dataDir, int port, List<String> jvmOptions, List<String> options) throws IOException {
    Path output;
    int run;
    synchronized (ServiceProcess.class) {
      run = 1;
      while (Files.exists(dataDir.resolve("run-" + run + ".out"))) {
        run++;
      }
      output = Files.createFile(dataDir.resolve("run-" + run + ".out"));
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // As the jar's manifest does for java -jar: the JDK's PKCS#11 layer for AES-GCM.
    command.add("--add-exports");
    command.add("jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED");
    // A short-lived server: the C1 compiler and the serial collector start it with less CPU.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-Dhsmkms.testLog=" + dataDir.resolve("run-" + run + ".log"));
    command.addAll(jvmOptions);
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "org.hsmkms.cli.Main",
            "dev",
            "--port",
            Integer.toString(port),
            "--data-dir",
            dataDir.toString(),
            "--account-id",
            DevDefaults.get().accountId(),
            "--module",
            TestToken.module(),
            "--sessions",
            "4",
            // The cluster tests' load creates keys faster than AWS's 5 CreateKey a second.
            "--quota-scale",
            "1000",
            // A test's own pair; the launcher passes a developer's the same way.
            "--access-key-id",
            ACCESS_KEY_ID,
            "--secret-access-key",
            SECRET_ACCESS_KEY,
            // Short-lived servers, some with a crash point a warm-up's CreateKey would reach.
            "--no-warmup"));
    command.addAll(options);
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    pb.environment().put("SOFTHSM2_CONF", softhsm2Conf(dataDir).toString());
    return new ServiceProcess(pb.start(), output, port);
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    KmsClient probe = client();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the service exited with " + process.exitValue() + " while starting:\n" + output());
      }
      try {
        probe.listKeys(b -> b.limit(1));
        return;
      } catch (SdkException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the service did not answer within " + START_TIMEOUT + ":\n" + output(), e);
        }
        Thread.sleep(100);
      }
    }
  }

  /** An SDK client for the dev region, without retries, with a bound on each call. */
  public KmsClient client() {
    KmsClient c =
        KmsClient.builder()
            .endpointOverride(URI.create("http://127.0.0.1:" + port))
            .region(Region.of(DevDefaults.get().region()))
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET_ACCESS_KEY)))
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(
                o -> o.retryPolicy(RetryPolicy.none()).apiCallTimeout(Duration.ofSeconds(30)))
            .build();
    clients.add(c);
    return c;
  }

  /** The KMS port the process listens on. */
  public int port() {
    return port;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Kills the process with SIGKILL, as a crash or the OOM killer would, and waits for it. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the service survived SIGKILL for 30 seconds");
    }
  }

  /** Waits for the process to end by itself; answers its exit status. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("the service is still running after " + timeout);
    }
    return process.exitValue();
  }

  /** Stops the process as an operator would (SIGTERM: shutdown hooks run) and waits for it. */
  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  /** All the process wrote to stdout and stderr so far. */
  public String output() throws IOException {
    return Files.readString(output, StandardCharsets.UTF_8);
  }

  /**
   * The persistent objects in the token of {@code dataDir}: SoftHSM2's file store keeps each as a
   * {@code .object} file beside {@code token.object}. Read while no process has the token open.
   */
  public static int tokenObjects(Path dataDir) throws IOException {
    try (Stream<Path> files = Files.walk(dataDir.resolve("tokens"))) {
      return (int)
          files
              .map(f -> f.getFileName().toString())
              .filter(n -> n.endsWith(".object") && !n.equals("token.object"))
              .count();
    }
  }

  /** Kills the process if it still runs (SIGKILL) and closes the clients. */
  @Override
  public void close() throws InterruptedException {
    clients.forEach(KmsClient::close);
    clients.clear();
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static Path softhsm2Conf(Path dataDir) {
    return dataDir.resolve("softhsm2.conf");
  }

  /** A port free now, for a process started later. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }
}
