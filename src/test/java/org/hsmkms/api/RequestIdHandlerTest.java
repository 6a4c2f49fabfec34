package org.hsmkms.api;

import static org.hsmkms.api.LinkServer.requestId;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.ext.web.RoutingContext;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.hsmkms.kms.ErrorCode;
import org.hsmkms.kms.KmsException;
import org.junit.jupiter.api.Test;

class RequestIdHandlerTest {
  @Test
  void requestIds_areDistinctVersion4Uuids() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      String id = RequestIdHandler.newRequestId();
      UUID u = UUID.fromString(id);
      assertEquals(4, u.version());
      assertEquals(2, u.variant());
      assertEquals(id, u.toString());
      seen.add(id);
    }
    assertEquals(100_000, seen.size());
  }

  @Test
  void everyResponse_servedRefusedOrUnrouted_carriesARequestIdOfItsOwn() {
    try (LinkServer s =
        new LinkServer()
            .start(
                r -> {
                  r.post("/served").handler(LinkServer::ok);
                  r.post("/refused").handler(RequestIdHandlerTest::refuse);
                })) {
      List<HttpResponse<String>> responses = new ArrayList<>();
      responses.add(s.post(null, "{}")); // POST / has no route here: unrouted
      responses.add(s.send(post(s, "/served")));
      responses.add(s.send(post(s, "/served")));
      responses.add(s.send(post(s, "/refused")));
      responses.add(s.send(HttpRequest.newBuilder(s.uri("/")).GET().build()));

      Set<String> ids = new HashSet<>();
      for (HttpResponse<String> r : responses) {
        ids.add(UUID.fromString(requestId(r)).toString());
      }
      assertEquals(responses.size(), ids.size(), "one id per response");
      assertEquals(200, responses.get(1).statusCode());
      assertEquals(400, responses.get(3).statusCode());
    }
  }

  @Test
  void theAuditRecord_carriesTheIdTheClientSaw_andTheSourceAddress() {
    try (LinkServer s =
        new LinkServer().start(r -> r.post("/").handler(RequestIdHandlerTest::refuse))) {
      HttpResponse<String> r = s.post(null, "{}");

      assertEquals(requestId(r), s.trail.only().record().requestId());
      assertEquals("127.0.0.1", s.trail.only().record().sourceAddress());
    }
  }

  private static void refuse(RoutingContext ctx) {
    ctx.fail(new KmsException(ErrorCode.NOT_FOUND, "not here"));
  }

  private static HttpRequest post(LinkServer s, String path) {
    return HttpRequest.newBuilder(s.uri(path)).POST(HttpRequest.BodyPublishers.noBody()).build();
  }
}
