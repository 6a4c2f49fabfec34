package org.hsmkms.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The pieces of AWS Signature Version 4 that a verifier needs, with the JDK only: the canonical
 * request, the string to sign, the signing key derivation and HMAC-SHA256.
 *
 * <p>Spec: "Create a canonical request" and "Calculate the signature" in the AWS SigV4 reference
 * (docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html). For every
 * service but S3 the canonical URI is the normalised path with each segment URI-encoded again (the
 * path as it arrives is already encoded once), which is what the AWS SDKs sign.
 */
final class SigV4 {
  static final String ALGORITHM = "AWS4-HMAC-SHA256";
  static final String TERMINATOR = "aws4_request";
  private static final HexFormat HEX = HexFormat.of();
  private static final ThreadLocal<Mac> HMAC =
      ThreadLocal.withInitial(
          () -> {
            try {
              return Mac.getInstance("HmacSHA256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("HmacSHA256 is missing from the JDK", e);
            }
          });

  /** One digest per thread: a provider lookup per request cost more than the hash of its body. */
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("SHA-256 is missing from the JDK", e);
            }
          });

  private SigV4() {}

  /**
   * The canonical request: method, canonical URI, canonical query, canonical headers, signed
   * headers and the payload hash, separated by newlines.
   *
   * @param signedHeaders lower-case header names as the client listed them
   * @param headers the request's headers, lower-case names, values in arrival order
   */
  static String canonicalRequest(
      String method,
      String rawPath,
      String rawQuery,
      List<String> signedHeaders,
      Map<String, List<String>> headers,
      String payloadHash) {
    StringBuilder sb = new StringBuilder(256);
    sb.append(method).append('\n');
    sb.append(canonicalUri(rawPath)).append('\n');
    sb.append(canonicalQuery(rawQuery)).append('\n');
    for (String name : signedHeaders) {
      sb.append(name).append(':').append(canonicalHeaderValue(headers.get(name))).append('\n');
    }
    sb.append('\n');
    sb.append(String.join(";", signedHeaders)).append('\n');
    sb.append(payloadHash);
    return sb.toString();
  }

  static String stringToSign(String amzDate, String scope, String canonicalRequest) {
    return ALGORITHM
        + '\n'
        + amzDate
        + '\n'
        + scope
        + '\n'
        + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
   *
   * @param kSecret the bytes of "AWS4" followed by the secret access key (UTF-8)
   */
  static byte[] signingKey(byte[] kSecret, String date, String region, String service) {
    byte[] kDate = hmac(kSecret, date);
    byte[] kRegion = hmac(kDate, region);
    byte[] kService = hmac(kRegion, service);
    byte[] kSigning = hmac(kService, TERMINATOR);
    Arrays.fill(kDate, (byte) 0);
    Arrays.fill(kRegion, (byte) 0);
    Arrays.fill(kService, (byte) 0);
    return kSigning;
  }

  static byte[] hmac(byte[] key, String data) {
    Mac mac = HMAC.get();
    try {
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 rejected its key", e);
    }
    return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] sha256(byte[] data) {
    // digest() resets it for the next use on this thread.
    return SHA256.get().digest(data);
  }

  static String hex(byte[] bytes) {
    return HEX.formatHex(bytes);
  }

  /**
   * The normalised path ("." and ".." segments and empty segments removed, a trailing slash kept),
   * each segment URI-encoded.
   */
  static String canonicalUri(String rawPath) {
    if (rawPath == null || rawPath.isEmpty()) {
      return "/";
    }
    Deque<String> segments = new ArrayDeque<>();
    for (String segment : rawPath.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        segments.pollLast();
      } else {
        segments.addLast(segment);
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String segment : segments) {
      sb.append('/').append(uriEncode(segment));
    }
    if (sb.length() == 0) {
      return "/";
    }
    if (rawPath.endsWith("/") || rawPath.endsWith("/.") || rawPath.endsWith("/..")) {
      sb.append('/');
    }
    return sb.toString();
  }

  /**
   * The query parameters, each name and value decoded and URI-encoded again, sorted by name and
   * then value; "name=value" pairs joined with "&amp;".
   */
  static String canonicalQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return "";
    }
    List<String[]> params = new ArrayList<>();
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      params.add(new String[] {uriEncode(percentDecode(name)), uriEncode(percentDecode(value))});
    }
    params.sort(
        (a, b) -> {
          int c = a[0].compareTo(b[0]);
          return c != 0 ? c : a[1].compareTo(b[1]);
        });
    StringBuilder sb = new StringBuilder();
    for (String[] p : params) {
      if (sb.length() > 0) {
        sb.append('&');
      }
      sb.append(p[0]).append('=').append(p[1]);
    }
    return sb.toString();
  }

  /** Values trimmed, runs of spaces collapsed, several values joined with commas. */
  static String canonicalHeaderValue(List<String> values) {
    if (values == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      String v = values.get(i).strip();
      sb.append(needsFolding(v) ? WHITESPACE_RUN.matcher(v).replaceAll(" ") : v);
    }
    return sb.toString();
  }

  private static final java.util.regex.Pattern WHITESPACE_RUN =
      java.util.regex.Pattern.compile("\\s+");

  /** True if a value has whitespace other than single spaces, which canonical form folds. */
  private static boolean needsFolding(String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (Character.isWhitespace(c)
          && (c != ' ' || (i + 1 < v.length() && Character.isWhitespace(v.charAt(i + 1))))) {
        return true;
      }
    }
    return false;
  }

  /** RFC 3986 encoding: everything but A-Z a-z 0-9 - _ . ~ becomes %XX of its UTF-8 bytes. */
  static String uriEncode(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder(bytes.length + 8);
    for (byte b : bytes) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_'
          || c == '.'
          || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }

  /** Decodes %XX sequences (malformed ones are kept as they are); '+' stays '+'. */
  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    byte[] in = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < in.length; i++) {
      if (in[i] == '%'
          && i + 2 < in.length
          && Character.digit(in[i + 1], 16) >= 0
          && Character.digit(in[i + 2], 16) >= 0) {
        out.write(Character.digit(in[i + 1], 16) << 4 | Character.digit(in[i + 2], 16));
        i += 2;
      } else {
        out.write(in[i]);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
