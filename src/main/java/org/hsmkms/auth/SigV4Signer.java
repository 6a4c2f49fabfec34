package org.hsmkms.auth;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The client side of {@link SigV4Authenticator}: signs requests with AWS Signature Version 4 using
 * the same canonical request, string to sign and key derivation ({@link SigV4}), so that what the
 * benchmark sends and what the server checks cannot drift apart. Signs the way the AWS SDKs do:
 * every given header plus {@code host} and {@code x-amz-date}, the payload hashed in full.
 *
 * <p>Security: the secret is held only as {@code "AWS4" + secret} bytes; the signing key of the
 * current day is derived once and cached. {@link #toString()} shows the access key id only.
 */
public final class SigV4Signer {
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final String accessKeyId;
  private final byte[] kSecret;
  private final String region;
  private final String service;
  private final boolean sendContentSha256;
  private volatile DayKey dayKey;

  /** The signing key of one day (the scope's date), immutable once published. */
  private record DayKey(String date, byte[] key) {}

  /**
   * @param secret the secret access key (UTF-8); copied, so the caller may zero its array
   * @param sendContentSha256 also send (and sign) {@code x-amz-content-sha256}, as the signer of
   *     the AWS SDK for Java v2 does for every service
   */
  public SigV4Signer(
      String accessKeyId, byte[] secret, String region, String service, boolean sendContentSha256) {
    this.accessKeyId = accessKeyId;
    byte[] prefix = "AWS4".getBytes(StandardCharsets.US_ASCII);
    this.kSecret = Arrays.copyOf(prefix, prefix.length + secret.length);
    System.arraycopy(secret, 0, kSecret, prefix.length, secret.length);
    this.region = region;
    this.service = service;
    this.sendContentSha256 = sendContentSha256;
  }

  /**
   * Signs one request.
   *
   * @param host the Host header as the client sends it ({@code host[:port]}, the port only when it
   *     is not the scheme's default)
   * @param path the path, already URI-encoded once, with an optional {@code ?query}
   * @param headers the other headers to sign (e.g. Content-Type, X-Amz-Target), names in any case;
   *     they must be sent exactly as given
   * @return the headers to add to the request, in this order: {@code X-Amz-Date}, {@code
   *     x-amz-content-sha256} when enabled, {@code Authorization}
   */
  public Map<String, String> sign(
      String method,
      String host,
      String path,
      Map<String, String> headers,
      byte[] body,
      Instant time) {
    String amzDate = AMZ_DATE.format(time);
    String date = amzDate.substring(0, 8);
    String payloadHash = SigV4.hex(SigV4.sha256(body));

    Map<String, List<String>> canonical = new TreeMap<>();
    headers.forEach((name, value) -> canonical.put(name.toLowerCase(Locale.ROOT), List.of(value)));
    canonical.put("host", List.of(host));
    canonical.put("x-amz-date", List.of(amzDate));
    if (sendContentSha256) {
      canonical.put("x-amz-content-sha256", List.of(payloadHash));
    }
    List<String> signedHeaders = new ArrayList<>(canonical.keySet());

    int q = path.indexOf('?');
    String canonicalRequest =
        SigV4.canonicalRequest(
            method.toUpperCase(Locale.ROOT),
            q < 0 ? path : path.substring(0, q),
            q < 0 ? null : path.substring(q + 1),
            signedHeaders,
            canonical,
            payloadHash);
    String scope = date + '/' + region + '/' + service + '/' + SigV4.TERMINATOR;
    String stringToSign = SigV4.stringToSign(amzDate, scope, canonicalRequest);
    String signature = SigV4.hex(SigV4.hmac(signingKey(date), stringToSign));

    Map<String, String> out = new LinkedHashMap<>(4);
    out.put("X-Amz-Date", amzDate);
    if (sendContentSha256) {
      out.put("x-amz-content-sha256", payloadHash);
    }
    out.put(
        "Authorization",
        SigV4.ALGORITHM
            + " Credential="
            + accessKeyId
            + '/'
            + scope
            + ", SignedHeaders="
            + String.join(";", signedHeaders)
            + ", Signature="
            + signature);
    return out;
  }

  private byte[] signingKey(String date) {
    DayKey current = dayKey;
    if (current == null || !current.date.equals(date)) {
      // Racing threads may each derive it once at midnight; the result is the same.
      current = new DayKey(date, SigV4.signingKey(kSecret, date, region, service));
      dayKey = current;
    }
    return current.key;
  }

  /**
   * Zeroes the secret and the day's signing key. The signer must not be used afterwards: its
   * signatures would be those of an all-zero secret, which no credential has.
   */
  public void destroy() {
    Arrays.fill(kSecret, (byte) 0);
    DayKey current = dayKey;
    if (current != null) {
      Arrays.fill(current.key, (byte) 0);
    }
  }

  @Override
  public String toString() {
    return "SigV4Signer[" + accessKeyId + ", " + region + "/" + service + ", secret=[REDACTED]]";
  }
}
