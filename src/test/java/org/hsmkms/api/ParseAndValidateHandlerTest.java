package org.hsmkms.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ParseAndValidateHandlerTest {
  /** The body copy the parsing link works on, taken before it runs. */
  private final AtomicReference<byte[]> body = new AtomicReference<>();

  private LinkServer server() {
    return new LinkServer()
        .start(
            r -> {
              r.post("/").handler(LinkServer.targets());
              r.post("/")
                  .handler(BodyHandler.create(false))
                  .handler(
                      ctx -> {
                        body.set(Exchange.of(ctx).body(ctx));
                        ctx.next();
                      })
                  .handler(new ParseAndValidateHandler(LinkServer.MODEL))
                  .handler(ParseAndValidateHandlerTest::echo);
            });
  }

  /** Answers the validated request as the link left it, and its encryption context keys. */
  private static void echo(RoutingContext ctx) {
    Exchange ex = Exchange.of(ctx);
    ctx.response().end(ex.request + " " + ex.contextKeys);
  }

  @Test
  void unknownTarget_isUnknownOperationException_withoutAMessage() {
    try (LinkServer s = server()) {
      var json =
          LinkServer.assertAwsError(
              s.post("TrentService.Nope", "{}"), 400, "UnknownOperationException");

      assertFalse(json.has("message"), json.toString());
    }
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "TrentService.ListKeys | [] | Start of structure or map found where not expected.",
        "TrentService.ListKeys | null | Start of structure or map found where not expected.",
        "TrentService.ListKeys | {\"Limit\": | The request body is not valid JSON.",
        "TrentService.ListKeys | {} {} | The request body is not valid JSON.",
        "TrentService.DescribeKey | {\"KeyId\":5} | Unexpected value type for 'keyId'."
      })
  void bodyThatIsNotTheModelsJson_isSerializationException(
      String target, String body, String message) {
    try (LinkServer s = server()) {
      var json = LinkServer.assertAwsError(s.post(target, body), 400, "SerializationException");

      assertEquals(message, json.get("message").asText());
    }
  }

  @Test
  void bodyAgainstTheModelsConstraints_isValidationExceptionInAwsWording() {
    try (LinkServer s = server()) {
      var json =
          LinkServer.assertAwsError(
              s.post("TrentService.GenerateDataKey", "{\"KeyId\":\"k\",\"NumberOfBytes\":1025}"),
              400,
              "ValidationException");

      assertEquals(
          "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy"
              + " constraint: Member must have value less than or equal to 1024",
          json.get("message").asText());
    }
  }

  @Test
  void validRequestOfAnOperationNotImplemented_isUnsupportedOperationException() {
    try (LinkServer s = server()) {
      var json =
          LinkServer.assertAwsError(
              s.post(
                  "TrentService.ConnectCustomKeyStore",
                  "{\"CustomKeyStoreId\":\"cks-1234567890abcdef0\"}"),
              400,
              "UnsupportedOperationException");

      assertEquals(
          "ConnectCustomKeyStore is not supported by this service yet.",
          json.get("message").asText());
    }
  }

  @Test
  void invalidRequestOfAnOperationNotImplemented_isValidationExceptionFirst() {
    try (LinkServer s = server()) {
      LinkServer.assertAwsError(
          s.post("TrentService.ConnectCustomKeyStore", "{}"), 400, "ValidationException");
    }
  }

  @Test
  void validRequest_isPassedOnParsed_withTheSortedKeysOfItsContexts() {
    try (LinkServer s = server()) {
      HttpResponse<String> r =
          s.post(
              "TrentService.ReEncrypt",
              "{\"CiphertextBlob\":\"AAAA\",\"DestinationKeyId\":\"k\","
                  + "\"SourceEncryptionContext\":{\"b\":\"1\"},"
                  + "\"DestinationEncryptionContext\":{\"c\":\"2\",\"a\":\"3\"}}");

      assertEquals(200, r.statusCode(), r.body());
      assertTrue(r.body().startsWith("{\"CiphertextBlob\":\"AAAA\","), r.body());
      assertTrue(r.body().endsWith(" [a, b, c]"), r.body());
    }
  }

  @Test
  void emptyBody_isAnEmptyRequest() {
    try (LinkServer s = server()) {
      HttpResponse<String> r = s.post("TrentService.ListKeys", "");

      assertEquals(200, r.statusCode(), r.body());
      assertEquals("{} []", r.body());
    }
  }

  @Test
  void invalidRequest_isRecordedWithTheKeysOfItsContext() {
    try (LinkServer s = server()) {
      s.post(
          "TrentService.Encrypt",
          "{\"KeyId\":\"k\",\"Plaintext\":\"eA==\",\"EncryptionContext\":{\"z\":\"1\",\"y\":2}}");

      assertEquals(List.of("y", "z"), s.trail.only().record().encryptionContextKeys());
      assertEquals("Encrypt", s.trail.only().record().operation());
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "TrentService.Encrypt | {\"KeyId\":\"k\",\"Plaintext\":\"c2VjcmV0\"}",
        "TrentService.Encrypt | {\"KeyId\":5,\"Plaintext\":\"c2VjcmV0\"}",
        "TrentService.Nope | {\"Plaintext\":\"c2VjcmV0\"}"
      })
  void theBodyCopy_isZeroedWhateverTheOutcome(String target, String json) {
    try (LinkServer s = server()) {
      s.post(target, json);

      assertEquals(json.length(), body.get().length);
      assertArrayEquals(new byte[json.length()], body.get());
    }
  }
}
