package org.hsmkms.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hsmkms.auth.AuthenticationException.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * AWS's published Signature Version 4 test suite (the "v4" vectors of the AWS General Reference, as
 * kept in awslabs/aws-c-auth tests/aws-signing-test-suite): credentials AKIDEXAMPLE, service
 * "service", region us-east-1, time 20150830T123600Z. Each vector's request, as it arrives on the
 * wire, must verify with the vector's signature, and fail with a changed one.
 *
 * <p>Vectors whose path holds characters that cannot travel unencoded (get-space, get-utf8) are
 * left out: the suite canonicalises the raw path, while every AWS SDK encodes it on the wire and
 * signs the encoded form encoded once more; {@link SigV4AuthenticatorTest} checks that case against
 * the SDK's own signer.
 */
class SigV4VectorsTest {
  private static final String AKID = "AKIDEXAMPLE";
  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  private static final Clock AT =
      Clock.fixed(Instant.parse("2015-08-30T12:36:00Z"), ZoneOffset.UTC);
  private static final String HOST = "example.amazonaws.com";

  /** One vector: the request as received and the signature the suite gives for it. */
  record Vector(
      String name,
      String method,
      String path,
      String query,
      Map<String, List<String>> extraHeaders,
      String body,
      String signature) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Vector> vectors() {
    return Stream.of(
        new Vector(
            "get-vanilla",
            "GET",
            "/",
            null,
            Map.of(),
            "",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        new Vector(
            "post-vanilla",
            "POST",
            "/",
            null,
            Map.of(),
            "",
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        new Vector(
            "get-vanilla-query-order-key-case",
            "GET",
            "/",
            "Param2=value2&Param1=value1",
            Map.of(),
            "",
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        new Vector(
            "get-vanilla-empty-query-key",
            "GET",
            "/",
            "Param1=value1",
            Map.of(),
            "",
            "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
        new Vector(
            "get-vanilla-query-unreserved",
            "GET",
            "/",
            "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                + "=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            Map.of(),
            "",
            "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
        new Vector(
            "get-vanilla-utf8-query",
            "GET",
            "/",
            "%E1%88%B4=bar",
            Map.of(),
            "",
            "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        new Vector(
            "post-vanilla-query",
            "POST",
            "/",
            "Param1=value1",
            Map.of(),
            "",
            "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
        new Vector(
            "get-header-value-trim",
            "GET",
            "/",
            null,
            headers("my-header1", List.of(" value1"), "my-header2", List.of("\"a   b   c\"")),
            "",
            "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        new Vector(
            "get-header-key-duplicate",
            "GET",
            "/",
            null,
            headers("my-header1", List.of("value2", "value2", "value1")),
            "",
            "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
        new Vector(
            "get-header-value-order",
            "GET",
            "/",
            null,
            headers("my-header1", List.of("value4", "value1", "value3", "value2")),
            "",
            "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"),
        new Vector(
            "post-header-key-sort",
            "POST",
            "/",
            null,
            headers("my-header1", List.of("value1")),
            "",
            "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"),
        new Vector(
            "get-unreserved",
            "GET",
            "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            null,
            Map.of(),
            "",
            "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        new Vector(
            "get-slash-dot-slash-normalized",
            "GET",
            "/./",
            null,
            Map.of(),
            "",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        new Vector(
            "get-relative-relative-normalized",
            "GET",
            "/example1/example2/../..",
            null,
            Map.of(),
            "",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        new Vector(
            "get-slashes-normalized",
            "GET",
            "//example//",
            null,
            Map.of(),
            "",
            "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"),
        new Vector(
            "post-x-www-form-urlencoded",
            "POST",
            "/",
            null,
            headers(
                "content-type",
                List.of("application/x-www-form-urlencoded"),
                "content-length",
                List.of("13"),
                "x-amz-content-sha256",
                List.of("9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e")),
            "Param1=value1",
            "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"),
        new Vector(
            "post-x-www-form-urlencoded-parameters",
            "POST",
            "/",
            null,
            headers(
                "content-type",
                List.of("application/x-www-form-urlencoded; charset=utf-8"),
                "content-length",
                List.of("13"),
                "x-amz-content-sha256",
                List.of("9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e")),
            "Param1=value1",
            "328d1b9eaadca9f5818ef05e8392801e091653bafec24fcab71e7344e7f51422"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void vector_verifiesWithItsPublishedSignature(Vector v) {
    Caller caller = authenticator().authenticate(request(v, v.signature()));

    assertEquals("us-east-1", caller.region());
    assertEquals("111122223333", caller.account());
    assertEquals(AKID, caller.accessKeyId());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void vector_withOneSignatureDigitChanged_isInvalidSignature(Vector v) {
    char last = v.signature().charAt(63);
    String changed = v.signature().substring(0, 63) + (last == '0' ? '1' : '0');

    AuthenticationException e =
        assertThrows(
            AuthenticationException.class, () -> authenticator().authenticate(request(v, changed)));

    assertEquals(Kind.INVALID_SIGNATURE, e.kind());
    assertEquals(SigV4Authenticator.SIGNATURE_MISMATCH, e.getMessage());
  }

  @Test
  void canonicalRequest_ofGetHeaderValueTrim_isThePublishedOne() {
    Vector v =
        vectors().filter(x -> x.name().equals("get-header-value-trim")).findFirst().orElseThrow();
    SignedRequest r = request(v, v.signature());

    String canonical =
        SigV4.canonicalRequest(
            r.method(),
            r.path(),
            r.rawQuery(),
            List.of("host", "my-header1", "my-header2", "x-amz-date"),
            r.headers(),
            SigV4.hex(SigV4.sha256(new byte[0])));

    assertEquals(
        "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\n"
            + "x-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n"
            + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        canonical);
  }

  @Test
  void stringToSign_ofPostXWwwFormUrlencoded_isThePublishedOne() {
    Vector v =
        vectors()
            .filter(x -> x.name().equals("post-x-www-form-urlencoded"))
            .findFirst()
            .orElseThrow();
    SignedRequest r = request(v, v.signature());
    String payloadHash = SigV4.hex(SigV4.sha256(r.body()));

    String canonical =
        SigV4.canonicalRequest(
            r.method(),
            r.path(),
            r.rawQuery(),
            List.of("content-length", "content-type", "host", "x-amz-content-sha256", "x-amz-date"),
            r.headers(),
            payloadHash);

    assertEquals(
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            + "b1edd1d03544c25390e32085d55b57acc9a3961bb59415ff86c45c3d89d16cfb",
        SigV4.stringToSign(
            "20150830T123600Z", "20150830/us-east-1/service/aws4_request", canonical));
  }

  @Test
  void canonicalQuery_sortsByEncodedNameThenValue() {
    assertEquals("A=1&A=2&B=&b=%20%2B", SigV4.canonicalQuery("b=%20%2B&A=2&B&A=1"));
  }

  private static SigV4Authenticator authenticator() {
    byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);
    Credential c =
        new Credential(AKID, "111122223333", "arn:aws:iam::111122223333:user/ex", secret);
    return new SigV4Authenticator("service", id -> id.equals(AKID) ? c : null, AT);
  }

  private static SignedRequest request(Vector v, String signature) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("host", List.of(HOST));
    headers.put("x-amz-date", List.of("20150830T123600Z"));
    headers.putAll(v.extraHeaders());
    String signed = String.join(";", headers.keySet().stream().sorted().toList());
    headers.put(
        "authorization",
        List.of(
            "AWS4-HMAC-SHA256 Credential="
                + AKID
                + "/20150830/us-east-1/service/aws4_request, SignedHeaders="
                + signed
                + ", Signature="
                + signature));
    return new SignedRequest(
        v.method(), v.path(), v.query(), headers, v.body().getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, List<String>> headers(Object... nameValues) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      @SuppressWarnings("unchecked")
      List<String> values = (List<String>) nameValues[i + 1];
      m.put((String) nameValues[i], values);
    }
    return m;
  }
}
