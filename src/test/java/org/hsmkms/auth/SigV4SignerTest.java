package org.hsmkms.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.hsmkms.auth.AuthenticationException.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * The client-side signer against the AWS SDK's own ({@link AwsV4HttpSigner}), byte for byte, and
 * against the server's verifier ({@link SigV4Authenticator}).
 */
class SigV4SignerTest {
  private static final String AKID = "AKIDSIGNERTEST";
  private static final String SECRET = "signer-secret/with+odd=chars";
  private static final String JSON_11 = "application/x-amz-json-1.1";

  static Stream<Arguments> requests() {
    return Stream.of(
        Arguments.of(
            "127.0.0.1:4599",
            "/",
            "us-east-1",
            "2025-03-04T05:06:07Z",
            "{\"KeyId\":\"alias/x\",\"KeySpec\":\"AES_256\"}"),
        Arguments.of("kms.example.test", "/", "eu-central-1", "2024-12-31T23:59:59Z", ""),
        Arguments.of("localhost:8443", "/a%20b/c", "ap-southeast-2", "2026-01-01T00:00:00Z", "{}"),
        Arguments.of(
            "[::1]:4599",
            "/",
            "us-west-2",
            "2025-07-08T09:10:11Z",
            "{\"Plaintext\":\"" + "A".repeat(1400) + "\"}"));
  }

  /**
   * AWS's own test suite (see {@link SigV4VectorsTest}): requests without a payload hash header.
   */
  @ParameterizedTest
  @CsvSource({
    "'/', '', 5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
    "'/?Param1=value1', '', 28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11",
    "'/', value1, c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"
  })
  void signature_isTheAwsTestSuites(String path, String myHeader1, String expected) {
    SigV4Signer signer =
        new SigV4Signer(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".getBytes(StandardCharsets.UTF_8),
            "us-east-1",
            "service",
            false);
    Map<String, String> headers = myHeader1.isEmpty() ? Map.of() : Map.of("My-Header1", myHeader1);

    Map<String, String> added =
        signer.sign(
            "POST",
            "example.amazonaws.com",
            path,
            headers,
            new byte[0],
            Instant.parse("2015-08-30T12:36:00Z"));

    assertEquals("20150830T123600Z", added.get("X-Amz-Date"));
    assertTrue(added.get("Authorization").endsWith(", Signature=" + expected));
    assertFalse(added.containsKey("x-amz-content-sha256"));
  }

  /** The SDK's signer always sends and signs x-amz-content-sha256, over HTTP and HTTPS alike. */
  @ParameterizedTest
  @MethodSource("requests")
  void signature_isTheAwsSdks(String host, String path, String region, String at, String body) {
    Instant time = Instant.parse(at);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);

    Map<String, String> ours =
        signer(region, true)
            .sign("POST", host, path, kmsHeaders("TrentService.Decrypt"), bytes, time);
    Map<String, String> sdk = sdkSign(host, path, region, time, bytes);

    assertEquals(sdk.get("x-amz-date"), ours.get("X-Amz-Date"));
    assertEquals(sdk.get("x-amz-content-sha256"), ours.get("x-amz-content-sha256"));
    assertEquals(sdk.get("authorization"), ours.get("Authorization"));
  }

  @Test
  void signedRequest_verifies() {
    Instant now = Instant.parse("2025-03-04T05:06:07Z");
    byte[] body = "{\"NumberOfBytes\":32}".getBytes(StandardCharsets.UTF_8);

    SignedRequest r = signed(signer("us-east-1", true), "TrentService.GenerateRandom", body, now);

    assertEquals(AKID, verifier(now).authenticate(r).accessKeyId());
  }

  @Test
  void signatureOfTheNextDay_verifies() {
    SigV4Signer signer = signer("us-east-1", false);
    Instant late = Instant.parse("2025-03-04T23:59:59Z");
    Instant early = Instant.parse("2025-03-05T00:00:01Z");
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);

    SignedRequest first = signed(signer, "TrentService.ListKeys", body, late);
    SignedRequest second = signed(signer, "TrentService.ListKeys", body, early);

    assertEquals(AKID, verifier(late).authenticate(first).accessKeyId());
    assertTrue(
        second.header("authorization").contains("/20250305/us-east-1/kms/aws4_request"),
        second.header("authorization"));
    assertEquals(AKID, verifier(early).authenticate(second).accessKeyId());
  }

  @Test
  void signedRequest_withAnotherBody_isInvalidSignature() {
    Instant now = Instant.parse("2025-03-04T05:06:07Z");
    SignedRequest r =
        signed(
            signer("us-east-1", false),
            "TrentService.Encrypt",
            "{\"Plaintext\":\"AA==\"}".getBytes(StandardCharsets.UTF_8),
            now);
    SignedRequest tampered =
        new SignedRequest(
            r.method(),
            r.path(),
            r.rawQuery(),
            r.headers(),
            "{\"Plaintext\":\"AQ==\"}".getBytes(StandardCharsets.UTF_8));

    AuthenticationException e =
        assertThrows(AuthenticationException.class, () -> verifier(now).authenticate(tampered));
    assertEquals(Kind.INVALID_SIGNATURE, e.kind());
  }

  /** After destroy(), neither the signer's nor the verifier's copy of the secret signs. */
  @Test
  void destroyed_signerAndCredential_noLongerVerify() {
    Instant now = Instant.parse("2025-03-04T05:06:07Z");
    byte[] body = "{\"NumberOfBytes\":32}".getBytes(StandardCharsets.UTF_8);
    SigV4Signer signer = signer("us-east-1", true);
    SignedRequest before = signed(signer, "TrentService.GenerateRandom", body, now);
    assertEquals(AKID, verifier(now).authenticate(before).accessKeyId());

    signer.destroy();
    SignedRequest after = signed(signer, "TrentService.GenerateRandom", body, now);
    AuthenticationException e =
        assertThrows(AuthenticationException.class, () -> verifier(now).authenticate(after));
    assertEquals(Kind.INVALID_SIGNATURE, e.kind());

    Credential c = credential();
    SigV4Authenticator v = verifier(c, now);
    assertEquals(AKID, v.authenticate(before).accessKeyId());
    c.destroy();
    AuthenticationException gone =
        assertThrows(AuthenticationException.class, () -> v.authenticate(before));
    assertEquals(Kind.INVALID_SIGNATURE, gone.kind());
  }

  @Test
  void toString_hidesTheSecret() {
    String s = signer("us-east-1", false).toString();

    assertFalse(s.contains(SECRET));
    assertFalse(s.contains("signer-secret"));
  }

  private static SigV4Signer signer(String region, boolean contentSha256) {
    return new SigV4Signer(
        AKID, SECRET.getBytes(StandardCharsets.UTF_8), region, "kms", contentSha256);
  }

  private static Map<String, String> kmsHeaders(String target) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Content-Type", JSON_11);
    h.put("X-Amz-Target", target);
    return h;
  }

  private static SigV4Authenticator verifier(Instant now) {
    return verifier(credential(), now);
  }

  private static SigV4Authenticator verifier(Credential c, Instant now) {
    return new SigV4Authenticator(
        "kms", id -> id.equals(AKID) ? c : null, Clock.fixed(now, ZoneOffset.UTC));
  }

  private static Credential credential() {
    return new Credential(
        AKID,
        "123456789012",
        "arn:aws:iam::123456789012:user/signer",
        SECRET.getBytes(StandardCharsets.UTF_8));
  }

  /** A request as the server would see it: the given headers, host and the signer's. */
  private static SignedRequest signed(SigV4Signer signer, String target, byte[] body, Instant t) {
    Map<String, String> sent = kmsHeaders(target);
    sent.put("Host", "127.0.0.1:4599");
    sent.putAll(signer.sign("POST", "127.0.0.1:4599", "/", kmsHeaders(target), body, t));
    Map<String, List<String>> headers = new LinkedHashMap<>();
    sent.forEach((name, value) -> headers.put(name.toLowerCase(Locale.ROOT), List.of(value)));
    return new SignedRequest("POST", "/", null, headers, body);
  }

  /** The headers the SDK's signer produces, names in lower case. */
  private static Map<String, String> sdkSign(
      String host, String path, String region, Instant time, byte[] body) {
    SdkHttpRequest.Builder b =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.POST)
            .uri(URI.create((host.startsWith("kms.") ? "https://" : "http://") + host + path))
            .putHeader("Content-Type", JSON_11)
            .putHeader("X-Amz-Target", "TrentService.Decrypt");
    SdkHttpRequest signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.identity(AwsCredentialsIdentity.create(AKID, SECRET))
                        .request(b.build())
                        .payload(ContentStreamProvider.fromByteArray(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "kms")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(time, ZoneOffset.UTC)))
            .request();
    Map<String, String> out = new LinkedHashMap<>();
    signed.forEachHeader(
        (name, values) -> out.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
    return out;
  }
}
