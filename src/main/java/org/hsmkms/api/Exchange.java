package org.hsmkms.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.hsmkms.audit.AuditRecord;
import org.hsmkms.auth.Caller;
import org.hsmkms.auth.HeaderCheck;
import org.hsmkms.kms.RequestContext;

/**
 * One request as it moves along the pipeline: what the links hand on to each other, and what its
 * audit record needs. Opened by {@link RequestIdHandler} and kept on the {@link RoutingContext};
 * each link fills in what it learns. Only one thread works on it at a time (the event loop, then a
 * worker, then the event loop again), and Vert.x's hand-offs between them order those accesses.
 */
final class Exchange {
  private static final String KEY = "hsmkms.exchange";

  final String requestId;
  final long startNanos = System.nanoTime();
  final Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
  final String sourceAddress;

  /**
   * The operation X-Amz-Target names; null when it names none of the model ({@link TargetHandler}).
   */
  String operation;

  /** The handler of {@link #operation}; null when this service does not implement it. */
  KmsApi.Operation handler;

  /** The request's headers as the signature sees them ({@link HeaderCheckHandler}); or null. */
  Map<String, List<String>> headers;

  /** What the authenticator learnt from the headers alone; null when it did not look. */
  HeaderCheck headerCheck;

  /**
   * True when the request was refused on its headers, its body unread: the connection is closed
   * after the answer, so that the body need never be received.
   */
  boolean refusedBeforeBody;

  /** Who sent the request, once authenticated ({@link AuthenticationHandler}). */
  Caller caller;

  /** The account, region and principal the operation acts for; made with {@link #caller}. */
  RequestContext rc;

  /** The copy of the body that {@link #body(RoutingContext)} makes; null until then. */
  private byte[] body;

  /** The parsed body, valid against the model ({@link ParseAndValidateHandler}). */
  JsonNode request;

  /** A top-level string member of the validated request, or null (the classes of work read it). */
  String textMember(String name) {
    JsonNode n = request == null ? null : request.get(name);
    return n != null && n.isTextual() ? n.asText() : null;
  }

  /** The keys (never the values) of the request's encryption contexts, sorted. */
  List<String> contextKeys = List.of();

  /** True once the audit record was written or attempted: a request gets one, never two. */
  boolean audited;

  private Exchange(String requestId, String sourceAddress) {
    this.requestId = requestId;
    this.sourceAddress = sourceAddress;
  }

  /** Opens the exchange of a new request and keeps it on {@code ctx}. */
  static Exchange open(RoutingContext ctx, String requestId, String sourceAddress) {
    Exchange ex = new Exchange(requestId, sourceAddress);
    ctx.put(KEY, ex);
    return ex;
  }

  /** The exchange of the request, or null if none was opened. */
  static Exchange of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  /**
   * The request body, copied once on first use: the signature covers it, then it is parsed, then
   * zeroed ({@link #zeroBody}), since it may hold plaintext.
   */
  byte[] body(RoutingContext ctx) {
    if (body == null) {
      // No buffer for a body of length 0 (Content-Length: 0), none read without a length.
      Buffer buffer = ctx.body().available() ? ctx.body().buffer() : null;
      body = buffer == null ? new byte[0] : buffer.getBytes();
    }
    return body;
  }

  void zeroBody() {
    if (body != null) {
      Arrays.fill(body, (byte) 0);
    }
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
        rc == null ? List.of() : rc.authorization().decisions(),
        errorCode == null ? AuditRecord.SUCCESS : AuditRecord.FAILURE,
        errorCode,
        status,
        (System.nanoTime() - startNanos) / 1_000_000);
  }
}
