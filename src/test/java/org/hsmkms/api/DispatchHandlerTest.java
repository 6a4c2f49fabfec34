package org.hsmkms.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.ext.web.handler.BodyHandler;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.hsmkms.audit.AuditRecord;
import org.hsmkms.auth.Caller;
import org.hsmkms.authz.AuthzRequest;
import org.hsmkms.authz.KmsActions;
import org.hsmkms.authz.PolicyDocument;
import org.hsmkms.authz.PolicyKind;
import org.hsmkms.crypto.SecretBytes;
import org.hsmkms.kms.Authorization;
import org.hsmkms.kms.ErrorCode;
import org.hsmkms.kms.KmsException;
import org.hsmkms.kms.RequestContext;
import org.junit.jupiter.api.Test;

class DispatchHandlerTest {
  private static final String ACCOUNT = "111122223333";

  /** The thread the operation ran on. */
  private final AtomicReference<String> ranOn = new AtomicReference<>();

  /**
   * A server whose chain hands {@code operation} to the dispatch link as the parsing link would: a
   * named operation, its handler, a request context and a validated request.
   */
  private LinkServer server(KmsApi.Operation operation) {
    return server(operation, Authorization.trusted());
  }

  /** As {@link #server(KmsApi.Operation)}, the request carrying {@code authorization}. */
  private LinkServer server(KmsApi.Operation operation, Authorization authorization) {
    LinkServer s = new LinkServer();
    return s.start(
        r ->
            r.post("/")
                .handler(BodyHandler.create(false))
                .handler(
                    ctx -> {
                      Exchange ex = Exchange.of(ctx);
                      ex.operation = "TestOperation";
                      ex.handler =
                          (rc, request) -> {
                            ranOn.set(Thread.currentThread().getName());
                            return operation.handle(rc, request);
                          };
                      ex.caller = new Caller(ACCOUNT, "us-east-1", "arn:p", "AKID");
                      ex.rc =
                          new RequestContext(ACCOUNT, "us-east-1", "arn:p", ex.requestId)
                              .withAuthorization(authorization);
                      ex.request = Json.object().put("Asked", "yes");
                      ctx.next();
                    })
                .handler(new DispatchHandler(s.work, s.recorder)));
  }

  @Test
  void operation_runsOnTheFastClassOfWork_andItsAnswerIsSent() {
    try (LinkServer s =
        server(
            (rc, request) -> new Reply(Json.object().put("Echo", request.get("Asked").asText())))) {
      HttpResponse<String> r = s.post("TrentService.ListKeys", "{}");

      assertEquals(200, r.statusCode(), r.body());
      assertEquals("{\"Echo\":\"yes\"}", r.body());
      assertEquals(Json.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElseThrow());
      assertTrue(ranOn.get().startsWith("hsm-kms-fast"), ranOn.get());
    }
  }

  @Test
  void plaintextInTheAnswer_isZeroedOnceSerialized() {
    byte[] plaintext = "plaintext!".getBytes(StandardCharsets.US_ASCII);
    try (LinkServer s =
        server(
            (rc, request) -> Reply.empty().putSecret("Plaintext", SecretBytes.wrap(plaintext)))) {
      HttpResponse<String> r = s.post("TrentService.GenerateRandom", "{}");

      assertEquals("{\"Plaintext\":\"cGxhaW50ZXh0IQ==\"}", r.body());
      assertArrayEquals(new byte[plaintext.length], plaintext);
    }
  }

  @Test
  void auditRecord_isWrittenOnTheSameWorker_beforeTheAnswer() {
    try (LinkServer s = server((rc, request) -> Reply.empty())) {
      HttpResponse<String> r = s.post("TrentService.ListKeys", "{}");

      // No waiting: the record exists by the time the answer arrives.
      RecordingTrail.Written w = s.trail.only();
      assertEquals(ranOn.get(), w.thread());
      assertEquals(LinkServer.requestId(r), w.record().requestId());
      assertEquals("TestOperation", w.record().operation());
      assertEquals(ACCOUNT, w.record().account());
      assertEquals(AuditRecord.SUCCESS, w.record().outcome());
      assertEquals(200, w.record().httpStatus());
    }
  }

  @Test
  void operationThatFails_isItsAwsError_recordedOnce_onTheWorker() {
    try (LinkServer s =
        server(
            (rc, request) -> {
              throw new KmsException(ErrorCode.NOT_FOUND, "Key 'x' does not exist");
            })) {
      HttpResponse<String> r = s.post("TrentService.DescribeKey", "{}");

      var json = LinkServer.assertAwsError(r, 400, "NotFoundException");
      assertEquals("Key 'x' does not exist", json.get("message").asText());
      s.drainAuditPool();
      RecordingTrail.Written w = s.trail.only();
      assertEquals("NotFoundException", w.record().errorCode());
      assertEquals(ranOn.get(), w.thread());
    }
  }

  @Test
  void operationThatBreaks_isKmsInternalException_naming_nothingOfTheFault() {
    try (LinkServer s =
        server(
            (rc, request) -> {
              throw new IllegalStateException("connection string jdbc:secret@db");
            })) {
      HttpResponse<String> r = s.post("TrentService.DescribeKey", "{}");

      var json = LinkServer.assertAwsError(r, 500, "KMSInternalException");
      assertEquals("An internal error occurred.", json.get("message").asText());
      assertFalse(r.body().contains("secret"), r.body());
      assertFalse(r.body().contains("IllegalState"), r.body());
    }
  }

  @Test
  void answerWhoseRecordCannotBeWritten_isWithheld_whenTheTrailFailsClosed() {
    try (LinkServer s =
        server(
            (rc, request) ->
                Reply.empty().putSecret("Plaintext", SecretBytes.wrap(new byte[] {1, 2, 3})))) {
      s.trail.failWrites = true;

      HttpResponse<String> r = s.post("TrentService.GenerateRandom", "{}");

      LinkServer.assertAwsError(r, 500, "KMSInternalException");
      assertFalse(r.body().contains("AQID"), r.body());
    }
  }

  @Test
  void answerWhoseRecordCannotBeWritten_isSent_whenTheTrailFailsOpen() {
    try (LinkServer s = server((rc, request) -> Reply.empty())) {
      s.trail.failWrites = true;
      s.trail.failClosed = false;

      assertEquals(200, s.post("TrentService.ListKeys", "{}").statusCode());
    }
  }

  // --- Key-level permissions never decided -----------------------------------------------------

  private static final PolicyDocument ADMIN =
      PolicyDocument.parse(
          "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
              + "\"Action\":\"kms:*\",\"Resource\":\"*\"}]}",
          PolicyKind.IDENTITY_POLICY);

  /** A client's authorization of {@code operation}, by an administrator, nothing decided yet. */
  private static Authorization clients(String operation) {
    return Authorization.of(
        "arn:p", ACCOUNT, ADMIN, KmsActions.of(operation).orElseThrow(), Map.of(), List.of());
  }

  @Test
  void successWhoseKeyPermissionWasNeverDecided_isWithheld_asKmsInternalException() {
    byte[] plaintext = "plaintext!".getBytes(StandardCharsets.US_ASCII);
    // An operation that answers without resolving its key through Keys: a defect.
    try (LinkServer s =
        server(
            (rc, request) -> Reply.empty().putSecret("Plaintext", SecretBytes.wrap(plaintext)),
            clients("Encrypt"))) {
      HttpResponse<String> r = s.post("TrentService.Encrypt", "{}");

      var json = LinkServer.assertAwsError(r, 500, "KMSInternalException");
      assertEquals("An internal error occurred.", json.get("message").asText());
      assertFalse(r.body().contains("cGxhaW50ZXh0IQ=="), r.body());
      assertFalse(r.body().contains("KEY"), r.body());
      assertArrayEquals(new byte[plaintext.length], plaintext);
      s.drainAuditPool();
      AuditRecord record = s.trail.only().record();
      assertEquals(AuditRecord.FAILURE, record.outcome());
      assertEquals("KMSInternalException", record.errorCode());
    }
  }

  @Test
  void successWhosePermissionsWereAllDecided_isSent() {
    Authorization auth = clients("ListKeys");
    auth.authorizeAccount(
        KmsActions.of("ListKeys").orElseThrow().permissions().get(0), AuthzRequest.ACCOUNT_LEVEL);
    try (LinkServer s = server((rc, request) -> new Reply(Json.object().put("Keys", "[]")), auth)) {
      HttpResponse<String> r = s.post("TrentService.ListKeys", "{}");

      assertEquals(200, r.statusCode(), r.body());
      assertEquals(AuditRecord.SUCCESS, s.trail.only().record().outcome());
    }
  }

  @Test
  void operationThatFailsBeforeDecidingItsKey_isItsOwnError_notAnInternalOne() {
    try (LinkServer s =
        server(
            (rc, request) -> {
              throw new KmsException(ErrorCode.NOT_FOUND, "Key 'x' does not exist");
            },
            clients("Encrypt"))) {
      var json =
          LinkServer.assertAwsError(s.post("TrentService.Encrypt", "{}"), 400, "NotFoundException");

      assertEquals("Key 'x' does not exist", json.get("message").asText());
    }
  }
}
