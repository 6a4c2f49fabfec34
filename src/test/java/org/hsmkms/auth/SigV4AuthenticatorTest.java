package org.hsmkms.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.hsmkms.auth.AuthenticationException.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * The verifier against the AWS SDK for Java v2's own signer ({@link AwsV4HttpSigner}): what the SDK
 * signs verifies, and each way a request can be wrong is refused with AWS's error type and wording.
 */
class SigV4AuthenticatorTest {
  private static final String AKID = "AKIDUNITTEST";
  private static final String SECRET = "unit-test-secret/with+odd=chars";
  private static final String ACCOUNT = "123456789012";
  private static final String PRINCIPAL = "arn:aws:iam::123456789012:user/unit";
  private static final Instant NOW = Instant.parse("2025-03-04T05:06:07Z");
  private static final String BODY = "{\"KeyId\":\"alias/x\",\"Plaintext\":\"aGVsbG8=\"}";

  private final Credential credential =
      new Credential(AKID, ACCOUNT, PRINCIPAL, SECRET.getBytes(StandardCharsets.UTF_8));
  private final SigV4Authenticator auth =
      new SigV4Authenticator(
          "kms", id -> id.equals(AKID) ? credential : null, Clock.fixed(NOW, ZoneOffset.UTC));

  // --- What the SDK signs verifies
  // ----------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"/", "/a/b", "/a%20b/c", "/%E1%88%B4/x", "/a/./b/../c/", "/a+b/%2F"})
  void sdkSignedRequest_verifies_whateverThePath(String path) {
    SignedRequest r = sdkSigned(b -> b.encodedPath(path), "eu-central-1", NOW, SECRET);

    Caller c = auth.authenticate(r);

    assertEquals(new Caller(ACCOUNT, "eu-central-1", PRINCIPAL, AKID), c);
  }

  @Test
  void sdkSignedRequest_withQueryParameters_verifies() {
    SignedRequest r =
        sdkSigned(
            b ->
                b.putRawQueryParameter("b", List.of("2 3", "1"))
                    .putRawQueryParameter("a", "x/y+z")
                    .putRawQueryParameter("empty", ""),
            "us-east-1",
            NOW,
            SECRET);

    assertEquals(AKID, auth.authenticate(r).accessKeyId());
  }

  @Test
  void sdkSignedRequest_withExtraHeaders_verifies() {
    SignedRequest r =
        sdkSigned(
            b ->
                b.putHeader("X-Amz-Meta", List.of("a   b", " c "))
                    .putHeader("User-Agent", "test/1.0"),
            "us-east-1",
            NOW,
            SECRET);

    assertEquals(AKID, auth.authenticate(r).accessKeyId());
  }

  @Test
  void requestTime_fourMinutesOffEitherWay_isAccepted() {
    Caller expected = new Caller(ACCOUNT, "us-east-1", PRINCIPAL, AKID);

    assertEquals(
        expected,
        auth.authenticate(
            sdkSigned(b -> {}, "us-east-1", NOW.minus(Duration.ofMinutes(4)), SECRET)));
    assertEquals(
        expected,
        auth.authenticate(
            sdkSigned(b -> {}, "us-east-1", NOW.plus(Duration.ofMinutes(4)), SECRET)));
  }

  @Test
  void regionOfTheCredentialScope_isTheRegionOfTheCaller() {
    assertEquals(
        "ap-southeast-2",
        auth.authenticate(sdkSigned(b -> {}, "ap-southeast-2", NOW, SECRET)).region());
  }

  @Test
  void signingKey_isDerivedOncePerDayRegionAndService() {
    byte[] a = credential.signingKey("20250304", "us-east-1", "kms");
    byte[] b = credential.signingKey("20250304", "us-east-1", "kms");
    byte[] c = credential.signingKey("20250305", "us-east-1", "kms");

    assertSame(a, b);
    assertNotSame(a, c);
    assertArrayEquals(
        SigV4.signingKey(
            ("AWS4" + SECRET).getBytes(StandardCharsets.UTF_8), "20250305", "us-east-1", "kms"),
        c);
  }

  @Test
  void credential_toString_hidesTheSecret() {
    assertTrue(!credential.toString().contains(SECRET));
    assertTrue(credential.toString().contains("REDACTED"));
  }

  // --- Refusals
  // -----------------------------------------------------------------------------------

  @Test
  void noAuthorizationHeader_isMissingAuthenticationToken() {
    SignedRequest r = without(sdkSigned(b -> {}, "us-east-1", NOW, SECRET), "authorization");

    assertRefused(r, Kind.MISSING_AUTHENTICATION_TOKEN, "Missing Authentication Token");
  }

  @Test
  void authorizationWithoutParameters_isIncompleteSignatureNamingAllThree() {
    SignedRequest r =
        with(sdkSigned(b -> {}, "us-east-1", NOW, SECRET), "authorization", "Bearer abc.def");

    assertRefused(
        r,
        Kind.INCOMPLETE_SIGNATURE,
        "Authorization header requires"
            + " 'Credential' parameter. Authorization header requires 'Signature' parameter."
            + " Authorization header requires 'SignedHeaders' parameter. Authorization=Bearer abc.def");
  }

  @Test
  void authorizationWithoutSignature_isIncompleteSignature() {
    SignedRequest r =
        with(
            sdkSigned(b -> {}, "us-east-1", NOW, SECRET),
            "authorization",
            "AWS4-HMAC-SHA256 Credential="
                + AKID
                + "/20250304/us-east-1/kms/aws4_request,"
                + " SignedHeaders=host;x-amz-date");

    AuthenticationException e = refused(r, Kind.INCOMPLETE_SIGNATURE);
    assertTrue(
        e.getMessage()
            .startsWith("Authorization header requires 'Signature' parameter. Authorization="),
        e.getMessage());
  }

  @Test
  void parameterWithoutEqualSign_isIncompleteSignature() {
    String header =
        "AWS4-HMAC-SHA256 Credential= "
            + AKID
            + " /20250304/us-east-1/kms/aws4_request,"
            + " SignedHeaders=host;x-amz-date, Signature=abc";
    SignedRequest r = with(sdkSigned(b -> {}, "us-east-1", NOW, SECRET), "authorization", header);

    AuthenticationException e = refused(r, Kind.INCOMPLETE_SIGNATURE);
    assertTrue(
        e.getMessage()
            .contains(
                "not a valid key=value pair (missing equal-sign) in" + " Authorization header"),
        e.getMessage());
  }

  @Test
  void malformedCredential_isIncompleteSignature() {
    SignedRequest signed = sdkSigned(b -> {}, "us-east-1", NOW, SECRET);
    SignedRequest r =
        with(
            signed,
            "authorization",
            signed
                .header("authorization")
                .replace("/20250304/us-east-1/kms/aws4_request", "/20250304/us-east-1"));

    refused(r, Kind.INCOMPLETE_SIGNATURE);
  }

  @Test
  void twoAuthorizationHeaders_areIncompleteSignature() {
    SignedRequest signed = sdkSigned(b -> {}, "us-east-1", NOW, SECRET);
    Map<String, List<String>> h = new LinkedHashMap<>(signed.headers());
    h.put("authorization", List.of(signed.header("authorization"), signed.header("authorization")));

    refused(
        new SignedRequest(signed.method(), signed.path(), signed.rawQuery(), h, signed.body()),
        Kind.INCOMPLETE_SIGNATURE);
  }

  @Test
  void noDateHeader_isIncompleteSignature() {
    SignedRequest r = without(sdkSigned(b -> {}, "us-east-1", NOW, SECRET), "x-amz-date");

    AuthenticationException e = refused(r, Kind.INCOMPLETE_SIGNATURE);
    assertTrue(
        e.getMessage()
            .startsWith(
                "Authorization header requires existence of either a"
                    + " 'X-Amz-Date' or a 'Date' header."),
        e.getMessage());
  }

  @Test
  void malformedDate_isIncompleteSignature() {
    SignedRequest r =
        with(sdkSigned(b -> {}, "us-east-1", NOW, SECRET), "x-amz-date", "2025-03-04T05:06:07Z");

    assertRefused(
        r,
        Kind.INCOMPLETE_SIGNATURE,
        "Date must be in ISO-8601 'basic format'."
            + " Got '2025-03-04T05:06:07Z'. See http://en.wikipedia.org/wiki/ISO_8601");
  }

  @Test
  void unknownAccessKey_isUnrecognizedClient() {
    SignedRequest r = sdkSigned(b -> {}, "us-east-1", NOW, SECRET, "AKIDNOBODY");

    assertRefused(
        r, Kind.UNRECOGNIZED_CLIENT, "The security token included in the request is invalid.");
  }

  @Test
  void headerCheck_passesASignedRequestWithoutItsBody_andTheBodyThenVerifies() {
    SignedRequest r = sdkSigned(b -> {}, "us-east-1", NOW, SECRET);

    HeaderCheck checked = auth.checkHeaders(withoutBody(r));

    assertEquals(AKID, auth.authenticate(r, checked).accessKeyId());
  }

  @Test
  void keyRemovedBetweenTheHeadersAndTheBody_isUnrecognizedClient() {
    Map<String, Credential> keys = new java.util.HashMap<>(Map.of(AKID, credential));
    SigV4Authenticator revocable =
        new SigV4Authenticator("kms", keys::get, Clock.fixed(NOW, ZoneOffset.UTC));
    SignedRequest r = sdkSigned(b -> {}, "us-east-1", NOW, SECRET);
    HeaderCheck checked = revocable.checkHeaders(withoutBody(r));

    keys.remove(AKID);

    AuthenticationException e =
        assertThrows(AuthenticationException.class, () -> revocable.authenticate(r, checked));
    assertEquals(Kind.UNRECOGNIZED_CLIENT, e.kind());
  }

  @Test
  void sessionToken_isUnrecognizedClient() {
    SignedRequest r =
        sdkSigned(
            b -> b.putHeader("X-Amz-Security-Token", "FwoGZXIvYXdzE"), "us-east-1", NOW, SECRET);

    assertRefused(
        r, Kind.UNRECOGNIZED_CLIENT, "The security token included in the request is invalid.");
  }

  @Test
  void wrongSecret_isInvalidSignatureWithAwsWording() {
    SignedRequest r = sdkSigned(b -> {}, "us-east-1", NOW, "not-the-secret");

    assertRefused(
        r,
        Kind.INVALID_SIGNATURE,
        "The request signature we calculated does not"
            + " match the signature you provided. Check your AWS Secret Access Key and signing"
            + " method. Consult the service documentation for details.");
  }

  @Test
  void tamperedBody_isInvalidSignature() {
    SignedRequest signed = sdkSigned(b -> {}, "us-east-1", NOW, SECRET);
    byte[] tampered = BODY.replace("alias/x", "alias/y").getBytes(StandardCharsets.UTF_8);

    assertRefused(
        new SignedRequest(
            signed.method(), signed.path(), signed.rawQuery(), signed.headers(), tampered),
        Kind.INVALID_SIGNATURE,
        SigV4Authenticator.SIGNATURE_MISMATCH);
  }

  @Test
  void tamperedBody_withoutContentSha256Header_isInvalidSignature() {
    SignedRequest signed = sdkSigned(b -> {}, "us-east-1", NOW, SECRET);
    String header = signed.header("authorization").replace(";x-amz-content-sha256", "");
    SignedRequest r = without(with(signed, "authorization", header), "x-amz-content-sha256");
    byte[] tampered = BODY.replace("alias/x", "alias/y").getBytes(StandardCharsets.UTF_8);

    assertRefused(
        new SignedRequest(r.method(), r.path(), r.rawQuery(), r.headers(), tampered),
        Kind.INVALID_SIGNATURE,
        SigV4Authenticator.SIGNATURE_MISMATCH);
  }

  @Test
  void tamperedSignedHeader_isInvalidSignature() {
    SignedRequest r =
        with(sdkSigned(b -> {}, "us-east-1", NOW, SECRET), "x-amz-target", "TrentService.Decrypt");

    assertRefused(r, Kind.INVALID_SIGNATURE, SigV4Authenticator.SIGNATURE_MISMATCH);
  }

  @Test
  void contentSha256NotMatchingTheBody_isInvalidSignature() {
    SignedRequest r =
        with(sdkSigned(b -> {}, "us-east-1", NOW, SECRET), "x-amz-content-sha256", "0".repeat(64));

    assertRefused(r, Kind.INVALID_SIGNATURE, SigV4Authenticator.SIGNATURE_MISMATCH);
  }

  @Test
  void sdkSignedRequest_carriesAContentSha256HeaderThatMatchesTheBody() {
    SignedRequest r = sdkSigned(b -> {}, "us-east-1", NOW, SECRET);

    assertEquals(
        SigV4.hex(SigV4.sha256(BODY.getBytes(StandardCharsets.UTF_8))),
        r.header("x-amz-content-sha256"));
    assertEquals(AKID, auth.authenticate(r).accessKeyId());
  }

  @Test
  void expiredRequest_isInvalidSignatureWithAwsWording() {
    SignedRequest r = sdkSigned(b -> {}, "us-east-1", NOW.minus(Duration.ofMinutes(6)), SECRET);

    assertRefused(
        r,
        Kind.INVALID_SIGNATURE,
        "Signature expired: 20250304T050007Z is now"
            + " earlier than 20250304T050107Z (20250304T050607Z - 5 min.)");
  }

  @Test
  void requestFromTheFuture_isInvalidSignatureWithAwsWording() {
    SignedRequest r = sdkSigned(b -> {}, "us-east-1", NOW.plus(Duration.ofMinutes(6)), SECRET);

    assertRefused(
        r,
        Kind.INVALID_SIGNATURE,
        "Signature not yet current: 20250304T051207Z"
            + " is still later than 20250304T051107Z (20250304T050607Z + 5 min.)");
  }

  @Test
  void scopeDateOtherThanRequestDate_isInvalidSignature() {
    SignedRequest signed = sdkSigned(b -> {}, "us-east-1", NOW, SECRET);
    SignedRequest r =
        with(
            signed,
            "authorization",
            signed.header("authorization").replace("/20250304/", "/20250303/"));

    assertRefused(
        r,
        Kind.INVALID_SIGNATURE,
        "Date in Credential scope does not match"
            + " YYYYMMDD from ISO-8601 version of date from HTTP: '20250303' != '20250304', from"
            + " '20250304T050607Z'.");
  }

  @Test
  void scopeForAnotherService_isInvalidSignature() {
    SignedRequest r = sdkSigned(b -> {}, "us-east-1", NOW, SECRET, AKID, "dynamodb");

    assertRefused(
        r, Kind.INVALID_SIGNATURE, "Credential should be scoped to correct service: 'kms'. ");
  }

  @Test
  void scopeWithAnInvalidRegion_isInvalidSignature() {
    SignedRequest r = sdkSigned(b -> {}, "Not_A_Region", NOW, SECRET);

    assertRefused(
        r,
        Kind.INVALID_SIGNATURE,
        "Credential should be scoped to a valid region, not 'Not_A_Region'. ");
  }

  @Test
  void signedHeadersWithTrailingSemicolons_areReadWithoutThem() {
    // As String.split(";") read them: trailing empty names are dropped, the signature still holds.
    SignedRequest signed = sdkSigned(b -> {}, "us-east-1", NOW, SECRET);
    String header = signed.header("authorization");
    int at = header.indexOf(", Signature=");
    SignedRequest r =
        with(signed, "authorization", header.substring(0, at) + ";;" + header.substring(at));

    assertEquals(AKID, auth.authenticate(r).accessKeyId());
  }

  @Test
  void emptyNameInSignedHeaders_isIncompleteSignature() {
    SignedRequest signed = sdkSigned(b -> {}, "us-east-1", NOW, SECRET);
    String header = signed.header("authorization").replace("SignedHeaders=", "SignedHeaders=;");

    assertRefused(
        with(signed, "authorization", header),
        Kind.INCOMPLETE_SIGNATURE,
        "Invalid SignedHeaders in Authorization header: '" + header + "'.");
  }

  @Test
  void repeatedParameter_theFirstCounts() {
    SignedRequest signed = sdkSigned(b -> {}, "us-east-1", NOW, SECRET);
    String header = signed.header("authorization");
    String wrong = "Signature=" + "0".repeat(64);

    assertEquals(
        AKID,
        auth.authenticate(with(signed, "authorization", header + ", " + wrong)).accessKeyId());
    String wrongFirst = header.replace("Signature=", wrong + ", Signature=");
    refused(with(signed, "authorization", wrongFirst), Kind.INVALID_SIGNATURE);
  }

  @Test
  void hostNotSigned_isIncompleteSignature() {
    SignedRequest signed = sdkSigned(b -> {}, "us-east-1", NOW, SECRET);
    SignedRequest r =
        with(
            signed,
            "authorization",
            signed
                .header("authorization")
                .replace("SignedHeaders=content-type;host;", "SignedHeaders=content-type;"));

    assertRefused(
        r,
        Kind.INCOMPLETE_SIGNATURE,
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }

  @Test
  void amzTargetNotSigned_isIncompleteSignature() {
    SignedRequest signed = sdkSigned(b -> {}, "us-east-1", NOW, SECRET);
    SignedRequest r =
        with(signed, "authorization", signed.header("authorization").replace(";x-amz-target", ""));

    assertRefused(
        r,
        Kind.INCOMPLETE_SIGNATURE,
        "'x-amz-target' must be a 'SignedHeader' in the AWS Authorization.");
  }

  @Test
  void signatureOfWrongShape_isInvalidSignature() {
    SignedRequest signed = sdkSigned(b -> {}, "us-east-1", NOW, SECRET);
    String header = signed.header("authorization");
    SignedRequest r =
        with(
            signed,
            "authorization",
            header.substring(0, header.indexOf("Signature=")) + "Signature=00");

    assertRefused(r, Kind.INVALID_SIGNATURE, SigV4Authenticator.SIGNATURE_MISMATCH);
  }

  // --- Helpers
  // ------------------------------------------------------------------------------------

  private void assertRefused(SignedRequest r, Kind kind, String message) {
    assertEquals(message, refused(r, kind).getMessage());
  }

  private AuthenticationException refused(SignedRequest r, Kind kind) {
    AuthenticationException e =
        assertThrows(AuthenticationException.class, () -> auth.authenticate(r));
    assertEquals(kind, e.kind(), e.getMessage());
    // The wire type and status (400) of each kind: api/AuthenticationTest.
    assertTrue(e.getMessage() == null || !e.getMessage().contains(SECRET));
    if (!SigV4Authenticator.SIGNATURE_MISMATCH.equals(e.getMessage())) {
      // Every refusal but a signature mismatch needs no body: the header check, given none,
      // refuses alike (it is the first half of the same check, not a copy of it).
      AuthenticationException early =
          assertThrows(AuthenticationException.class, () -> auth.checkHeaders(withoutBody(r)));
      assertEquals(kind, early.kind());
      assertEquals(e.getMessage(), early.getMessage());
    }
    return e;
  }

  private static SignedRequest withoutBody(SignedRequest r) {
    return new SignedRequest(r.method(), r.path(), r.rawQuery(), r.headers(), new byte[0]);
  }

  private static SignedRequest sdkSigned(
      Consumer<SdkHttpRequest.Builder> customize, String region, Instant at, String secret) {
    return sdkSigned(customize, region, at, secret, AKID);
  }

  private static SignedRequest sdkSigned(
      Consumer<SdkHttpRequest.Builder> customize,
      String region,
      Instant at,
      String secret,
      String akid) {
    return sdkSigned(customize, region, at, secret, akid, "kms");
  }

  /** A POST signed by the SDK's signer, turned into what the server sees. */
  private static SignedRequest sdkSigned(
      Consumer<SdkHttpRequest.Builder> customize,
      String region,
      Instant at,
      String secret,
      String akid,
      String service) {
    byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
    SdkHttpRequest.Builder b =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(URI.create("https://kms.example.test:4443/"))
            .putHeader("Content-Type", "application/x-amz-json-1.1")
            .putHeader("X-Amz-Target", "TrentService.Encrypt");
    customize.accept(b);
    SdkHttpRequest signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.identity(AwsCredentialsIdentity.create(akid, secret))
                        .request(b.build())
                        .payload(ContentStreamProvider.fromByteArray(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC)))
            .request();
    Map<String, List<String>> headers = new LinkedHashMap<>();
    signed.forEachHeader(
        (name, values) -> headers.put(name.toLowerCase(Locale.ROOT), new ArrayList<>(values)));
    headers.putIfAbsent("host", List.of("kms.example.test:4443"));
    return new SignedRequest(
        "POST", signed.encodedPath(), signed.encodedQueryParameters().orElse(null), headers, body);
  }

  private static SignedRequest with(SignedRequest r, String header, String value) {
    Map<String, List<String>> h = new LinkedHashMap<>(r.headers());
    h.put(header, List.of(value));
    return new SignedRequest(r.method(), r.path(), r.rawQuery(), h, r.body());
  }

  private static SignedRequest without(SignedRequest r, String header) {
    Map<String, List<String>> h = new LinkedHashMap<>(r.headers());
    h.remove(header);
    return new SignedRequest(r.method(), r.path(), r.rawQuery(), h, r.body());
  }
}
