package org.hsmkms.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.ext.web.RoutingContext;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class TargetHandlerTest {
  private static LinkServer server() {
    return new LinkServer()
        .start(r -> r.post("/").handler(LinkServer.targets()).handler(TargetHandlerTest::echo));
  }

  /** Answers what the target link put into the exchange: operation and whether it has a handler. */
  private static void echo(RoutingContext ctx) {
    Exchange ex = Exchange.of(ctx);
    ctx.response().end(ex.operation + "," + (ex.handler != null));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "TrentService.Encrypt, Encrypt, true",
    "TrentService.ListKeys, ListKeys, true",
    "TrentService.GenerateDataKeyPair, GenerateDataKeyPair, true",
    // Operations of the model this service does not implement: named, without a handler.
    "TrentService.GetKeyPolicy, GetKeyPolicy, true",
    "TrentService.CreateGrant, CreateGrant, true",
    "TrentService.ConnectCustomKeyStore, ConnectCustomKeyStore, false",
    "TrentService.DisconnectCustomKeyStore, DisconnectCustomKeyStore, false"
  })
  void targetOfTheModel_namesItsOperationAndHandler(
      String target, String operation, boolean implemented) {
    try (LinkServer s = server()) {
      HttpResponse<String> r = s.post(target, "{}");

      assertEquals(200, r.statusCode());
      assertEquals(operation + "," + implemented, r.body());
    }
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @NullSource
  @ValueSource(
      strings = {
        "",
        "TrentService.",
        "TrentService.Nope",
        "TrentService.encrypt",
        "trentservice.Encrypt",
        "Encrypt",
        "DynamoDB_20120810.ListTables",
        "TrentService.Encrypt.Extra"
      })
  void anyOtherTarget_namesNoOperation_andIsPassedOn(String target) {
    try (LinkServer s = server()) {
      HttpResponse<String> r = s.post(target, "{}");

      // Refused later, after authentication, so that an unauthenticated caller learns nothing.
      assertEquals(200, r.statusCode());
      assertEquals("null,false", r.body());
    }
  }
}
