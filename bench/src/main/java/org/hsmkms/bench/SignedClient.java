package org.hsmkms.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.hsmkms.auth.SigV4Signer;

/**
 * SigV4-signed AWS JSON 1.1 requests over a pool of keep-alive HTTP/1.1 connections, all served on
 * one Vert.x event loop (so that the runner's counters need no locks).
 *
 * <p>The HTTP/1.1 framing is done here, on raw TCP (or TLS) connections, rather than by a general
 * HTTP client: the load generator shares the machine with the server it measures, and every
 * microsecond it spends per request is taken from the server. A request is written as one buffer;
 * an answer is read by its {@code Content-Length}, by {@code Transfer-Encoding: chunked}, or up to
 * the connection's close (a server that closes after every answer, as moto does, gets a new
 * connection per request).
 */
final class SignedClient implements AutoCloseable {
  static final String JSON_11 = "application/x-amz-json-1.1";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A request whose connection stays silent this long fails (a hung server ends the run). */
  static final long REQUEST_IDLE_TIMEOUT_MILLIS = 30_000;

  private final Vertx vertx;
  private final Context context;
  private final NetClient net;
  private final SigV4Signer signer;
  private final URI endpoint;
  private final String host;
  private final String connectHost;
  private final int port;
  private final int maxConnections;

  /** Connections open and not in use; touched only on {@link #context}. */
  private final ArrayDeque<Connection> idle = new ArrayDeque<>();

  /** Requests waiting for a connection; touched only on {@link #context}. */
  private final ArrayDeque<Exchange> waiting = new ArrayDeque<>();

  private final Set<Connection> all = new HashSet<>();
  private int connections;
  private final long timeoutTimer;
  private boolean closed;

  /**
   * @param connections the most connections to keep open (the pool's size)
   */
  SignedClient(Vertx vertx, URI endpoint, SigV4Signer signer, int connections) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.endpoint = endpoint;
    this.signer = signer;
    this.maxConnections = connections;
    boolean tls = "https".equals(endpoint.getScheme());
    int defaultPort = tls ? 443 : 80;
    this.port = endpoint.getPort() < 0 ? defaultPort : endpoint.getPort();
    this.connectHost = endpoint.getHost();
    // The Host header the client sends: the port only when it is not the scheme's default.
    this.host = endpoint.getHost() + (port == defaultPort ? "" : ":" + port);
    NetClientOptions options =
        new NetClientOptions().setTcpNoDelay(true).setConnectTimeout(10_000).setSsl(tls);
    if (tls) {
      // A benchmark against a dev server's self-signed certificate.
      options.setTrustAll(true).setHostnameVerificationAlgorithm("");
    }
    this.net = vertx.createNetClient(options);
    this.timeoutTimer = vertx.setPeriodic(1000, id -> context.runOnContext(v -> expire()));
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
    StringBuilder head = new StringBuilder(640);
    head.append("POST / HTTP/1.1\r\nHost: ").append(host).append("\r\n");
    signed.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    signer
        .sign("POST", host, "/", signed, body, Instant.now())
        .forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
    Buffer request = Buffer.buffer(head.length() + body.length);
    request.appendString(head.toString(), "ISO-8859-1").appendBytes(body);
    Exchange ex = new Exchange(request, Promise.promise());
    dispatch(ex);
    return ex.answer.future();
  }

  /** One request and the promise of its answer. */
  private record Exchange(Buffer request, Promise<Answer> answer) {}

  private void dispatch(Exchange ex) {
    if (closed) {
      ex.answer.fail(new IOException("client closed"));
      return;
    }
    Connection c = idle.pollLast();
    if (c != null) {
      c.send(ex);
    } else if (connections < maxConnections) {
      connections++;
      net.connect(port, connectHost)
          .onComplete(
              ar -> {
                if (ar.failed()) {
                  connections--;
                  ex.answer.fail(ar.cause());
                  return;
                }
                Connection fresh = new Connection(ar.result());
                all.add(fresh);
                fresh.send(ex);
              });
    } else {
      waiting.add(ex);
    }
  }

  /** A connection is free again: give it the next waiting request, or keep it. */
  private void release(Connection c) {
    Exchange next = waiting.poll();
    if (next != null) {
      c.send(next);
    } else {
      idle.addLast(c);
    }
  }

  /** A connection has gone: open another for a waiting request, if any. */
  private void lost(Connection c) {
    if (all.remove(c)) {
      connections--;
      idle.remove(c);
    }
    Exchange next = waiting.poll();
    if (next != null) {
      dispatch(next);
    }
  }

  /** Fails requests whose connection has been silent too long. */
  private void expire() {
    long now = System.nanoTime();
    for (Connection c : List.copyOf(all)) {
      if (c.current != null && now - c.lastActivity > REQUEST_IDLE_TIMEOUT_MILLIS * 1_000_000L) {
        c.fail(new TimeoutException("no answer within " + REQUEST_IDLE_TIMEOUT_MILLIS + " ms"));
      }
    }
  }

  /** One HTTP/1.1 connection with at most one request in flight, and the reader of its answers. */
  private final class Connection {
    private final NetSocket socket;
    private Exchange current;
    private final AnswerReader reader = new AnswerReader();
    private long lastActivity;

    Connection(NetSocket socket) {
      this.socket = socket;
      socket.handler(this::received);
      socket.exceptionHandler(this::fail);
      socket.closeHandler(v -> closed());
    }

    void send(Exchange ex) {
      current = ex;
      lastActivity = System.nanoTime();
      socket.write(ex.request);
    }

    private void received(Buffer data) {
      lastActivity = System.nanoTime();
      reader.append(data);
      if (current == null) {
        fail(new IOException("data from the server with no request in flight"));
        return;
      }
      try {
        tryComplete(false);
      } catch (IOException | RuntimeException e) {
        fail(e);
      }
    }

    /** Completes the current answer if all of it is in; {@code atClose}: the server has closed. */
    private void tryComplete(boolean atClose) throws IOException {
      Answer answer = reader.next(atClose);
      if (answer == null) {
        return;
      }
      Exchange ex = current;
      current = null;
      // The connection is free (or closing) before the answer is handed on, so that the next
      // request the answer triggers can have it.
      if (reader.closeAfter()) {
        socket.close();
      } else if (!atClose) {
        release(this);
      }
      ex.answer.complete(answer);
    }

    void fail(Throwable cause) {
      Exchange ex = current;
      current = null;
      socket.close();
      lost(this);
      if (ex != null) {
        ex.answer.tryFail(cause);
      }
    }

    private void closed() {
      Exchange ex = current;
      if (ex != null) {
        try {
          tryComplete(true);
        } catch (IOException | RuntimeException e) {
          current = null;
          ex.answer.tryFail(e);
        }
      }
      lost(this);
    }
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

  /**
   * Sends every body as a request of {@code action}, {@code parallel} at a time, and returns the
   * JSON answers in order; an IOException names the first that was not 200 (set-up, not measured).
   */
  List<JsonNode> callAllOk(String action, List<byte[]> bodies, int parallel) throws IOException {
    Answer[] answers = new Answer[bodies.size()];
    Throwable[] failure = new Throwable[1];
    java.util.concurrent.CompletableFuture<Void> done =
        new java.util.concurrent.CompletableFuture<>();
    int[] next = {0};
    int[] open = {0};
    Runnable[] pump = new Runnable[1];
    pump[0] =
        () -> {
          while (failure[0] == null && open[0] < parallel && next[0] < bodies.size()) {
            int i = next[0]++;
            open[0]++;
            send(action, bodies.get(i))
                .onComplete(
                    ar -> {
                      open[0]--;
                      if (ar.failed()) {
                        failure[0] = ar.cause();
                      } else {
                        answers[i] = ar.result();
                      }
                      if ((failure[0] != null || next[0] == bodies.size()) && open[0] == 0) {
                        done.complete(null);
                      } else {
                        pump[0].run();
                      }
                    });
          }
          if (bodies.isEmpty()) {
            done.complete(null);
          }
        };
    context.runOnContext(v -> pump[0].run());
    try {
      done.get(10, TimeUnit.MINUTES);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException(action + " to " + endpoint + " did not finish", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (failure[0] != null) {
      throw new IOException(action + " to " + endpoint + " failed: " + failure[0], failure[0]);
    }
    List<JsonNode> out = new java.util.ArrayList<>(answers.length);
    for (Answer a : answers) {
      if (!a.ok()) {
        throw new IOException(
            action + " to " + endpoint + " failed: " + a.errorType() + ": " + a.message());
      }
      out.add(a.json());
    }
    return out;
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
    vertx.cancelTimer(timeoutTimer);
    Future.<Void>future(
            p ->
                context.runOnContext(
                    v -> {
                      closed = true;
                      for (Connection c : List.copyOf(all)) {
                        c.socket.close();
                      }
                      Exchange ex;
                      while ((ex = waiting.poll()) != null) {
                        ex.answer.tryFail(new IOException("client closed"));
                      }
                      p.complete();
                    }))
        .await();
    net.close().await();
  }

  Vertx vertx() {
    return vertx;
  }
}
