package org.hsmkms.it;

import static org.hsmkms.it.KmsTesting.assertAwsError;
import static org.hsmkms.it.KmsTesting.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.hsmkms.testing.TestServer;
import org.hsmkms.testing.TestServer.RawResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/** The AWS JSON 1.1 protocol as the service speaks it: targets, bodies, errors and headers. */
class WireProtocolIT {
  private static final String JSON_11 = "application/x-amz-json-1.1";
  private static final String MISSING_KEY = "00000000-0000-4000-8000-000000000000";

  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();

  // --- Targets -----------------------------------------------------------------------------------

  @Test
  void unknownTarget_isUnknownOperationException() {
    assertError(server.post("TrentService.Nope", "{}"), 400, "UnknownOperationException");
  }

  @Test
  void missingTarget_isUnknownOperationException() {
    assertError(server.post(null, "{}"), 400, "UnknownOperationException");
  }

  @Test
  void targetOfAnotherService_isUnknownOperationException() {
    assertError(
        server.post("DynamoDB_20120810.ListTables", "{}"), 400, "UnknownOperationException");
  }

  @Test
  void operationOfTheModelNotImplementedYet_isUnsupportedOperationException() {
    RawResponse r =
        server.post(
            "TrentService.ConnectCustomKeyStore",
            "{\"CustomKeyStoreId\":\"cks-1234567890abcdef0\"}");

    assertError(r, 400, "UnsupportedOperationException");
  }

  // --- Bodies ------------------------------------------------------------------------------------

  static Stream<Arguments> unreadableBodies() {
    return Stream.of(
        Arguments.of("ListKeys", "{\"Limit\":"),
        Arguments.of("ListKeys", "not json"),
        Arguments.of("ListKeys", "[]"),
        Arguments.of("ListKeys", "\"text\""),
        Arguments.of("ListKeys", "null"),
        Arguments.of("ListKeys", "{} {}"),
        Arguments.of("DescribeKey", "{\"KeyId\":\"a\",\"KeyId\":\"b\"}"),
        Arguments.of("DescribeKey", "{\"KeyId\":5}"),
        Arguments.of("DescribeKey", "{\"KeyId\":{\"a\":1}}"),
        Arguments.of("DescribeKey", "{\"KeyId\":[\"x\"]}"),
        Arguments.of("GenerateRandom", "{\"NumberOfBytes\":\"x\"}"),
        Arguments.of("GenerateRandom", "{\"NumberOfBytes\":1.5}"),
        Arguments.of("GenerateRandom", "{\"NumberOfBytes\":99999999999999999999}"),
        Arguments.of("Encrypt", "{\"KeyId\":\"k\",\"Plaintext\":5}"),
        Arguments.of(
            "Encrypt", "{\"KeyId\":\"k\",\"Plaintext\":\"eA==\"," + "\"EncryptionContext\":\"x\"}"),
        Arguments.of(
            "Encrypt",
            "{\"KeyId\":\"k\",\"Plaintext\":\"eA==\"," + "\"EncryptionContext\":{\"a\":1}}"),
        Arguments.of("Encrypt", "{\"KeyId\":\"k\",\"Plaintext\":\"eA==\",\"DryRun\":\"yes\"}"),
        Arguments.of("TagResource", "{\"KeyId\":\"k\",\"Tags\":{}}"),
        Arguments.of("TagResource", "{\"KeyId\":\"k\",\"Tags\":[\"x\"]}"),
        Arguments.of("Decrypt", "{\"CiphertextBlob\":\"not*base64!\"}"),
        Arguments.of("ListKeys", "{\"a\":" + "[".repeat(200) + "]".repeat(200) + "}"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("unreadableBodies")
  void malformedJsonOrWrongType_isSerializationException(String operation, String body) {
    assertError(server.post("TrentService." + operation, body), 400, "SerializationException");
  }

  @Test
  void missingRequiredField_isValidationExceptionInAwsWording() {
    RawResponse r = server.post("TrentService.DescribeKey", "{}");

    assertError(r, 400, "ValidationException");
    assertEquals(
        "1 validation error detected: Value null at 'keyId' failed to satisfy"
            + " constraint: Member must not be null",
        parse(r.body()).get("message").asText());
  }

  @Test
  void missingRequiredField_viaSdk_isValidationExceptionInAwsWording() {
    var e = assertAwsError("ValidationException", () -> kms.describeKey(b -> {}));

    assertEquals(
        "1 validation error detected: Value null at 'keyId' failed to satisfy"
            + " constraint: Member must not be null",
        e.awsErrorDetails().errorMessage());
  }

  @Test
  void twoErrorsAtOnce_areBothReported() {
    RawResponse r =
        server.post("TrentService.GenerateDataKey", "{\"KeyId\":\"\",\"NumberOfBytes\":2000}");

    assertError(r, 400, "ValidationException");
    String message = parse(r.body()).get("message").asText();
    assertTrue(message.startsWith("2 validation errors detected: "), message);
    assertTrue(
        message.contains(
            "Value '' at 'keyId' failed to satisfy constraint: Member must"
                + " have length greater than or equal to 1"),
        message);
    assertTrue(
        message.contains(
            "Value '2000' at 'numberOfBytes' failed to satisfy constraint:"
                + " Member must have value less than or equal to 1024"),
        message);
  }

  @Test
  void twoMissingRequiredFields_areBothReported() {
    RawResponse r = server.post("TrentService.CreateAlias", "{}");

    assertError(r, 400, "ValidationException");
    String message = parse(r.body()).get("message").asText();
    assertTrue(message.startsWith("2 validation errors detected: "), message);
    assertTrue(
        message.contains(
            "Value null at 'aliasName' failed to satisfy constraint: Member" + " must not be null"),
        message);
    assertTrue(
        message.contains(
            "Value null at 'targetKeyId' failed to satisfy constraint: Member"
                + " must not be null"),
        message);
  }

  @Test
  void invalidEnumValue_isValidationExceptionListingTheEnum() {
    RawResponse r =
        server.post(
            "TrentService.GenerateDataKey",
            "{\"KeyId\":\"" + MISSING_KEY + "\",\"KeySpec\":\"AES_512\"}");

    assertError(r, 400, "ValidationException");
    assertEquals(
        "1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy"
            + " constraint: Member must satisfy enum value set: [AES_256, AES_128]",
        parse(r.body()).get("message").asText());
  }

  @Test
  void invalidEnumValue_viaSdk_isValidationException() {
    var e =
        assertAwsError(
            "ValidationException", () -> kms.createKey(b -> b.keyUsage("ENCRYPT_EVERYTHING")));

    String message = e.awsErrorDetails().errorMessage();
    assertTrue(
        message.startsWith(
            "1 validation error detected: Value 'ENCRYPT_EVERYTHING' at"
                + " 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: ["),
        message);
  }

  @Test
  void sensitiveValue_isNeverEchoedInValidationMessage() {
    // 4097 bytes of 'A' (base64 "QUFB...") must not be echoed back.
    String plaintext =
        Base64.getEncoder().encodeToString("A".repeat(4097).getBytes(StandardCharsets.US_ASCII));

    RawResponse r =
        server.post(
            "TrentService.Encrypt",
            "{\"KeyId\":\"" + MISSING_KEY + "\",\"Plaintext\":\"" + plaintext + "\"}");

    assertError(r, 400, "ValidationException");
    assertFalse(r.body().contains("QUFB"), r.body());
  }

  @Test
  void bodyOver64KiB_is413WithAwsShapedError() {
    String body = "{\"KeyId\":\"" + "a".repeat(70 * 1024) + "\"}";

    RawResponse r = server.post("TrentService.DescribeKey", body);

    assertEquals(413, r.status(), r.body());
    assertNotNull(r.requestId());
    assertEquals(JSON_11, r.contentType());
    JsonNode json = parse(r.body());
    assertTrue(json.get("__type").isTextual() && !json.get("__type").asText().isEmpty(), r.body());
  }

  // --- Headers and error bodies on every response ------------------------------------------------

  static Stream<Arguments> everyKindOfResponse() {
    return Stream.of(
        Arguments.of("TrentService.GenerateRandom", "{\"NumberOfBytes\":8}", 200),
        Arguments.of("TrentService.ListKeys", "{}", 200),
        Arguments.of("TrentService.Nope", "{}", 400),
        Arguments.of(null, "{}", 400),
        Arguments.of("TrentService.ListKeys", "{\"Limit\":", 400),
        Arguments.of("TrentService.DescribeKey", "{\"KeyId\":5}", 400),
        Arguments.of("TrentService.DescribeKey", "{}", 400),
        Arguments.of("TrentService.DescribeKey", "{\"KeyId\":\"" + MISSING_KEY + "\"}", 400),
        Arguments.of(
            "TrentService.DescribeKey", "{\"KeyId\":\"alias/it-none-" + MISSING_KEY + "\"}", 400),
        Arguments.of("TrentService.ListKeys", "{\"Marker\":\"bogus\"}", 400),
        Arguments.of("TrentService.Decrypt", "{\"CiphertextBlob\":\"AAAA\"}", 400),
        Arguments.of(
            "TrentService.GenerateDataKey", "{\"KeyId\":\"x\",\"NumberOfBytes\":1025}", 400),
        Arguments.of("TrentService.GetKeyPolicy", "{\"KeyId\":\"" + MISSING_KEY + "\"}", 400),
        Arguments.of(
            "TrentService.CreateAlias",
            "{\"AliasName\":\"alias/aws/x\",\"TargetKeyId\":\"" + MISSING_KEY + "\"}",
            400),
        Arguments.of(
            "TrentService.DescribeKey", "{\"KeyId\":\"" + "a".repeat(70 * 1024) + "\"}", 413));
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("everyKindOfResponse")
  void everyResponse_hasRequestIdJsonContentTypeAndNoInternals(
      String target, String body, int status) {
    RawResponse r = server.post(target, body);

    assertEquals(status, r.status(), r.body());
    assertNotNull(r.requestId(), "x-amzn-RequestId");
    assertFalse(r.requestId().isBlank());
    assertEquals(JSON_11, r.contentType());
    JsonNode json = parse(r.body());
    if (status != 200) {
      assertTrue(json.hasNonNull("__type"), r.body());
      assertNoInternals(r.body());
    }
  }

  @Test
  void getOnRoot_isAnAwsShapedErrorWithRequestId() {
    RawResponse r =
        server.send(
            HttpRequest.newBuilder(server.endpoint().resolve("/"))
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build());

    assertTrue(r.status() >= 400, "status " + r.status());
    assertNotNull(r.requestId());
    assertEquals(JSON_11, r.contentType());
    assertTrue(parse(r.body()).hasNonNull("__type"), r.body());
    assertNoInternals(r.body());
  }

  @Test
  void requestIds_areUniquePerResponse() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      ids.add(server.post("TrentService.GenerateRandom", "{\"NumberOfBytes\":1}").requestId());
      ids.add(server.post("TrentService.Nope", "{}").requestId());
    }
    assertEquals(20, ids.size());
  }

  @Test
  void sdkError_carriesTheRequestIdHeader() {
    NotFoundException e =
        assertThrows(NotFoundException.class, () -> kms.describeKey(b -> b.keyId(MISSING_KEY)));

    assertNotNull(e.requestId());
    assertFalse(e.requestId().isBlank());
  }

  // --- Region from the SigV4 credential scope ----------------------------------------------------

  @Test
  void sdkClientForEuWest1_makesKeysWithEuWest1Arns() {
    KmsClient eu = server.client(Region.EU_WEST_1);

    KeyMetadata md = eu.createKey(b -> {}).keyMetadata();

    assertEquals("arn:aws:kms:eu-west-1:111122223333:key/" + md.keyId(), md.arn());
    assertEquals(md.arn(), eu.describeKey(b -> b.keyId(md.keyId())).keyMetadata().arn());
    assertThrows(NotFoundException.class, () -> kms.describeKey(b -> b.keyId(md.keyId())));
  }

  @Test
  void regionInCredentialScope_decidesTheRegionOfARawRequest() {
    // Signed for ap-northeast-1: the credential scope, not the endpoint, picks the region.
    RawResponse r = server.post("TrentService.CreateKey", "{}", Region.AP_NORTHEAST_1);

    assertEquals(200, r.status(), r.body());
    assertTrue(
        parse(r.body())
            .get("KeyMetadata")
            .get("Arn")
            .asText()
            .startsWith("arn:aws:kms:ap-northeast-1:111122223333:key/"),
        r.body());
  }

  private static void assertError(RawResponse r, int status, String type) {
    assertEquals(status, r.status(), r.body());
    assertNotNull(r.requestId(), "x-amzn-RequestId");
    assertEquals(JSON_11, r.contentType());
    JsonNode json = parse(r.body());
    assertEquals(type, json.path("__type").asText(), r.body());
    assertNoInternals(r.body());
  }

  private static void assertNoInternals(String body) {
    for (String leak :
        new String[] {"Exception:", "at org.", "at io.", "java.", "jackson", "vertx", "\tat "}) {
      assertFalse(body.contains(leak), () -> "error body leaks internals (" + leak + "): " + body);
    }
  }
}
