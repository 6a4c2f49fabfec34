package org.hsmkms.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.hsmkms.kms.ErrorCode;
import org.hsmkms.kms.KmsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FailureHandlerTest {
  private static LinkServer failingWith(Handler<RoutingContext> link) {
    return new LinkServer().start(r -> r.post("/").handler(link));
  }

  @Test
  void kmsException_isItsTypeStatusAndMessage_exactly() {
    try (LinkServer s =
        failingWith(
            ctx ->
                ctx.fail(
                    new KmsException(
                        ErrorCode.DRY_RUN_OPERATION,
                        "The request would have succeeded, but the DryRun option is set.")))) {
      HttpResponse<String> r = s.post("TrentService.Encrypt", "{}");

      LinkServer.assertAwsError(r, 400, "DryRunOperationException");
      assertEquals(
          "{\"__type\":\"DryRunOperationException\","
              + "\"message\":\"The request would have succeeded, but the DryRun option is set.\"}",
          r.body());
    }
  }

  @Test
  void kmsExceptionWithoutMessage_hasNoMessageMember() {
    try (LinkServer s =
        failingWith(ctx -> ctx.fail(new KmsException(ErrorCode.INVALID_CIPHERTEXT, null)))) {
      HttpResponse<String> r = s.post("TrentService.Decrypt", "{}");

      assertEquals("{\"__type\":\"InvalidCiphertextException\"}", r.body());
    }
  }

  @Test
  void exceptionThrownByALink_isKmsInternalException_andNeverItsStackTrace() {
    try (LinkServer s =
        failingWith(
            ctx -> {
              throw new IllegalStateException("at org.example.Secret(Secret.java:1) pin=1234");
            })) {
      HttpResponse<String> r = s.post("TrentService.Encrypt", "{}");

      LinkServer.assertAwsError(r, 500, "KMSInternalException");
      assertEquals(
          "{\"__type\":\"KMSInternalException\",\"message\":\"An internal error occurred.\"}",
          r.body());
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(ints = {500, 503, 404})
  void otherHttpFailure_isKmsInternalException(int status) {
    try (LinkServer s = failingWith(ctx -> ctx.fail(status))) {
      LinkServer.assertAwsError(s.post("TrentService.Encrypt", "{}"), 500, "KMSInternalException");
    }
  }

  @Test
  void unreadableRequest_isSerializationException() {
    try (LinkServer s = failingWith(ctx -> ctx.fail(400))) {
      var json =
          LinkServer.assertAwsError(
              s.post("TrentService.Encrypt", "{}"), 400, "SerializationException");

      assertEquals("The request could not be read.", json.get("message").asText());
    }
  }

  @Test
  void refusal_isRecordedOnce_onTheAuditPool_beforeTheAnswer() {
    try (LinkServer s =
        failingWith(ctx -> ctx.fail(new KmsException(ErrorCode.NOT_FOUND, "gone")))) {
      HttpResponse<String> r = s.post("TrentService.Encrypt", "{}");

      RecordingTrail.Written w = s.trail.only();
      assertTrue(w.thread().startsWith("hsm-kms-audit"), w.thread());
      assertEquals(LinkServer.requestId(r), w.record().requestId());
      assertEquals("NotFoundException", w.record().errorCode());
      assertEquals(400, w.record().httpStatus());
      s.drainAuditPool();
      s.trail.only();
    }
  }

  @Test
  void refusal_isAnsweredEvenWhenItsRecordCannotBeWritten() {
    try (LinkServer s =
        failingWith(ctx -> ctx.fail(new KmsException(ErrorCode.NOT_FOUND, "gone")))) {
      s.trail.failWrites = true;

      LinkServer.assertAwsError(s.post("TrentService.Encrypt", "{}"), 400, "NotFoundException");
    }
  }

  @Test
  void anythingButPostOnTheRoot_isUnknownOperationException_recordedWithoutAnOperation() {
    try (LinkServer s = failingWith(LinkServer::ok)) {
      HttpResponse<String> r =
          s.send(
              HttpRequest.newBuilder(s.uri("/"))
                  .header(TargetHandler.HEADER, "TrentService.ListKeys")
                  .GET()
                  .build());

      var json = LinkServer.assertAwsError(r, 400, "UnknownOperationException");
      assertEquals(1, json.size(), json.toString());
      assertNull(s.trail.only().record().operation());
    }
  }
}
