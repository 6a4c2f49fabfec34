package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.hsmkms.testing.RawConnection;
import org.hsmkms.testing.TestServer;
import org.hsmkms.testing.TestServer.RawResponse;
import org.hsmkms.testing.TestServer.Signing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests that fail on their headers alone are answered before their body is read, with the answer
 * the full check gives, a request id and an audit record; the connection is then closed. Each test
 * declares a body of 10 MB and sends none of it: the answer must come anyway.
 */
class BeforeTheBodyIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final String DECLARED_LENGTH = "60000";

  private final TestServer server = TestServer.shared();

  @Test
  void noAuthorization_isMissingAuthenticationToken_beforeTheBody() throws Exception {
    RawConnection.Response r = headOnly("application/x-amz-json-1.1", null, null);

    assertRefused(r, "MissingAuthenticationTokenException", "Missing Authentication Token");
  }

  @Test
  void malformedAuthorization_isIncompleteSignature_beforeTheBody() throws Exception {
    RawConnection.Response r =
        headOnly("application/x-amz-json-1.1", "AWS4-HMAC-SHA256 Credential=x", now());

    assertEquals("IncompleteSignatureException", type(r));
  }

  @Test
  void unknownAccessKey_isUnrecognizedClient_beforeTheBody() throws Exception {
    String date = now();
    RawConnection.Response r =
        headOnly("application/x-amz-json-1.1", authorization("AKIDNOSUCHKEY", date), date);

    assertRefused(
        r, "UnrecognizedClientException", "The security token included in the request is invalid.");
  }

  @Test
  void dateOutsideTheSkewWindow_isSignatureExpired_beforeTheBody() throws Exception {
    String date = AMZ_DATE.format(Instant.now().minus(Duration.ofMinutes(10)));
    RawConnection.Response r =
        headOnly("application/x-amz-json-1.1", authorization(TestServer.ACCESS_KEY_ID, date), date);

    assertEquals("InvalidSignatureException", type(r));
    assertTrue(message(r).startsWith("Signature expired: " + date + " is now earlier than "));
  }

  @Test
  void wrongContentType_isUnknownOperation_beforeTheBody() throws Exception {
    String date = now();
    RawConnection.Response r =
        headOnly("application/json", authorization(TestServer.ACCESS_KEY_ID, date), date);

    assertEquals(400, r.status());
    assertEquals("UnknownOperationException", type(r));
    assertAnsweredAndClosed(r);
  }

  @Test
  void expiredDate_getsTheSameAnswerAsTheFullCheckWouldGive() {
    // The full check (a signed request with its body) and the header check word it alike.
    Instant old = Instant.now().minus(Duration.ofMinutes(10));
    RawResponse full =
        server.post(
            "TrentService.ListAliases",
            "{}",
            new Signing().clock(java.time.Clock.fixed(old, ZoneOffset.UTC)));

    assertEquals(400, full.status());
    assertTrue(full.body().contains("Signature expired: " + AMZ_DATE.format(old)), full.body());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "application/x-amz-json-1.1; charset=utf-8",
        "application/x-amz-json-1.1;charset=UTF-8",
        "Application/X-Amz-Json-1.1"
      })
  void awsJson11_withParametersOrInAnyCase_isServed(String contentType) {
    RawResponse r =
        server.post(
            "TrentService.ListAliases",
            "{}",
            new Signing().signedHeader("Content-Type", contentType));

    assertEquals(200, r.status(), r.body());
  }

  @Test
  void refusedRequest_isAudited_withItsRequestIdAndError() throws Exception {
    RawConnection.Response r = headOnly("application/x-amz-json-1.1", null, null);

    String id = r.header("x-amzn-RequestId");
    assertTrue(
        server.auditLines().stream()
            .anyMatch(l -> l.contains(id) && l.contains("MissingAuthenticationTokenException")),
        "audit record of " + id);
  }

  /** A POST whose head declares a 60,000-byte body, none of which is sent; the answer it gets. */
  private RawConnection.Response headOnly(String contentType, String authorization, String date)
      throws Exception {
    StringBuilder head =
        new StringBuilder("POST / HTTP/1.1\r\n")
            .append("Host: 127.0.0.1:")
            .append(server.endpoint().getPort())
            .append("\r\nContent-Type: ")
            .append(contentType)
            .append("\r\nX-Amz-Target: TrentService.Encrypt\r\nContent-Length: ")
            .append(DECLARED_LENGTH)
            .append("\r\n");
    if (authorization != null) {
      head.append("Authorization: ").append(authorization).append("\r\n");
    }
    if (date != null) {
      head.append("X-Amz-Date: ").append(date).append("\r\n");
    }
    head.append("\r\n");
    try (RawConnection c = RawConnection.open(server.endpoint().getPort(), 20_000)) {
      RawConnection.Response r = c.send(head.toString()).readResponse();
      assertTrue(c.closedByServer(), "the connection is closed after the refusal");
      return r;
    }
  }

  private static String now() {
    return AMZ_DATE.format(Instant.now());
  }

  private static String authorization(String accessKeyId, String amzDate) {
    return RawConnection.zeroSignature(accessKeyId, amzDate);
  }

  private static void assertRefused(RawConnection.Response r, String type, String message)
      throws Exception {
    assertEquals(400, r.status());
    assertEquals(type, type(r));
    assertEquals(message, message(r));
    assertAnsweredAndClosed(r);
  }

  private static void assertAnsweredAndClosed(RawConnection.Response r) {
    assertNotNull(r.header("x-amzn-RequestId"));
    assertEquals("close", r.header("Connection"));
  }

  private static String type(RawConnection.Response r) throws Exception {
    return json(r).get("__type").asText();
  }

  private static String message(RawConnection.Response r) throws Exception {
    return json(r).get("message").asText();
  }

  private static JsonNode json(RawConnection.Response r) throws Exception {
    return JSON.readTree(r.body());
  }
}
