package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.hsmkms.auth.CredentialsAdmin;
import org.hsmkms.testing.SuiteSecrets;
import org.hsmkms.testing.TestServer;
import org.hsmkms.testing.TestServer.RawResponse;
import org.hsmkms.testing.TestServer.Signing;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * Every request is SigV4-verified: signed requests from the SDK and from raw HTTP work; each way a
 * request can fail to prove who sent it is refused with AWS's error type, HTTP 400, a request id
 * and AWS's wording; the region of the credential scope is the region the request acts in; access
 * keys added to or removed from the credentials file take effect without a restart.
 */
class AuthenticationIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RANDOM = "TrentService.GenerateRandom";
  private static final String RANDOM_BODY = "{\"NumberOfBytes\":16}";

  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();

  // --- Signed requests work -------------------------------------------------------------------

  @Test
  void sdkClient_withTheConfiguredKey_isServed() {
    assertEquals(16, kms.generateRandom(b -> b.numberOfBytes(16)).plaintext().asByteArray().length);
  }

  @Test
  void rawRequest_signedWithTheSdkSigner_isServed() {
    RawResponse r = server.post(RANDOM, RANDOM_BODY);

    assertEquals(200, r.status(), r.body());
    assertNotNull(r.requestId());
  }

  @Test
  void signedHeaderSentAsSeveralLines_isVerifiedWithItsValuesInOrder() {
    // SigV4 joins the values of a repeated header with commas, in the order they were sent.
    RawResponse r =
        server.post(
            RANDOM,
            RANDOM_BODY,
            new Signing().signedHeaderLines("x-amz-meta-note", List.of("first", "second")));

    assertEquals(200, r.status(), r.body());
  }

  @Test
  void otherAccountsKey_isServedToo() {
    RawResponse r =
        server.post(
            RANDOM,
            RANDOM_BODY,
            new Signing().key(TestServer.OTHER_ACCESS_KEY_ID, TestServer.OTHER_SECRET_ACCESS_KEY));

    assertEquals(200, r.status(), r.body());
  }

  @Test
  void regionInCredentialScope_decidesTheRegionOfARawRequest() {
    RawResponse r = server.post("TrentService.CreateKey", "{}", Region.AP_NORTHEAST_1);

    assertEquals(200, r.status(), r.body());
    assertTrue(
        json(r)
            .get("KeyMetadata")
            .get("Arn")
            .asText()
            .startsWith("arn:aws:kms:ap-northeast-1:111122223333:key/"),
        r.body());
  }

  @Test
  void sdkClientForEuWest1_makesKeysInEuWest1() {
    KeyMetadata md = server.client(Region.EU_WEST_1).createKey(b -> {}).keyMetadata();

    assertEquals("arn:aws:kms:eu-west-1:111122223333:key/" + md.keyId(), md.arn());
  }

  // --- Refusals ---------------------------------------------------------------------------------

  @Test
  void unsignedRequest_isMissingAuthenticationToken() {
    RawResponse r = server.postUnsigned(RANDOM, RANDOM_BODY);

    assertRefused(r, "MissingAuthenticationTokenException", "Missing Authentication Token");
  }

  @Test
  void unsignedRequestForAnUnknownOperation_isStillMissingAuthenticationToken() {
    RawResponse r = server.postUnsigned("TrentService.Nope", "{}");

    assertRefused(r, "MissingAuthenticationTokenException", "Missing Authentication Token");
  }

  @Test
  void unsignedRequestWithInvalidJson_isMissingAuthenticationToken() {
    RawResponse r = server.postUnsigned(RANDOM, "{not json");

    assertRefused(r, "MissingAuthenticationTokenException", "Missing Authentication Token");
  }

  @Test
  void authorizationThatIsNoSigV4_isIncompleteSignature() {
    RawResponse r =
        server.postUnsigned(
            RANDOM, RANDOM_BODY, Map.of("Authorization", "Bearer eyJhbGciOiJub25lIn0.e30."));

    assertRefused(
        r,
        "IncompleteSignatureException",
        "Authorization header requires"
            + " 'Credential' parameter. Authorization header requires 'Signature' parameter."
            + " Authorization header requires 'SignedHeaders' parameter."
            + " Authorization=Bearer eyJhbGciOiJub25lIn0.e30.");
  }

  @Test
  void sigV4HeaderWithoutDate_isIncompleteSignature() {
    RawResponse r =
        server.postUnsigned(
            RANDOM,
            RANDOM_BODY,
            Map.of(
                "Authorization",
                "AWS4-HMAC-SHA256 Credential="
                    + TestServer.ACCESS_KEY_ID
                    + "/20250101/us-east-1/kms/"
                    + "aws4_request, SignedHeaders=host;x-amz-date, Signature="
                    + "0".repeat(64)));

    assertEquals("IncompleteSignatureException", type(r));
    assertTrue(
        message(r)
            .startsWith(
                "Authorization header requires existence of either a"
                    + " 'X-Amz-Date' or a 'Date' header."),
        message(r));
  }

  @Test
  void forgedSignature_isInvalidSignature() {
    String now =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .format(ZonedDateTime.now(ZoneOffset.UTC));
    RawResponse r =
        server.postUnsigned(
            RANDOM,
            RANDOM_BODY,
            Map.of(
                "X-Amz-Date",
                now,
                "Authorization",
                "AWS4-HMAC-SHA256 Credential="
                    + TestServer.ACCESS_KEY_ID
                    + "/"
                    + now.substring(0, 8)
                    + "/us-east-1/kms/aws4_request,"
                    + " SignedHeaders=content-type;host;x-amz-date;x-amz-target,"
                    + " Signature="
                    + "ab".repeat(32)));

    assertRefused(r, "InvalidSignatureException", SIGNATURE_MISMATCH);
  }

  @Test
  void unknownAccessKey_isUnrecognizedClient() {
    RawResponse r =
        server.post(RANDOM, RANDOM_BODY, new Signing().key("AKIDNOBODYKNOWS", "whatever-secret"));

    assertRefused(
        r, "UnrecognizedClientException", "The security token included in the request is invalid.");
  }

  @Test
  void sessionToken_isUnrecognizedClient() {
    RawResponse r =
        server.post(
            RANDOM,
            RANDOM_BODY,
            new Signing().signedHeader("X-Amz-Security-Token", "FwoGZXIvYXdzEXAMPLE"));

    assertRefused(
        r, "UnrecognizedClientException", "The security token included in the request is invalid.");
  }

  @Test
  void wrongSecret_isInvalidSignature() {
    RawResponse r =
        server.post(
            RANDOM,
            RANDOM_BODY,
            new Signing().key(TestServer.ACCESS_KEY_ID, "not-the-test-secret"));

    assertRefused(r, "InvalidSignatureException", SIGNATURE_MISMATCH);
  }

  @Test
  void tamperedBody_isInvalidSignature() {
    RawResponse r =
        server.post(RANDOM, RANDOM_BODY, new Signing().sendInstead("{\"NumberOfBytes\":17}"));

    assertRefused(r, "InvalidSignatureException", SIGNATURE_MISMATCH);
  }

  @Test
  void tamperedTarget_isInvalidSignature() {
    RawResponse r =
        server.post(
            "TrentService.ListKeys",
            "{}",
            new Signing().unsignedHeader("X-Amz-Target", "TrentService.CreateKey"));

    assertEquals(400, r.status(), r.body());
    assertTrue(type(r).equals("InvalidSignatureException"), r.body());
  }

  @Test
  void requestSignedSixMinutesAgo_isInvalidSignature_signatureExpired() {
    Clock past = Clock.fixed(Instant.now().minus(Duration.ofMinutes(6)), ZoneOffset.UTC);

    RawResponse r = server.post(RANDOM, RANDOM_BODY, new Signing().clock(past));

    assertEquals(400, r.status(), r.body());
    assertEquals("InvalidSignatureException", type(r));
    assertTrue(
        message(r)
            .matches(
                "Signature expired: \\d{8}T\\d{6}Z is now earlier than"
                    + " \\d{8}T\\d{6}Z \\(\\d{8}T\\d{6}Z - 5 min\\.\\)"),
        message(r));
  }

  @Test
  void requestSignedSixMinutesAhead_isInvalidSignature_notYetCurrent() {
    Clock future = Clock.fixed(Instant.now().plus(Duration.ofMinutes(6)), ZoneOffset.UTC);

    RawResponse r = server.post(RANDOM, RANDOM_BODY, new Signing().clock(future));

    assertEquals("InvalidSignatureException", type(r));
    assertTrue(
        message(r)
            .matches(
                "Signature not yet current: \\d{8}T\\d{6}Z is still later"
                    + " than \\d{8}T\\d{6}Z \\(\\d{8}T\\d{6}Z \\+ 5 min\\.\\)"),
        message(r));
  }

  @Test
  void requestSignedFourMinutesAgo_isServed() {
    Clock past = Clock.fixed(Instant.now().minus(Duration.ofMinutes(4)), ZoneOffset.UTC);

    assertEquals(200, server.post(RANDOM, RANDOM_BODY, new Signing().clock(past)).status());
  }

  @Test
  void requestScopedToAnotherService_isInvalidSignature() {
    RawResponse r = server.post(RANDOM, RANDOM_BODY, new Signing().service("s3"));

    assertRefused(
        r, "InvalidSignatureException", "Credential should be scoped to correct service: 'kms'. ");
  }

  @Test
  void sdkClient_withAWrongSecret_getsInvalidSignatureException() {
    KmsClient wrong = server.client(Region.US_EAST_1, TestServer.ACCESS_KEY_ID, "wrong-secret");

    KmsException e = assertThrows(KmsException.class, wrong::listKeys);

    assertEquals(400, e.statusCode());
    assertEquals("InvalidSignatureException", e.awsErrorDetails().errorCode());
    assertEquals(SIGNATURE_MISMATCH, e.awsErrorDetails().errorMessage());
  }

  @Test
  void sdkClient_withAnUnknownKey_getsUnrecognizedClientException() {
    KmsClient unknown = server.client(Region.US_EAST_1, "AKIDUNKNOWNKEY", "some-secret-key");

    KmsException e = assertThrows(KmsException.class, unknown::listKeys);

    assertEquals(400, e.statusCode());
    assertEquals("UnrecognizedClientException", e.awsErrorDetails().errorCode());
  }

  // --- Reload without restart -----------------------------------------------------------------

  @Test
  void accessKeyAddedToTheRunningServersFile_isAccepted_andRefusedOnceRemoved() {
    String id = "AKIARELOADTEST0001";
    String secret = "reload-test-secret-key-0001";
    SuiteSecrets.secret(secret);
    try (TestServer own = TestServer.start(TestServer.newDataDir())) {
      Signing signing = new Signing().key(id, secret);
      assertEquals("UnrecognizedClientException", type(own.post(RANDOM, RANDOM_BODY, signing)));

      TestServer.withHsm(
          hsm ->
              new CredentialsAdmin(own.credentialsFile(), hsm.serviceKeys(), hsm.random())
                  .put(
                      id,
                      "777788889999",
                      "arn:aws:iam::777788889999:user/reloaded",
                      secret.getBytes(StandardCharsets.UTF_8),
                      CredentialsAdmin.ADMIN_POLICY));
      awaitTrue(() -> own.post(RANDOM, RANDOM_BODY, signing).status() == 200);
      KeyMetadata md = own.client(Region.US_EAST_1, id, secret).createKey(b -> {}).keyMetadata();
      assertEquals("777788889999", md.awsAccountId());

      TestServer.withHsm(
          hsm ->
              new CredentialsAdmin(own.credentialsFile(), hsm.serviceKeys(), hsm.random())
                  .remove(id));
      awaitTrue(
          () -> "UnrecognizedClientException".equals(type(own.post(RANDOM, RANDOM_BODY, signing))));
    }
  }

  static final String SIGNATURE_MISMATCH =
      "The request signature we calculated does not match"
          + " the signature you provided. Check your AWS Secret Access Key and signing method."
          + " Consult the service documentation for details.";

  private static void awaitTrue(BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 15 s");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static void assertRefused(RawResponse r, String type, String message) {
    assertEquals(400, r.status(), r.body());
    assertEquals(TestServer.JSON_11, r.contentType());
    assertNotNull(r.requestId(), "x-amzn-RequestId");
    assertEquals(type, type(r), r.body());
    assertEquals(message, message(r));
  }

  private static String type(RawResponse r) {
    JsonNode t = json(r).get("__type");
    return t == null ? null : t.asText();
  }

  private static String message(RawResponse r) {
    JsonNode m = json(r).get("message");
    return m == null ? null : m.asText();
  }

  private static JsonNode json(RawResponse r) {
    try {
      return JSON.readTree(r.body());
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + r.body(), e);
    }
  }
}
