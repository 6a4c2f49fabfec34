package org.hsmkms.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.hsmkms.Application;
import org.hsmkms.config.Config;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * A real hsm-kms server on the per-run SoftHSM2 token, a real embedded store and a real HTTP port,
 * for tests to drive with the AWS SDK or raw HTTP.
 *
 * <p>{@link #shared()} is one server for the whole JVM; {@link #start(Path)} makes a separate one
 * (e.g. to stop and start again on the same data directory).
 */
public final class TestServer implements AutoCloseable {
  public static final String ACCOUNT = "111122223333";
  private static final AtomicInteger RUNS = new AtomicInteger();
  private static TestServer shared;

  private final Path dataDir;
  private final MutableClock clock;
  private final Application app;

  private TestServer(Path dataDir, MutableClock clock) {
    this.dataDir = dataDir;
    this.clock = clock;
    Config config = new Config(new Config.Server("127.0.0.1", 0, 65536L), ACCOUNT, "us-east-1",
        new Config.Hsm(TestToken.module(), TestToken.LABEL, null,
            dataDir.resolve("pin").toString(), 4, 5000L),
        new Config.Store("jdbc:sqlite:" + dataDir.resolve("metadata.db")),
        new Config.Deletion(3600L));
    this.app = Application.start(config, TestToken.PIN.toCharArray(), clock);
  }

  /** The server shared by all tests of this JVM. Never close it. */
  public static synchronized TestServer shared() {
    if (shared == null) {
      shared = start(newDataDir());
    }
    return shared;
  }

  /** A new server on {@code dataDir} (created if missing) with its own clock. */
  public static TestServer start(Path dataDir) {
    return start(dataDir, new MutableClock());
  }

  public static TestServer start(Path dataDir, MutableClock clock) {
    try {
      Files.createDirectories(dataDir);
      Files.writeString(dataDir.resolve("pin"), TestToken.PIN);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return new TestServer(dataDir, clock);
  }

  /** A fresh, empty data directory under the run's test directory. */
  public static Path newDataDir() {
    return TestToken.dir().resolve("data-" + RUNS.incrementAndGet());
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + app.port());
  }

  public Path dataDir() {
    return dataDir;
  }

  public MutableClock clock() {
    return clock;
  }

  public Application app() {
    return app;
  }

  /** An SDK client for us-east-1, without retries so that errors surface at once. */
  public KmsClient client() {
    return client(Region.US_EAST_1);
  }

  public KmsClient client(Region region) {
    return KmsClient.builder()
        .endpointOverride(endpoint())
        .region(region)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create("AKIDEXAMPLETEST", "test-secret-key")))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(c -> c.retryPolicy(RetryPolicy.none()))
        .build();
  }

  /** The answer to a raw HTTP request. */
  public record RawResponse(int status, String body, String requestId, String contentType) {}

  /** POSTs {@code body} as {@code X-Amz-Target: target} (null for none). */
  public RawResponse post(String target, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(endpoint().resolve("/"))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/x-amz-json-1.1")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (target != null) {
      b.header("X-Amz-Target", target);
    }
    return send(b.build());
  }

  public RawResponse send(HttpRequest request) {
    try {
      HttpResponse<String> r = HttpClient.newHttpClient()
          .send(request, HttpResponse.BodyHandlers.ofString());
      return new RawResponse(r.statusCode(), r.body(),
          r.headers().firstValue("x-amzn-RequestId").orElse(null),
          r.headers().firstValue("Content-Type").orElse(null));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (this == shared) {
      throw new IllegalStateException("the shared server is never closed");
    }
    app.close();
  }
}
