package org.hsmkms.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuditGateHandlerTest {
  @ParameterizedTest(name = "failClosed={0} available={1}")
  @CsvSource({"true, true", "false, true", "false, false"})
  void trailThatCanRecord_orNeedNot_letsTheRequestPass(boolean failClosed, boolean available) {
    try (LinkServer s = new LinkServer()) {
      s.trail.failClosed = failClosed;
      s.trail.available = available;
      s.start(
          r -> r.post("/").handler(new AuditGateHandler(s.trail, s.load)).handler(LinkServer::ok));

      assertEquals(200, s.post("TrentService.ListKeys", "{}").statusCode());
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"TrentService.ListKeys", "TrentService.CreateKey"})
  void unwritableTrailThatFailsClosed_refusesBeforeTheOperation(String target) {
    AtomicBoolean reached = new AtomicBoolean();
    try (LinkServer s = new LinkServer()) {
      s.trail.available = false;
      s.start(
          r ->
              r.post("/")
                  .handler(new AuditGateHandler(s.trail, s.load))
                  .handler(
                      ctx -> {
                        reached.set(true);
                        LinkServer.ok(ctx);
                      }));

      HttpResponse<String> r = s.post(target, "{}");

      var json = LinkServer.assertAwsError(r, 500, "KMSInternalException");
      assertEquals("An internal error occurred.", json.get("message").asText());
      assertFalse(reached.get(), "the operation must not start");
      // The refusal is still offered to the trail: a write that succeeds shows it works again.
      assertEquals("KMSInternalException", s.trail.only().record().errorCode());
    }
  }
}
