package org.hsmkms.bench;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.hsmkms.api.HttpListeners;

/**
 * The HTTP floor: a server with the service's HTTP stack (Vert.x, the native transport, as many
 * event loops, one listener on each through the service's own {@link HttpListeners}) that answers
 * every request, once its body has arrived, with a fixed body the size of a GenerateDataKey answer,
 * and does nothing else. It runs in a JVM of its own, as the service does, so that the bench
 * measures what HTTP alone costs on this machine with this load generator: no signature, no JSON,
 * no audit record, no HSM.
 *
 * <p>With the HSM ceiling beside it, {@code 1 / (1/floor + 1/ceiling)} bounds what any service that
 * answers over HTTP and calls the HSM can reach on the same cores (see {@link
 * BenchReport.Comparison#bound}).
 */
final class HttpFloor implements LocalServer {
  private static final long START_TIMEOUT_SECONDS = 30;
  private static final String READY = "hsm-kms http floor listening on ";

  /**
   * On the floor JVM's command line before its (long) class path, so that the process can be told
   * apart while it runs ({@code ps}, tests): a JVM's command line as the JDK reads it is cut short.
   */
  static final String MARKER = "-Dhsm-kms.role=http-floor";

  /** About the size and shape of a GenerateDataKey answer (AES_256). */
  static final String BODY =
      "{\"CiphertextBlob\":\""
          + "A".repeat(160)
          + "\",\"KeyId\":\"arn:aws:kms:us-east-1:000000000000:key/"
          + "00000000-0000-4000-8000-000000000000\",\"Plaintext\":\""
          + "A".repeat(44)
          + "\"}";

  private final Process process;
  private final int port;

  private HttpFloor(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts the floor server in a new JVM (this JVM's {@code java} and class path, the service's
   * heap bounds) and waits until it listens.
   */
  static HttpFloor start() throws IOException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    return start(
        List.of(
            java,
            MARKER,
            "-Xms256m",
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            HttpFloor.class.getName()));
  }

  /**
   * Runs {@code command} and waits for its line saying where it listens. A process that ends first
   * fails the start with its last line of output; one that does not listen within {@value
   * #START_TIMEOUT_SECONDS} s is stopped.
   */
  static HttpFloor start(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    // The child prints a line once it listens (or why it could not), perhaps after JVM warnings:
    // one thread reads all its output, so that it never blocks on a full pipe.
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> ready = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              String last = "no output";
              try {
                for (String line; (line = out.readLine()) != null; ) {
                  if (line.startsWith(READY)) {
                    ready.complete(line.substring(READY.length()).strip());
                  } else if (!ready.isDone() && !line.isBlank()) {
                    last = line;
                  }
                }
              } catch (IOException e) {
                // the process ended
              }
              ready.completeExceptionally(new IOException(last));
            },
            "hsm-kms-bench-floor-output");
    reader.setDaemon(true);
    reader.start();
    String port;
    try {
      port = ready.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      p.destroyForcibly();
      throw new IOException(
          "the HTTP floor server did not start: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      p.destroyForcibly();
      throw new IOException(
          "the HTTP floor server did not listen within " + START_TIMEOUT_SECONDS + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted while starting the HTTP floor server", e);
    }
    return new HttpFloor(p, Integer.parseInt(port));
  }

  @Override
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** The floor server itself: listens on a free loopback port and prints it. */
  public static void main(String[] args) {
    int eventLoops = Math.max(2, Runtime.getRuntime().availableProcessors());
    Vertx vertx =
        Vertx.vertx(
            new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(eventLoops));
    Buffer body = Buffer.buffer(BODY);
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost("127.0.0.1")
            .setPort(0)
            .setIdleTimeout(120)
            .setHttp2ClearTextEnabled(false);
    Handler<HttpServerRequest> answer =
        req ->
            req.body()
                .onSuccess(
                    b ->
                        req.response()
                            .putHeader("Content-Type", "application/x-amz-json-1.1")
                            .putHeader("x-amzn-RequestId", "00000000-0000-4000-8000-000000000000")
                            .end(body));
    try {
      int port = new HttpListeners(vertx, eventLoops, () -> answer).listen(options).await();
      System.out.println(READY + port);
      System.out.flush();
      // Vert.x's threads keep the JVM alive until the bench stops it.
    } catch (Exception e) {
      System.out.println("cannot listen: " + e);
      System.exit(1);
    }
  }
}
