package org.hsmkms.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.hsmkms.auth.AuthenticationException;
import org.hsmkms.auth.Authenticator;
import org.hsmkms.auth.Caller;
import org.hsmkms.auth.SignedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuthenticationHandlerTest {
  private static final Caller CALLER =
      new Caller("111122223333", "eu-west-1", "arn:aws:iam::111122223333:user/a", "AKIDA");

  private static LinkServer server(Authenticator authenticator) {
    return new LinkServer()
        .start(
            r ->
                r.post("/")
                    .handler(BodyHandler.create(false))
                    .handler(new AuthenticationHandler(authenticator))
                    .handler(AuthenticationHandlerTest::echo));
  }

  /** Answers who the authentication link says sent the request, and in which context. */
  private static void echo(RoutingContext ctx) {
    Exchange ex = Exchange.of(ctx);
    ctx.response()
        .end(
            String.join(
                ",",
                ex.caller.accessKeyId(),
                ex.rc.account(),
                ex.rc.region(),
                ex.rc.principal(),
                ex.rc.requestId()));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "MISSING_AUTHENTICATION_TOKEN, MissingAuthenticationTokenException",
    "INCOMPLETE_SIGNATURE, IncompleteSignatureException",
    "UNRECOGNIZED_CLIENT, UnrecognizedClientException",
    "INVALID_SIGNATURE, InvalidSignatureException"
  })
  void eachRefusal_isItsAwsErrorType_with400_andTheAuthenticatorsMessage(
      AuthenticationException.Kind kind, String awsType) {
    String message = "AWS's words for " + kind;
    try (LinkServer s =
        server(
            request -> {
              throw new AuthenticationException(kind, message);
            })) {
      HttpResponse<String> r = s.post("TrentService.ListKeys", "{}");

      var json = LinkServer.assertAwsError(r, 400, awsType);
      assertEquals(message, json.get("message").asText());
      RecordingTrail.Written w = s.trail.only();
      assertEquals(awsType, w.record().errorCode());
      assertNull(w.record().principal(), "no principal for a refused caller");
      assertTrue(w.thread().startsWith("hsm-kms-audit"), w.thread());
    }
  }

  @Test
  void authenticatedCaller_becomesTheRequestContext() {
    try (LinkServer s = server(request -> CALLER)) {
      HttpResponse<String> r = s.post("TrentService.ListKeys", "{}");

      assertEquals(200, r.statusCode(), r.body());
      assertEquals(
          "AKIDA,111122223333,eu-west-1,arn:aws:iam::111122223333:user/a,"
              + LinkServer.requestId(r),
          r.body());
    }
  }

  @Test
  void theAuthenticator_seesTheRequestAsSent() {
    AtomicReference<SignedRequest> seen = new AtomicReference<>();
    AtomicReference<byte[]> body = new AtomicReference<>();
    try (LinkServer s =
        server(
            request -> {
              seen.set(request);
              body.set(request.body().clone());
              return CALLER;
            })) {
      s.post("TrentService.ListKeys", "{\"Limit\":5}");

      SignedRequest request = seen.get();
      assertEquals("POST", request.method());
      assertEquals("/", request.path());
      assertEquals(List.of("TrentService.ListKeys"), request.headers().get("x-amz-target"));
      assertArrayEquals("{\"Limit\":5}".getBytes(StandardCharsets.UTF_8), body.get());
    }
  }

  @Test
  void refusedRequest_hasItsBodyCopyZeroed() {
    AtomicReference<byte[]> body = new AtomicReference<>();
    try (LinkServer s =
        server(
            request -> {
              body.set(request.body());
              throw new AuthenticationException(
                  AuthenticationException.Kind.INVALID_SIGNATURE, "no");
            })) {
      s.post("TrentService.Encrypt", "{\"Plaintext\":\"c2VjcmV0\"}");

      assertEquals(24, body.get().length);
      assertArrayEquals(new byte[24], body.get());
    }
  }
}
