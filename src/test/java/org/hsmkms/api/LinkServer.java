package org.hsmkms.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.hsmkms.kms.ErrorCode;
import org.hsmkms.kms.KeyPairServices;
import org.hsmkms.kms.KmsException;
import org.hsmkms.monitoring.ServiceMetrics;
import org.hsmkms.work.WorkQueues;

/**
 * A real Vert.x router on a free port for testing links of the pipeline: the request id link first,
 * the links under test, then what the service has after them (UnknownOperationException for any
 * other route, the failure handler). Requests are sent with the JDK's HTTP client.
 */
final class LinkServer implements AutoCloseable {
  static final long BODY_LIMIT = 1024;
  static final ModelValidator MODEL = ModelValidator.load(Json.MAPPER);

  final Vertx vertx = Vertx.vertx();
  final RecordingTrail trail = new RecordingTrail();
  final WorkQueues work =
      new WorkQueues(new WorkQueues.Bounds(2, 16, 64), new WorkQueues.Bounds(1, 2, 4), 1);
  final WorkerExecutor auditWorkers = vertx.createSharedWorkerExecutor("hsm-kms-audit", 1);
  final AuditRecorder recorder = new AuditRecorder(trail);
  final ServiceMetrics metrics = new ServiceMetrics();

  /** No aggregation, a roomy queue: replace before {@link #start} to test either. */
  AuditLoad load = new AuditLoad(trail, metrics.auditMeters(), 0, 16, 1000);

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private HttpServer server;

  /** Listens with {@code links} added to the router between the request id and the failures. */
  LinkServer start(Consumer<Router> links) {
    Router router = Router.router(vertx);
    router.route().handler(new RequestIdHandler());
    links.accept(router);
    router.route().handler(ctx -> ctx.fail(new KmsException(ErrorCode.UNKNOWN_OPERATION, null)));
    router.route().failureHandler(new FailureHandler(auditWorkers, recorder, BODY_LIMIT, load));
    server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    return this;
  }

  /**
   * The target link over the bundled AWS model and the operations {@link KmsApi} implements (with
   * no services behind them: these tests never run an operation through it).
   */
  static TargetHandler targets() {
    return new TargetHandler(
        MODEL.operations(),
        new KmsApi(null, null, null, null, new KeyPairServices(null, null, null), null, null));
  }

  /** Answers 200 with an empty object: the end of a chain under test. */
  static void ok(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", Json.CONTENT_TYPE).end("{}");
  }

  /** Waits until everything handed to the audit pool so far is done (it has one thread). */
  void drainAuditPool() {
    await(auditWorkers.executeBlocking(() -> null, true));
  }

  /**
   * Checks that {@code r} is the AWS JSON error {@code type} with {@code status}, the JSON 1.1
   * content type and a request id, and that it names no internals; returns its JSON.
   */
  static JsonNode assertAwsError(HttpResponse<String> r, int status, String type) {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals(Json.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElse(null));
    assertTrue(r.headers().firstValue(RequestIdHandler.HEADER).isPresent(), "request id");
    JsonNode json;
    try {
      json = Json.MAPPER.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + r.body(), e);
    }
    assertEquals(type, json.path("__type").asText(), r.body());
    for (String leak : new String[] {"Exception:", "at org.", "at io.", "java.", "\tat ", "\n"}) {
      assertFalse(r.body().contains(leak), () -> "leaks internals (" + leak + "): " + r.body());
    }
    return json;
  }

  static String requestId(HttpResponse<String> r) {
    return r.headers().firstValue(RequestIdHandler.HEADER).orElseThrow();
  }

  HttpResponse<String> post(String target, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri("/"))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (target != null) {
      b.header(TargetHandler.HEADER, target);
    }
    return send(b.build());
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.actualPort() + path);
  }

  @Override
  public void close() {
    await(vertx.close());
    try {
      work.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static <T> T await(io.vertx.core.Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
