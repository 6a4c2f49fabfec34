package org.hsmkms.bench;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.hsmkms.DevCredentials;
import org.hsmkms.auth.SigV4Signer;

/**
 * A dev server the bench starts for a scenario, as {@code bench --startup} does: {@code hsm-kms dev
 * --port P --data-dir DIR FLAGS...} on a fresh data directory and a free port, ready once it
 * answers a signed request; stopped (and its directory deleted) on {@link #close}.
 *
 * <p>Security: the directory holds a throwaway token and its PINs; it is made readable by this user
 * only (the launcher's own rule) and deleted with the server. Its output goes to a file in it,
 * quoted (last lines only) when the server fails to start.
 */
final class DevServerProcess implements LocalServer {
  /** The first start may build the service jar (a few minutes on a busy machine). */
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(10);

  private final Process process;
  private final Path dataDir;
  private final URI endpoint;

  /** Stops the server when the bench is stopped (Ctrl-C) before {@link #close}. */
  private final Thread shutdownHook = new Thread(this::stop, "hsm-kms-scenario-server-stop");

  private final AtomicBoolean stopped = new AtomicBoolean();

  private DevServerProcess(Process process, Path dataDir, URI endpoint) {
    this.process = process;
    this.dataDir = dataDir;
    this.endpoint = endpoint;
  }

  /** Starts the server and waits until it answers its own access key. */
  static DevServerProcess start(
      Vertx vertx, Path launcher, List<String> flags, String region, PrintStream progress)
      throws IOException {
    return start(vertx, launcher, flags, Map.of(), region, progress);
  }

  /** Like the other {@code start}, with {@code environment} added to the launcher's. */
  static DevServerProcess start(
      Vertx vertx,
      Path launcher,
      List<String> flags,
      Map<String, String> environment,
      String region,
      PrintStream progress)
      throws IOException {
    Path dir = Files.createTempDirectory("hsm-kms-scenario");
    int port = freePort();
    List<String> command =
        new ArrayList<>(
            List.of(
                launcher.toString(),
                "dev",
                "--port",
                Integer.toString(port),
                "--data-dir",
                dir.toString()));
    command.addAll(flags);
    progress.println(
        "starting: "
            + environment.entrySet().stream()
                .map(e -> e.getKey() + "='" + e.getValue() + "' ")
                .reduce("", String::concat)
            + String.join(" ", command));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    Process p =
        builder
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("server.log").toFile())
            .start();
    p.getOutputStream().close();
    DevServerProcess server = new DevServerProcess(p, dir, URI.create("http://127.0.0.1:" + port));
    Runtime.getRuntime().addShutdownHook(server.shutdownHook);
    try {
      server.awaitReady(vertx, region);
      return server;
    } catch (IOException | RuntimeException e) {
      String log = server.logTail();
      server.close();
      throw new IOException(e.getMessage() + "; the server's last output:\n" + log, e);
    }
  }

  @Override
  public URI endpoint() {
    return endpoint;
  }

  Path dataDir() {
    return dataDir;
  }

  /** The server's JVM: the launcher {@code exec}s it, so it keeps the launcher's pid. */
  long pid() {
    return process.pid();
  }

  private void awaitReady(Vertx vertx, String region) throws IOException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    Path file = dataDir.resolve(DevCredentials.CLIENT_FILE);
    String[] pair = null;
    while (pair == null) {
      pair = Files.isRegularFile(file) ? DevCredentials.readProfile(file) : null;
      if (pair == null) {
        checkAlive(deadline);
        sleep(100);
      }
    }
    SigV4Signer signer =
        new SigV4Signer(pair[0], pair[1].getBytes(StandardCharsets.UTF_8), region, "kms", true);
    byte[] probe = Operations.json(java.util.Map.of("NumberOfBytes", 1));
    try (SignedClient client = new SignedClient(vertx, endpoint, signer, 1)) {
      while (true) {
        checkAlive(deadline);
        try {
          if (client.call(Operations.GENERATE_RANDOM, probe).ok()) {
            return;
          }
        } catch (IOException e) {
          // not listening yet
        }
        sleep(100);
      }
    }
  }

  private void checkAlive(long deadline) throws IOException {
    if (!process.isAlive()) {
      throw new IOException("the dev server exited (status " + process.exitValue() + ")");
    }
    if (System.nanoTime() > deadline) {
      throw new IOException(
          "the dev server did not answer within " + READY_TIMEOUT.toMinutes() + " minutes");
    }
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(dataDir.resolve("server.log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void sleep(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** Stops the server (SIGTERM, then SIGKILL after 30 s) and deletes its data directory. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook stops the server
    }
    stop();
  }

  private void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> all = Files.walk(dataDir)) {
      all.sorted(Comparator.reverseOrder()).forEach(DevServerProcess::delete);
    } catch (IOException | UncheckedIOException e) {
      System.err.println("hsm-kms: could not delete " + dataDir + ": " + e.getMessage());
    }
  }

  private static void delete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
