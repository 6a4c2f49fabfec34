package org.hsmkms.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.hsmkms.kms.ErrorCode;
import org.hsmkms.kms.KmsException;

/**
 * Verifies AWS Signature Version 4 ({@code Authorization: AWS4-HMAC-SHA256 ...}) on every request
 * and answers the way AWS does: no Authorization header is MissingAuthenticationTokenException; a
 * malformed or incomplete one IncompleteSignatureException; an unknown access key (or a session
 * token, which this service never issues) UnrecognizedClientException; a wrong signature, a body
 * that is not the one signed, a wrong credential scope or a request time more than five minutes
 * from ours InvalidSignatureException. The region of the credential scope is the region the request
 * acts in; the account and principal are those of the access key.
 *
 * <p>Security: signatures are compared in constant time ({@link MessageDigest#isEqual}). The host
 * header, the date header used, and every {@code x-amz-*} header present (X-Amz-Target among them)
 * must be signed, so that neither the operation nor the time can be changed under a valid
 * signature. The payload hash is always computed from the body received; a client-sent {@code
 * x-amz-content-sha256} must agree with it. Messages never contain secrets, signing keys or the
 * expected signature.
 */
public final class SigV4Authenticator implements Authenticator {
  /** How far a request's time may be from ours, either way. */
  public static final Duration MAX_SKEW = Duration.ofMinutes(5);

  static final String SIGNATURE_MISMATCH =
      "The request signature we calculated does not match"
          + " the signature you provided. Check your AWS Secret Access Key and signing method."
          + " Consult the service documentation for details.";
  static final String INVALID_TOKEN = "The security token included in the request is invalid.";

  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final String service;
  private final CredentialLookup credentials;
  private final Clock clock;

  /** Finds the credential of an access key id; null when there is none. */
  @FunctionalInterface
  public interface CredentialLookup {
    Credential find(String accessKeyId);
  }

  /**
   * @param service the signing name requests must be scoped to ({@code kms})
   * @param clock the wall clock; never a test clock that tests move by days
   */
  public SigV4Authenticator(String service, CredentialLookup credentials, Clock clock) {
    this.service = service;
    this.credentials = credentials;
    this.clock = clock;
  }

  @Override
  public Caller authenticate(SignedRequest request) {
    List<String> authorization = request.headers().get("authorization");
    if (authorization == null || authorization.isEmpty()) {
      throw new KmsException(
          ErrorCode.MISSING_AUTHENTICATION_TOKEN, "Missing Authentication Token");
    }
    if (authorization.size() > 1) {
      throw incomplete("Only one Authorization header is allowed.");
    }
    String header = authorization.get(0).strip();
    Authorization auth = parse(header);
    SignedTime time = signedTime(request, auth, header);
    Scope scope = scope(auth.credential);
    if (!scope.date.equals(time.amzDate.substring(0, 8))) {
      throw invalid(
          "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of"
              + " date from HTTP: '"
              + scope.date
              + "' != '"
              + time.amzDate.substring(0, 8)
              + "', from '"
              + time.amzDate
              + "'.");
    }
    if (request.header("x-amz-security-token") != null) {
      // This service issues no temporary credentials.
      throw new KmsException(ErrorCode.UNRECOGNIZED_CLIENT, INVALID_TOKEN);
    }
    Credential credential = credentials.find(scope.accessKeyId);
    if (credential == null) {
      throw new KmsException(ErrorCode.UNRECOGNIZED_CLIENT, INVALID_TOKEN);
    }
    checkSkew(time.instant);
    checkSignedHeaders(request, auth.signedHeaders, time.headerName);

    String payloadHash = SigV4.hex(SigV4.sha256(request.body()));
    String claimedHash = request.header("x-amz-content-sha256");
    if (claimedHash != null && !claimedHash.strip().equalsIgnoreCase(payloadHash)) {
      // The body is not the one signed (or the header lies about it): as any other tampering.
      throw invalid(SIGNATURE_MISMATCH);
    }
    String canonical =
        SigV4.canonicalRequest(
            request.method(),
            request.path(),
            request.rawQuery(),
            auth.signedHeaders,
            request.headers(),
            payloadHash);
    String scopeString = scope.date + '/' + scope.region + '/' + service + '/' + SigV4.TERMINATOR;
    String stringToSign = SigV4.stringToSign(time.amzDate, scopeString, canonical);
    byte[] expected =
        SigV4.hex(
                SigV4.hmac(credential.signingKey(scope.date, scope.region, service), stringToSign))
            .getBytes(StandardCharsets.US_ASCII);
    byte[] given = auth.signature.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    boolean match = isSignatureShape(auth.signature) && MessageDigest.isEqual(expected, given);
    Arrays.fill(expected, (byte) 0);
    if (!match) {
      throw invalid(SIGNATURE_MISMATCH);
    }
    return new Caller(
        credential.account(), scope.region, credential.principalArn(), credential.accessKeyId());
  }

  /** The three parameters of an {@code AWS4-HMAC-SHA256} Authorization header. */
  private record Authorization(String credential, List<String> signedHeaders, String signature) {}

  private record Scope(String accessKeyId, String date, String region) {}

  private record SignedTime(Instant instant, String amzDate, String headerName) {}

  private static Authorization parse(String header) {
    int space = header.indexOf(' ');
    String algorithm = space < 0 ? header : header.substring(0, space);
    String rest = space < 0 ? "" : header.substring(space + 1);
    Map<String, String> params = new LinkedHashMap<>();
    if (algorithm.equals(SigV4.ALGORITHM)) {
      // AWS splits on commas and whitespace: "Credential=AKID /date/..." has a stray token.
      for (String p : tokens(rest)) {
        int eq = p.indexOf('=');
        if (eq <= 0) {
          throw incomplete(
              "'"
                  + p
                  + "' not a valid key=value pair (missing equal-sign) in"
                  + " Authorization header: '"
                  + header
                  + "'.");
        }
        params.putIfAbsent(p.substring(0, eq), p.substring(eq + 1));
      }
    } else if (algorithm.startsWith("AWS4-")) {
      throw incomplete("Unsupported AWS 'algorithm': '" + algorithm + "'.");
    }
    StringBuilder missing = new StringBuilder();
    for (String required : List.of("Credential", "Signature", "SignedHeaders")) {
      String v = params.get(required);
      if (v == null || v.isEmpty()) {
        missing.append("Authorization header requires '").append(required).append("' parameter. ");
      }
    }
    if (missing.length() > 0) {
      throw incomplete(missing + "Authorization=" + header);
    }
    List<String> signed = new ArrayList<>();
    for (String name : params.get("SignedHeaders").split(";")) {
      if (!isHeaderName(name)) {
        throw incomplete("Invalid SignedHeaders in Authorization header: '" + header + "'.");
      }
      signed.add(name);
    }
    return new Authorization(params.get("Credential"), signed, params.get("Signature"));
  }

  /** The non-empty pieces of {@code s} between commas and whitespace (a hot path: no regex). */
  private static List<String> tokens(String s) {
    List<String> out = new ArrayList<>(4);
    int start = -1;
    for (int i = 0; i <= s.length(); i++) {
      boolean separator =
          i == s.length() || s.charAt(i) == ',' || Character.isWhitespace(s.charAt(i));
      if (separator) {
        if (start >= 0) {
          out.add(s.substring(start, i));
          start = -1;
        }
      } else if (start < 0) {
        start = i;
      }
    }
    return out;
  }

  private static SignedTime signedTime(SignedRequest request, Authorization auth, String header) {
    String amzDate = request.header("x-amz-date");
    if (amzDate != null) {
      amzDate = amzDate.strip();
      if (!isAmzDateShape(amzDate)) {
        throw incomplete(badDate(amzDate));
      }
      try {
        // The shape is checked above: read the digits directly (a formatter costs more).
        Instant t =
            LocalDateTime.of(
                    digits(amzDate, 0, 4),
                    digits(amzDate, 4, 6),
                    digits(amzDate, 6, 8),
                    digits(amzDate, 9, 11),
                    digits(amzDate, 11, 13),
                    digits(amzDate, 13, 15))
                .toInstant(ZoneOffset.UTC);
        return new SignedTime(t, amzDate, "x-amz-date");
      } catch (java.time.DateTimeException e) {
        throw incomplete(badDate(amzDate));
      }
    }
    String date = request.header("date");
    if (date == null) {
      throw incomplete(
          "Authorization header requires existence of either a 'X-Amz-Date' or a"
              + " 'Date' header. Authorization="
              + header);
    }
    try {
      Instant t =
          ZonedDateTime.parse(date.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return new SignedTime(t, AMZ_DATE.format(t), "date");
    } catch (DateTimeParseException e) {
      throw incomplete(badDate(date));
    }
  }

  // Shape checks of the hot path, written out instead of regular expressions.

  /** {@code \\d{8}T\\d{6}Z} */
  static boolean isAmzDateShape(String s) {
    return s.length() == 16
        && allDigits(s, 0, 8)
        && s.charAt(8) == 'T'
        && allDigits(s, 9, 15)
        && s.charAt(15) == 'Z';
  }

  /** {@code [0-9a-f]{64}} */
  static boolean isSignatureShape(String s) {
    if (s.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static final String HEADER_NAME_SYMBOLS = "!#$%&'*+.^_`|~-";

  /** {@code [a-z0-9!#$%&'*+.^_`|~-]+} */
  static boolean isHeaderName(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || HEADER_NAME_SYMBOLS.indexOf(c) >= 0)) {
        return false;
      }
    }
    return true;
  }

  /** {@code [a-z]{2}(-[a-z0-9]+)*-\\d{1,2}} */
  static boolean isRegion(String s) {
    if (s.length() < 4 || !isLower(s.charAt(0)) || !isLower(s.charAt(1)) || s.charAt(2) != '-') {
      return false;
    }
    int segmentStart = 3;
    for (int i = 3; i <= s.length(); i++) {
      if (i == s.length() || s.charAt(i) == '-') {
        if (i == segmentStart) {
          return false; // an empty segment
        }
        if (i == s.length()) {
          int len = i - segmentStart;
          return len <= 2 && allDigits(s, segmentStart, i);
        }
        segmentStart = i + 1;
      } else {
        char c = s.charAt(i);
        if (!isLower(c) && !(c >= '0' && c <= '9')) {
          return false;
        }
      }
    }
    return false;
  }

  private static boolean isLower(char c) {
    return c >= 'a' && c <= 'z';
  }

  private static boolean allDigits(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static int digits(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      v = v * 10 + (s.charAt(i) - '0');
    }
    return v;
  }

  private static String badDate(String value) {
    return "Date must be in ISO-8601 'basic format'. Got '"
        + value
        + "'. See"
        + " http://en.wikipedia.org/wiki/ISO_8601";
  }

  private Scope scope(String credential) {
    String[] parts = credential.split("/", -1);
    if (parts.length != 5
        || parts[0].isEmpty()
        || !(parts[1].length() == 8 && allDigits(parts[1], 0, 8))) {
      throw incomplete(
          "Credential is malformed; expecting"
              + " \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
    }
    if (!SigV4.TERMINATOR.equals(parts[4])) {
      throw invalid(
          "Credential should be scoped with a valid terminator: 'aws4_request', not '"
              + parts[4]
              + "'.");
    }
    if (!service.equals(parts[3])) {
      throw invalid("Credential should be scoped to correct service: '" + service + "'. ");
    }
    if (!isRegion(parts[2])) {
      throw invalid("Credential should be scoped to a valid region, not '" + parts[2] + "'. ");
    }
    return new Scope(parts[0], parts[1], parts[2]);
  }

  private void checkSkew(Instant signed) {
    Instant now = clock.instant();
    if (signed.isBefore(now.minus(MAX_SKEW))) {
      throw invalid(
          "Signature expired: "
              + AMZ_DATE.format(signed)
              + " is now earlier than "
              + AMZ_DATE.format(now.minus(MAX_SKEW))
              + " ("
              + AMZ_DATE.format(now)
              + " - "
              + MAX_SKEW.toMinutes()
              + " min.)");
    }
    if (signed.isAfter(now.plus(MAX_SKEW))) {
      throw invalid(
          "Signature not yet current: "
              + AMZ_DATE.format(signed)
              + " is still later than "
              + AMZ_DATE.format(now.plus(MAX_SKEW))
              + " ("
              + AMZ_DATE.format(now)
              + " + "
              + MAX_SKEW.toMinutes()
              + " min.)");
    }
  }

  private static void checkSignedHeaders(
      SignedRequest request, List<String> signed, String dateHeader) {
    if (!signed.contains("host")) {
      throw incomplete(
          "'Host' or ':authority' must be a 'SignedHeader' in the AWS" + " Authorization.");
    }
    if (!signed.contains(dateHeader)) {
      throw incomplete(
          "'"
              + (dateHeader.equals("date") ? "Date" : "X-Amz-Date")
              + "' must be a 'SignedHeader' in the AWS Authorization.");
    }
    for (String name : request.headers().keySet()) {
      if (name.startsWith("x-amz-") && !signed.contains(name)) {
        throw incomplete("'" + name + "' must be a 'SignedHeader' in the AWS Authorization.");
      }
    }
    for (String name : signed) {
      if (!request.headers().containsKey(name)) {
        throw invalid(SIGNATURE_MISMATCH);
      }
    }
  }

  private static KmsException incomplete(String message) {
    return new KmsException(ErrorCode.INCOMPLETE_SIGNATURE, message);
  }

  private static KmsException invalid(String message) {
    return new KmsException(ErrorCode.INVALID_SIGNATURE, message);
  }
}
