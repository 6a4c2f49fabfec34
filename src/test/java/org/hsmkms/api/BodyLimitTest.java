package org.hsmkms.api;

import static org.hsmkms.api.LinkServer.BODY_LIMIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.ext.web.handler.BodyHandler;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.hsmkms.audit.AuditRecord;
import org.junit.jupiter.api.Test;

/** The body limit link (Vert.x's body handler with the configured limit) and its 413. */
class BodyLimitTest {
  private static LinkServer server() {
    return new LinkServer()
        .start(
            r -> {
              r.post("/").handler(LinkServer.targets());
              r.post("/")
                  .handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT))
                  .handler(LinkServer::ok);
            });
  }

  @Test
  void bodyOverTheLimit_is413InAwsShape() {
    try (LinkServer s = server()) {
      HttpResponse<String> r = s.post("TrentService.Encrypt", "x".repeat((int) BODY_LIMIT + 1));

      var json = LinkServer.assertAwsError(r, 413, "RequestEntityTooLargeException");
      assertEquals(
          "The request body exceeds the limit of " + BODY_LIMIT + " bytes.",
          json.get("message").asText());
    }
  }

  @Test
  void bodyOverTheLimit_withoutContentLength_is413Too() {
    try (LinkServer s = server()) {
      byte[] body = "y".repeat(4 * (int) BODY_LIMIT).getBytes(StandardCharsets.US_ASCII);
      HttpRequest chunked =
          HttpRequest.newBuilder(s.uri("/"))
              .header(TargetHandler.HEADER, "TrentService.Encrypt")
              .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
              .build();

      LinkServer.assertAwsError(s.send(chunked), 413, "RequestEntityTooLargeException");
    }
  }

  @Test
  void bodyOverTheLimit_isRecordedOffTheEventLoop_withItsOperationAndStatus() {
    try (LinkServer s = server()) {
      HttpResponse<String> r = s.post("TrentService.Encrypt", "x".repeat((int) BODY_LIMIT + 1));

      RecordingTrail.Written w = s.trail.only();
      assertEquals(LinkServer.requestId(r), w.record().requestId());
      assertEquals("Encrypt", w.record().operation());
      assertEquals(413, w.record().httpStatus());
      assertEquals("RequestEntityTooLargeException", w.record().errorCode());
      assertEquals(AuditRecord.FAILURE, w.record().outcome());
      assertTrue(w.thread().startsWith("hsm-kms-audit"), w.thread());
    }
  }

  @Test
  void bodyAtTheLimit_isPassedOn() {
    try (LinkServer s = server()) {
      HttpResponse<String> r = s.post("TrentService.Encrypt", "x".repeat((int) BODY_LIMIT));

      assertEquals(200, r.statusCode(), r.body());
    }
  }
}
