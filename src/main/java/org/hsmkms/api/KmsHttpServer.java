package org.hsmkms.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.hsmkms.audit.AuditException;
import org.hsmkms.audit.AuditRecord;
import org.hsmkms.audit.AuditTrail;
import org.hsmkms.auth.AuthenticationException;
import org.hsmkms.auth.Authenticator;
import org.hsmkms.auth.Caller;
import org.hsmkms.auth.SignedRequest;
import org.hsmkms.kms.Aliases;
import org.hsmkms.kms.CryptoOperations;
import org.hsmkms.kms.ErrorCode;
import org.hsmkms.kms.KeyManagement;
import org.hsmkms.kms.KeyPairServices;
import org.hsmkms.kms.KmsException;
import org.hsmkms.kms.RequestContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AWS KMS JSON 1.1 endpoint: {@code POST /} with {@code X-Amz-Target: TrentService.<Op>}.
 *
 * <p>On the event loop: body limit, SigV4 authentication, target lookup, JSON parsing and model
 * validation. On the worker pool: the operation itself, the serialization of its answer (so that
 * plaintext is encoded and zeroed on one thread) and its audit record. Every response carries
 * {@code x-amzn-RequestId}; every error is {@code {"__type", "message"}} and never a stack trace.
 *
 * <p>Every request, refused or served, gets one audit record before its response is sent. When the
 * trail fails closed, an answer whose record could not be written is replaced by
 * KMSInternalException, and no operation starts while the trail is known to be unwritable.
 */
public final class KmsHttpServer {
  private static final Logger LOG = LoggerFactory.getLogger(KmsHttpServer.class);
  private static final String TARGET_PREFIX = "TrentService.";
  private static final String CONTENT_TYPE = "application/x-amz-json-1.1";
  private static final String EXCHANGE = "hsmkms.exchange";
  private static final List<String> CONTEXT_FIELDS =
      List.of("EncryptionContext", "SourceEncryptionContext", "DestinationEncryptionContext");

  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final WorkerExecutor auditWorkers;
  private final Authenticator authenticator;
  private final ModelValidator validator;
  private final KmsApi api;
  private final long maxBodyBytes;
  private final AuditTrail audit;
  private final HttpListeners listeners;

  public KmsHttpServer(
      Vertx vertx,
      WorkerExecutor workers,
      Authenticator authenticator,
      KeyManagement keys,
      Aliases aliases,
      CryptoOperations crypto,
      KeyPairServices keyPairs,
      long maxBodyBytes,
      AuditTrail audit,
      int listeners) {
    this.listeners = new HttpListeners(vertx, listeners, this::router);
    this.vertx = vertx;
    this.workers = workers;
    // Records of requests refused on the event loop are written here, off the event loop and
    // without taking an HSM worker.
    this.auditWorkers = vertx.createSharedWorkerExecutor("hsm-kms-audit", 2);
    this.authenticator = authenticator;
    this.validator = ModelValidator.load(Json.MAPPER);
    this.api = new KmsApi(keys, aliases, crypto, keyPairs);
    this.maxBodyBytes = maxBodyBytes;
    this.audit = audit;
  }

  /**
   * Starts listening, with HTTPS when a certificate and key are given; completes with the bound
   * port. One listener per event loop shares the port ({@link HttpListeners}).
   *
   * @param certificate PEM certificate chain, or null for plain HTTP
   * @param privateKey PEM private key of the certificate, or null for plain HTTP
   */
  public Future<Integer> listen(String host, int port, Path certificate, Path privateKey) {
    return listeners.listen(options(host, port, certificate, privateKey));
  }

  private Router router() {
    Router router = Router.router(vertx);
    router
        .post("/")
        .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
        .handler(this::handle)
        .failureHandler(this::failure);
    router.route().handler(ctx -> refuse(ctx, new KmsException(ErrorCode.UNKNOWN_OPERATION, null)));
    return router;
  }

  private static HttpServerOptions options(
      String host, int port, Path certificate, Path privateKey) {
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(host)
            .setPort(port)
            .setIdleTimeout(120)
            .setMaxHeaderSize(16 * 1024)
            // HTTP/1.1 only, as AWS KMS endpoints speak it; the signed Host header then always
            // exists.
            .setHttp2ClearTextEnabled(false);
    if (certificate != null) {
      options
          .setSsl(true)
          .setKeyCertOptions(
              new PemKeyCertOptions()
                  .setCertPath(certificate.toString())
                  .setKeyPath(privateKey.toString()))
          .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"));
    }
    return options;
  }

  public Future<Void> close() {
    return listeners.close().eventually(auditWorkers::close);
  }

  /** What the audit record of one request needs, gathered as the request moves along. */
  private static final class Exchange {
    final String requestId = requestId();
    final long startNanos = System.nanoTime();
    final Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    final String sourceAddress;
    String operation;
    Caller caller;
    RequestContext rc;
    List<String> contextKeys = List.of();

    Exchange(String sourceAddress) {
      this.sourceAddress = sourceAddress;
    }

    AuditRecord record(int status, String errorCode) {
      return new AuditRecord(
          start,
          requestId,
          operation,
          caller == null ? null : caller.principalArn(),
          caller == null ? null : caller.account(),
          caller == null ? null : caller.accessKeyId(),
          caller == null ? null : caller.region(),
          sourceAddress,
          rc == null ? List.of() : rc.keysUsed().arns(),
          contextKeys,
          errorCode == null ? AuditRecord.SUCCESS : AuditRecord.FAILURE,
          errorCode,
          status,
          (System.nanoTime() - startNanos) / 1_000_000);
    }
  }

  /**
   * A random (version 4) UUID for {@code x-amzn-RequestId}. A request id is an identifier, not a
   * secret, so it comes from a fast thread-local generator rather than the system's secure one.
   */
  static String requestId() {
    java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
    long hi = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(hi, lo).toString();
  }

  /** How a request ends: a success body, or an error. */
  private record Outcome(byte[] body, KmsException error) {
    static Outcome ok(byte[] body) {
      return new Outcome(body, null);
    }

    static Outcome failed(KmsException e) {
      return new Outcome(null, e);
    }
  }

  private void handle(RoutingContext ctx) {
    Exchange ex = exchange(ctx);
    String target = ctx.request().getHeader("X-Amz-Target");
    String operation;
    RequestContext rc;
    JsonNode request;
    byte[] body = ctx.body().available() ? ctx.body().buffer().getBytes() : new byte[0];
    try {
      ex.operation = knownOperation(target);
      // Authentication comes first: an unauthenticated caller learns nothing about the request.
      Caller caller = authenticate(signedRequest(ctx, body));
      ex.caller = caller;
      operation = operationOf(target);
      rc =
          new RequestContext(
              caller.account(), caller.region(), caller.principalArn(), ex.requestId);
      ex.rc = rc;
      request = parse(body);
      ex.contextKeys = contextKeys(request);
      validator.validate(operation, request);
    } catch (KmsException e) {
      refuse(ctx, e);
      return;
    } finally {
      Arrays.fill(body, (byte) 0);
    }
    KmsApi.Operation op = api.operation(operation);
    if (op == null) {
      refuse(
          ctx,
          new KmsException(
              ErrorCode.UNSUPPORTED_OPERATION,
              operation + " is not supported by this service yet."));
      return;
    }
    if (audit.failClosed() && !audit.available()) {
      // Fail closed: nothing is done that could not be recorded.
      refuse(ctx, new KmsException(ErrorCode.INTERNAL, "An internal error occurred."));
      return;
    }
    workers
        .<Outcome>executeBlocking(
            () -> {
              Outcome outcome;
              try (Reply r = op.handle(rc, request)) {
                outcome = Outcome.ok(Json.MAPPER.writeValueAsBytes(r.body));
              } catch (Exception e) {
                outcome = Outcome.failed(classify(operation, ex.requestId, e));
              }
              return recorded(ex, outcome);
            },
            false)
        .onComplete(
            ar ->
                send(
                    ctx,
                    ar.succeeded()
                        ? ar.result()
                        : Outcome.failed(classify(operation, ex.requestId, ar.cause()))));
  }

  /**
   * Writes the audit record of {@code outcome}. If that fails and the trail fails closed, a success
   * becomes KMSInternalException (its body, which may hold plaintext, is zeroed); an error stays
   * the error it was.
   */
  private Outcome recorded(Exchange ex, Outcome outcome) {
    int status = outcome.error == null ? 200 : outcome.error.code().httpStatus();
    try {
      audit.write(ex.record(status, outcome.error == null ? null : outcome.error.code().awsType()));
      return outcome;
    } catch (AuditException e) {
      if (!audit.failClosed() || outcome.error != null) {
        return outcome;
      }
      LOG.error(
          "{} {}: answer withheld because its audit record could not be written",
          ex.requestId,
          ex.operation);
      Arrays.fill(outcome.body, (byte) 0);
      return Outcome.failed(new KmsException(ErrorCode.INTERNAL, "An internal error occurred."));
    }
  }

  /** Refuses a request decided on the event loop: records it off the loop, then answers. */
  private void refuse(RoutingContext ctx, KmsException e) {
    Exchange ex = exchange(ctx);
    auditWorkers
        .<Outcome>executeBlocking(() -> recorded(ex, Outcome.failed(e)), false)
        .onComplete(ar -> send(ctx, ar.succeeded() ? ar.result() : Outcome.failed(e)));
  }

  private void send(RoutingContext ctx, Outcome outcome) {
    if (outcome.error != null) {
      reply(ctx, exchange(ctx).requestId, outcome.error);
      return;
    }
    HttpServerResponse response = ctx.response();
    if (!response.ended()) {
      response
          .setStatusCode(200)
          .putHeader("Content-Type", CONTENT_TYPE)
          .end(Buffer.buffer(outcome.body));
    }
    Arrays.fill(outcome.body, (byte) 0);
  }

  private Caller authenticate(SignedRequest request) {
    try {
      return authenticator.authenticate(request);
    } catch (AuthenticationException e) {
      ErrorCode code =
          switch (e.kind()) {
            case MISSING_AUTHENTICATION_TOKEN -> ErrorCode.MISSING_AUTHENTICATION_TOKEN;
            case INCOMPLETE_SIGNATURE -> ErrorCode.INCOMPLETE_SIGNATURE;
            case UNRECOGNIZED_CLIENT -> ErrorCode.UNRECOGNIZED_CLIENT;
            case INVALID_SIGNATURE -> ErrorCode.INVALID_SIGNATURE;
          };
      throw new KmsException(code, e.getMessage());
    }
  }

  private String knownOperation(String target) {
    if (target == null || !target.startsWith(TARGET_PREFIX)) {
      return null;
    }
    String name = target.substring(TARGET_PREFIX.length());
    return validator.operations().contains(name) ? name : null;
  }

  private String operationOf(String target) {
    String name = knownOperation(target);
    if (name == null) {
      throw new KmsException(ErrorCode.UNKNOWN_OPERATION, null);
    }
    return name;
  }

  /** The keys (never the values) of the request's encryption contexts, sorted, for the audit. */
  private static List<String> contextKeys(JsonNode request) {
    TreeSet<String> keys = new TreeSet<>();
    for (String field : CONTEXT_FIELDS) {
      JsonNode n = request.get(field);
      if (n != null && n.isObject()) {
        n.fieldNames().forEachRemaining(keys::add);
      }
    }
    return List.copyOf(keys);
  }

  private static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      return Json.object();
    }
    try {
      JsonNode node = Json.MAPPER.readTree(body);
      if (node == null || !node.isObject()) {
        throw new KmsException(
            ErrorCode.SERIALIZATION, "Start of structure or map found where not expected.");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new KmsException(ErrorCode.SERIALIZATION, "The request body is not valid JSON.");
    } catch (IOException e) {
      throw new KmsException(ErrorCode.SERIALIZATION, "The request body could not be read.");
    }
  }

  private static SignedRequest signedRequest(RoutingContext ctx, byte[] body) {
    // One pass over the headers in arrival order (names() and getAll() would each search them).
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (Map.Entry<String, String> h : ctx.request().headers()) {
      headers
          .computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>(1))
          .add(h.getValue());
    }
    return new SignedRequest(
        ctx.request().method().name(), ctx.request().path(), ctx.request().query(), headers, body);
  }

  private static KmsException classify(String operation, String requestId, Throwable t) {
    if (t instanceof KmsException k) {
      if (k.code().httpStatus() >= 500) {
        LOG.error("{} {} failed: {}", requestId, operation, k.code().awsType(), k.getCause());
      }
      return k;
    }
    if (t instanceof RuntimeException re) {
      KmsException k = KmsException.from(re);
      LOG.error("{} {} failed: {}", requestId, operation, k.code().awsType(), re);
      return k;
    }
    LOG.error("{} {} failed", requestId, operation, t);
    return KmsException.from(new RuntimeException(t));
  }

  private void failure(RoutingContext ctx) {
    Exchange ex = exchange(ctx);
    if (ex.operation == null) {
      ex.operation = knownOperation(ctx.request().getHeader("X-Amz-Target"));
    }
    if (ctx.statusCode() == 413) {
      refuse(
          ctx,
          new KmsException(
              ErrorCode.REQUEST_ENTITY_TOO_LARGE,
              "The request body exceeds the limit of " + maxBodyBytes + " bytes."));
      return;
    }
    if (ctx.statusCode() == 400) {
      refuse(ctx, new KmsException(ErrorCode.SERIALIZATION, "The request could not be read."));
      return;
    }
    LOG.error("{} request failed", ex.requestId, ctx.failure());
    refuse(ctx, new KmsException(ErrorCode.INTERNAL, "An internal error occurred."));
  }

  /** The request's exchange, made (with its request id header) on first use. */
  private static Exchange exchange(RoutingContext ctx) {
    Exchange ex = ctx.get(EXCHANGE);
    if (ex == null) {
      SocketAddress remote = ctx.request().remoteAddress();
      ex = new Exchange(remote == null ? null : remote.hostAddress());
      ctx.put(EXCHANGE, ex);
      ctx.response().putHeader("x-amzn-RequestId", ex.requestId);
    }
    return ex;
  }

  private static void reply(RoutingContext ctx, String requestId, KmsException e) {
    HttpServerResponse response = ctx.response();
    if (response.ended()) {
      return;
    }
    var body = Json.object().put("__type", e.code().awsType());
    if (e.getMessage() != null) {
      body.put("message", e.getMessage());
    }
    LOG.debug("{} -> {}", requestId, e.code().awsType());
    response
        .setStatusCode(e.code().httpStatus())
        .putHeader("Content-Type", CONTENT_TYPE)
        .end(body.toString());
  }
}
