package org.hsmkms.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
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
 * <p>On the event loop: body limit, target lookup, authentication, JSON parsing and model
 * validation. On the worker pool: the operation itself and the serialization of its answer (so that
 * plaintext is encoded and zeroed on one thread). Every response carries {@code x-amzn-RequestId};
 * every error is {@code {"__type", "message"}} and never a stack trace.
 */
public final class KmsHttpServer {
  private static final Logger LOG = LoggerFactory.getLogger(KmsHttpServer.class);
  private static final String TARGET_PREFIX = "TrentService.";
  private static final String CONTENT_TYPE = "application/x-amz-json-1.1";

  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final Authenticator authenticator;
  private final ModelValidator validator;
  private final KmsApi api;
  private final long maxBodyBytes;
  private HttpServer server;

  public KmsHttpServer(Vertx vertx, WorkerExecutor workers, Authenticator authenticator,
      KeyManagement keys, Aliases aliases, CryptoOperations crypto, KeyPairServices keyPairs,
      long maxBodyBytes) {
    this.vertx = vertx;
    this.workers = workers;
    this.authenticator = authenticator;
    this.validator = ModelValidator.load(Json.MAPPER);
    this.api = new KmsApi(keys, aliases, crypto, keyPairs);
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Starts listening; completes with the bound port. */
  public Future<Integer> listen(String host, int port) {
    Router router = Router.router(vertx);
    router.post("/")
        .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
        .handler(this::handle)
        .failureHandler(this::failure);
    router.route().handler(ctx -> reply(ctx, newRequestId(ctx),
        new KmsException(ErrorCode.UNKNOWN_OPERATION, null)));
    HttpServerOptions options = new HttpServerOptions()
        .setHost(host)
        .setPort(port)
        .setIdleTimeout(120)
        .setMaxHeaderSize(16 * 1024);
    server = vertx.createHttpServer(options).requestHandler(router);
    return server.listen().map(HttpServer::actualPort);
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void handle(RoutingContext ctx) {
    String requestId = newRequestId(ctx);
    String operation;
    RequestContext rc;
    JsonNode request;
    try {
      operation = operationOf(ctx.request().getHeader("X-Amz-Target"));
      byte[] body = ctx.body().available() ? ctx.body().buffer().getBytes() : new byte[0];
      Caller caller = authenticator.authenticate(signedRequest(ctx, body));
      rc = new RequestContext(caller.account(), caller.region(), caller.principalArn(), requestId);
      request = parse(body);
      Arrays.fill(body, (byte) 0);
      validator.validate(operation, request);
    } catch (KmsException e) {
      reply(ctx, requestId, e);
      return;
    }
    KmsApi.Operation op = api.operation(operation);
    if (op == null) {
      reply(ctx, requestId, new KmsException(ErrorCode.UNSUPPORTED_OPERATION,
          operation + " is not supported by this service yet."));
      return;
    }
    String opName = operation;
    workers.<byte[]>executeBlocking(() -> {
      try (Reply r = op.handle(rc, request)) {
        return Json.MAPPER.writeValueAsBytes(r.body);
      }
    }, false).onComplete(ar -> {
      if (ar.succeeded()) {
        byte[] out = ar.result();
        ctx.response().setStatusCode(200).putHeader("Content-Type", CONTENT_TYPE)
            .end(Buffer.buffer(out));
        Arrays.fill(out, (byte) 0);
      } else {
        reply(ctx, requestId, classify(opName, requestId, ar.cause()));
      }
    });
  }

  private String operationOf(String target) {
    if (target == null || !target.startsWith(TARGET_PREFIX)
        || !validator.operations().contains(target.substring(TARGET_PREFIX.length()))) {
      throw new KmsException(ErrorCode.UNKNOWN_OPERATION, null);
    }
    return target.substring(TARGET_PREFIX.length());
  }

  private static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      return Json.object();
    }
    try {
      JsonNode node = Json.MAPPER.readTree(body);
      if (node == null || !node.isObject()) {
        throw new KmsException(ErrorCode.SERIALIZATION,
            "Start of structure or map found where not expected.");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new KmsException(ErrorCode.SERIALIZATION, "The request body is not valid JSON.");
    } catch (IOException e) {
      throw new KmsException(ErrorCode.SERIALIZATION, "The request body could not be read.");
    }
  }

  private static SignedRequest signedRequest(RoutingContext ctx, byte[] body) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    MultiMap h = ctx.request().headers();
    for (String name : h.names()) {
      headers.put(name.toLowerCase(Locale.ROOT), new ArrayList<>(h.getAll(name)));
    }
    return new SignedRequest(ctx.request().method().name(), ctx.request().path(),
        ctx.request().query(), headers, body);
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
    String requestId = newRequestId(ctx);
    if (ctx.statusCode() == 413) {
      reply(ctx, requestId, new KmsException(ErrorCode.REQUEST_ENTITY_TOO_LARGE,
          "The request body exceeds the limit of " + maxBodyBytes + " bytes."));
      return;
    }
    if (ctx.statusCode() == 400) {
      reply(ctx, requestId, new KmsException(ErrorCode.SERIALIZATION,
          "The request could not be read."));
      return;
    }
    LOG.error("{} request failed", requestId, ctx.failure());
    reply(ctx, requestId, new KmsException(ErrorCode.INTERNAL, "An internal error occurred."));
  }

  private static String newRequestId(RoutingContext ctx) {
    String id = ctx.get("requestId");
    if (id == null) {
      id = UUID.randomUUID().toString();
      ctx.put("requestId", id);
      ctx.response().putHeader("x-amzn-RequestId", id);
    }
    return id;
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
    response.setStatusCode(e.code().httpStatus())
        .putHeader("Content-Type", CONTENT_TYPE)
        .end(body.toString());
  }
}
