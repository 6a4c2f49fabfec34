package org.hsmkms.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.hsmkms.Application;
import org.hsmkms.auth.CredentialsAdmin;
import org.hsmkms.config.Audit;
import org.hsmkms.config.Config;
import org.hsmkms.config.Quotas;
import org.hsmkms.config.Warmup;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.hsm.pkcs11.Pkcs11Settings;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * A real hsm-kms server on the per-run SoftHSM2 token, a real embedded store and a real HTTP port,
 * for tests to drive with the AWS SDK or raw HTTP.
 *
 * <p>Every server accepts two access keys: {@link #ACCESS_KEY_ID} in account {@link #ACCOUNT} (the
 * one {@link #client()} and {@link #post} sign with) and {@link #OTHER_ACCESS_KEY_ID} in {@link
 * #OTHER_ACCOUNT}. Requests are SigV4-verified and audited to {@link #auditFile()}.
 *
 * <p>{@link #shared()} is one server for the whole JVM; {@link #start(Path)} makes a separate one
 * (e.g. to stop and start again on the same data directory).
 */
public final class TestServer implements AutoCloseable {
  public static final String ACCOUNT = "111122223333";
  public static final String ACCESS_KEY_ID = "AKIDEXAMPLETEST";
  public static final String SECRET_ACCESS_KEY = "test-secret-key";
  public static final String PRINCIPAL = "arn:aws:iam::111122223333:user/test";
  public static final String OTHER_ACCOUNT = "444455556666";
  public static final String OTHER_ACCESS_KEY_ID = "AKIDOTHERACCOUNT";
  public static final String OTHER_SECRET_ACCESS_KEY = "other-account-secret-key";
  public static final String OTHER_PRINCIPAL = "arn:aws:iam::444455556666:user/other";
  public static final String JSON_11 = "application/x-amz-json-1.1";

  private static final AtomicInteger RUNS = new AtomicInteger();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestServer shared;

  private final Path dataDir;
  private final MutableClock clock;
  private final Config config;
  private final Application app;

  private TestServer(Path dataDir, MutableClock clock, UnaryOperator<Config> customize) {
    this.dataDir = dataDir;
    this.clock = clock;
    Config base =
        new Config(
            new Config.Server("127.0.0.1", 0, 65536L),
            ACCOUNT,
            "us-east-1",
            new Config.Hsm(
                TestToken.module(),
                TestToken.LABEL,
                null,
                dataDir.resolve("pin").toString(),
                4,
                5000L,
                null),
            new Config.Store("jdbc:sqlite:" + dataDir.resolve("metadata.db")),
            new Config.Deletion(3600L),
            new Config.Credentials(dataDir.resolve("server-credentials").toString(), 1L),
            // Every refusal recorded alone (no summaries per address), so that a test finds the
            // record of each request it sends; AuditTrailUnderAttackIT runs with the default.
            new Audit(
                true,
                dataDir.resolve("audit.log").toString(),
                null,
                null,
                null,
                null,
                null,
                0L,
                null,
                null));
    // The suite creates keys faster than AWS's 5 CreateKey a second: the request quotas stay on,
    // at a thousand times AWS's defaults (QuotasIT sets its own).
    this.config =
        customize.apply(
            base.withQuotas(Quotas.defaults().withScale(1000)).withWarmup(Warmup.off()));
    if (config.credentials() != null) {
      writeCredentials(Path.of(config.credentials().file()));
    }
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
    return start(dataDir, clock, UnaryOperator.identity());
  }

  /** A new server whose configuration {@code customize} may change (TLS, audit, credentials). */
  public static TestServer start(
      Path dataDir, MutableClock clock, UnaryOperator<Config> customize) {
    TestToken.dir();
    try {
      Files.createDirectories(dataDir);
      Files.writeString(dataDir.resolve("pin"), TestToken.PIN);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return new TestServer(dataDir, clock, customize);
  }

  /** A fresh, empty data directory under the run's test directory. */
  public static Path newDataDir() {
    return TestToken.dir().resolve("data-" + RUNS.incrementAndGet());
  }

  /**
   * Adds both test access keys to {@code file} unless it exists already (a restarted server keeps
   * its file), each an administrator of its account (identity policy kms:* on *). The secrets are
   * sealed in the test token like any operator's.
   */
  public static void writeCredentials(Path file) {
    if (Files.exists(file)) {
      return;
    }
    withHsm(
        hsm -> {
          CredentialsAdmin admin = new CredentialsAdmin(file, hsm.serviceKeys(), hsm.random());
          admin.put(
              ACCESS_KEY_ID,
              ACCOUNT,
              PRINCIPAL,
              SECRET_ACCESS_KEY.getBytes(StandardCharsets.UTF_8),
              CredentialsAdmin.ADMIN_POLICY);
          admin.put(
              OTHER_ACCESS_KEY_ID,
              OTHER_ACCOUNT,
              OTHER_PRINCIPAL,
              OTHER_SECRET_ACCESS_KEY.getBytes(StandardCharsets.UTF_8),
              CredentialsAdmin.ADMIN_POLICY);
        });
  }

  /** Something to do with a session on the test token. */
  @FunctionalInterface
  public interface HsmWork {
    void run(Pkcs11Hsm hsm) throws IOException;
  }

  /** Opens the test token, runs {@code work}, closes it again. */
  public static void withHsm(HsmWork work) {
    TestToken.dir();
    try (Pkcs11Hsm hsm =
        Pkcs11Hsm.open(
            new Pkcs11Settings(
                TestToken.module(), TestToken.LABEL, TestToken.PIN.toCharArray(), 1, 5000L))) {
      work.run(hsm);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public URI endpoint() {
    String scheme = config.server().tls() == null ? "http" : "https";
    return URI.create(scheme + "://127.0.0.1:" + app.port());
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

  public Config config() {
    return config;
  }

  /** The server's credentials file (access key id, account, principal, sealed secret). */
  public Path credentialsFile() {
    return Path.of(config.credentials().file());
  }

  /** The server's audit trail. */
  public Path auditFile() {
    return Path.of(config.audit().file());
  }

  /** The lines of the audit trail so far. */
  public List<String> auditLines() {
    try {
      return Files.readAllLines(auditFile(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An SDK client for us-east-1, without retries so that errors surface at once. */
  public KmsClient client() {
    return client(Region.US_EAST_1);
  }

  public KmsClient client(Region region) {
    return client(region, ACCESS_KEY_ID, SECRET_ACCESS_KEY);
  }

  /** A client of the other account ({@link #OTHER_ACCESS_KEY_ID}), us-east-1. */
  public KmsClient otherAccountClient() {
    return client(Region.US_EAST_1, OTHER_ACCESS_KEY_ID, OTHER_SECRET_ACCESS_KEY);
  }

  public KmsClient client(Region region, String accessKeyId, String secretAccessKey) {
    return KmsClient.builder()
        .endpointOverride(endpoint())
        .region(region)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(accessKeyId, secretAccessKey)))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(
            c -> c.retryPolicy(RetryPolicy.none()).addExecutionInterceptor(new PlaintextRecorder()))
        .build();
  }

  /** The answer to a raw HTTP request. */
  public record RawResponse(int status, String body, String requestId, String contentType) {}

  /**
   * POSTs {@code body} as {@code X-Amz-Target: target} (null for none), SigV4-signed for us-east-1
   * with {@link #ACCESS_KEY_ID}.
   */
  public RawResponse post(String target, String body) {
    return post(target, body, new Signing());
  }

  /** As {@link #post(String, String)}, signed for {@code region}. */
  public RawResponse post(String target, String body, Region region) {
    return post(target, body, new Signing().region(region.id()));
  }

  /** POSTs {@code body} without any signature. */
  public RawResponse postUnsigned(String target, String body) {
    return postUnsigned(target, body, Map.of());
  }

  /** POSTs {@code body} without a signature but with {@code headers} (e.g. a forged one). */
  public RawResponse postUnsigned(String target, String body, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(endpoint().resolve("/"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", JSON_11)
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (target != null) {
      b.header("X-Amz-Target", target);
    }
    headers.forEach(b::header);
    return send(b.build());
  }

  /**
   * How {@link #post(String, String, Signing)} signs: which key, region, service and clock, which
   * extra headers are signed or only sent, and optionally a different body to send than the one
   * signed (a tampered request).
   */
  public static final class Signing {
    private String accessKeyId = ACCESS_KEY_ID;
    private String secret = SECRET_ACCESS_KEY;
    private String region = "us-east-1";
    private String service = "kms";
    private Clock clock = Clock.systemUTC();
    private final Map<String, String> signedHeaders = new LinkedHashMap<>();
    private final Map<String, List<String>> repeatedHeaders = new LinkedHashMap<>();

    /** Sent after signing, replacing a signed header of the same name. */
    private final Map<String, String> unsignedHeaders = new LinkedHashMap<>();

    private String sentBody;

    public Signing key(String accessKeyId, String secret) {
      this.accessKeyId = accessKeyId;
      this.secret = secret;
      return this;
    }

    public Signing region(String region) {
      this.region = region;
      return this;
    }

    public Signing service(String service) {
      this.service = service;
      return this;
    }

    public Signing clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public Signing signedHeader(String name, String value) {
      signedHeaders.put(name, value);
      return this;
    }

    /** A signed header sent as several header lines, one per value, in this order. */
    public Signing signedHeaderLines(String name, List<String> values) {
      repeatedHeaders.put(name, List.copyOf(values));
      return this;
    }

    public Signing unsignedHeader(String name, String value) {
      unsignedHeaders.put(name, value);
      return this;
    }

    public Signing sendInstead(String body) {
      this.sentBody = body;
      return this;
    }
  }

  /** POSTs {@code body}, signed with the AWS SDK's own SigV4 signer as {@code signing} says. */
  public RawResponse post(String target, String body, Signing signing) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    SdkHttpRequest.Builder req =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(endpoint().resolve("/"))
            .putHeader("Content-Type", JSON_11);
    if (target != null) {
      req.putHeader("X-Amz-Target", target);
    }
    signing.signedHeaders.forEach(req::putHeader);
    signing.repeatedHeaders.forEach(req::putHeader);
    SignedRequest signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.identity(AwsCredentialsIdentity.create(signing.accessKeyId, signing.secret))
                        .request(req.build())
                        .payload(ContentStreamProvider.fromByteArray(bytes))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, signing.service)
                        .putProperty(AwsV4HttpSigner.REGION_NAME, signing.region)
                        .putProperty(HttpSigner.SIGNING_CLOCK, signing.clock));
    String sent = signing.sentBody != null ? signing.sentBody : body;
    HttpRequest.Builder b =
        HttpRequest.newBuilder(endpoint().resolve("/"))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(sent));
    signed
        .request()
        .forEachHeader(
            (name, values) -> {
              // The HTTP client sets Host itself, to the same value the signer used.
              if (!name.equalsIgnoreCase("host")) {
                values.forEach(v -> b.header(name, v));
              }
            });
    signing.unsignedHeaders.forEach(b::setHeader);
    recordPlaintext(sent);
    RawResponse response = send(b.build());
    recordPlaintext(response.body());
    return response;
  }

  public RawResponse send(HttpRequest request) {
    try {
      HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return new RawResponse(
          r.statusCode(),
          r.body(),
          r.headers().firstValue("x-amzn-RequestId").orElse(null),
          r.headers().firstValue("Content-Type").orElse(null));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void recordPlaintext(String json) {
    try {
      JsonNode node = JSON.readTree(json);
      for (String field : new String[] {"Plaintext", "PrivateKeyPlaintext", "SharedSecret"}) {
        if (node != null && node.hasNonNull(field)) {
          SuiteSecrets.plaintext(Base64.getDecoder().decode(node.get(field).asText()));
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      // not JSON, or not base64: nothing to record
    }
  }

  /** Records every plaintext the SDK sends or receives, for the log scan. */
  private static final class PlaintextRecorder implements ExecutionInterceptor {
    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attrs) {
      context
          .request()
          .getValueForField("Plaintext", SdkBytes.class)
          .ifPresent(b -> SuiteSecrets.plaintext(b.asByteArray()));
    }

    @Override
    public void afterUnmarshalling(Context.AfterUnmarshalling context, ExecutionAttributes attrs) {
      // Data key pairs' private keys and ECDH shared secrets are plaintext too.
      for (String field : new String[] {"Plaintext", "PrivateKeyPlaintext", "SharedSecret"}) {
        context
            .response()
            .getValueForField(field, SdkBytes.class)
            .ifPresent(b -> SuiteSecrets.plaintext(b.asByteArray()));
      }
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
