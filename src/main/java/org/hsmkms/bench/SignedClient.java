package org.hsmkms.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.hsmkms.auth.SigV4Signer;

/**
 * SigV4-signed AWS JSON 1.1 requests over a pool of keep-alive HTTP/1.1 connections, all served on
 * one Vert.x event loop (so that the runner's counters need no locks).
 */
final class SignedClient implements AutoCloseable {
  static final String JSON_11 = "application/x-amz-json-1.1";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A request whose connection stays silent this long fails (a hung server ends the run). */
  static final long REQUEST_IDLE_TIMEOUT_MILLIS = 30_000;

  private final Vertx vertx;
  private final Context context;
  private final HttpClientAgent http;
  private final SigV4Signer signer;
  private final URI endpoint;
  private final String host;

  /**
   * @param connections the most connections to keep open (the pool's size)
   */
  SignedClient(Vertx vertx, URI endpoint, SigV4Signer signer, int connections) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.endpoint = endpoint;
    this.signer = signer;
    boolean tls = "https".equals(endpoint.getScheme());
    int defaultPort = tls ? 443 : 80;
    int port = endpoint.getPort() < 0 ? defaultPort : endpoint.getPort();
    // The Host header the client sends: the port only when it is not the scheme's default.
    this.host = endpoint.getHost() + (port == defaultPort ? "" : ":" + port);
    HttpClientOptions options =
        new HttpClientOptions()
            .setDefaultHost(endpoint.getHost())
            .setDefaultPort(port)
            .setSsl(tls)
            .setKeepAlive(true)
            .setTcpNoDelay(true)
            .setConnectTimeout(10_000)
            .setIdleTimeout(60)
            // A benchmark against a dev server's self-signed certificate.
            .setTrustAll(tls)
            .setVerifyHost(!tls);
    this.http =
        vertx
            .httpClientBuilder()
            .with(options)
            .with(new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1))
            .build();
  }

  /** The event loop context every request and answer of this client runs on. */
  Context context() {
    return context;
  }

  URI endpoint() {
    return endpoint;
  }

  /** The answer to one request: its HTTP status and, for an error, the AWS error type. */
  record Answer(int status, byte[] body) {
    boolean ok() {
      return status == 200;
    }

    /** AWS's {@code __type} without its namespace, or {@code HTTP <status>} if there is none. */
    String errorType() {
      try {
        JsonNode node = JSON.readTree(body);
        String type = node == null ? null : node.path("__type").asText(null);
        if (type != null && !type.isEmpty()) {
          return type.substring(type.indexOf('#') + 1);
        }
      } catch (IOException e) {
        // not JSON: fall through
      }
      return "HTTP " + status;
    }

    /** AWS's error message on one line, or "" if the answer has none (or is not JSON). */
    String message() {
      try {
        JsonNode node = JSON.readTree(body);
        JsonNode m =
            node == null ? null : node.has("message") ? node.get("message") : node.get("Message");
        return m == null ? "" : m.asText().replaceAll("\\s+", " ").strip();
      } catch (IOException e) {
        return "";
      }
    }

    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }
  }

  /** Sends one signed request; call on {@link #context()}. */
  Future<Answer> send(String action, byte[] body) {
    Map<String, String> signed =
        Map.of("Content-Type", JSON_11, "X-Amz-Target", "TrentService." + action);
    RequestOptions request =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setURI("/")
            .setIdleTimeout(REQUEST_IDLE_TIMEOUT_MILLIS);
    signed.forEach(request::putHeader);
    signer.sign("POST", host, "/", signed, body, Instant.now()).forEach(request::putHeader);
    return http.request(request)
        .compose(r -> r.send(Buffer.buffer(body)))
        .compose(r -> r.body().map(b -> new Answer(r.statusCode(), b.getBytes())));
  }

  /** Sends one request and waits for its answer (set-up and clean-up, not measured). */
  Answer call(String action, byte[] body) throws IOException {
    try {
      return Future.<Answer>future(p -> context.runOnContext(v -> send(action, body).onComplete(p)))
          .toCompletionStage()
          .toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IOException(action + " to " + endpoint + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException(action + " to " + endpoint + " got no answer in 60 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** As {@link #call}, and an IOException naming the AWS error unless the answer is 200. */
  JsonNode callOk(String action, byte[] body) throws IOException {
    Answer a = call(action, body);
    if (!a.ok()) {
      throw new IOException(
          action + " to " + endpoint + " failed: " + a.errorType() + ": " + a.message());
    }
    return a.json();
  }

  @Override
  public void close() {
    http.close().await();
  }

  Vertx vertx() {
    return vertx;
  }
}
