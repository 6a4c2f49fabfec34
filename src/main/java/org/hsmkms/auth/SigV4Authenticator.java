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
import java.util.List;
import java.util.Locale;
import org.hsmkms.auth.AuthenticationException.Kind;

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
    return authenticate(request, checkHeaders(request));
  }

  /**
   * Everything but the signature, which covers the body: the Authorization header's shape, the
   * date, the credential scope, the access key, the clock skew and the signed headers, in the order
   * (and with the answers) of a full check. Runs before the body is read, so that such a request is
   * refused without receiving its body.
   */
  @Override
  public HeaderCheck checkHeaders(SignedRequest request) {
    List<String> authorization = request.headers().get("authorization");
    if (authorization == null || authorization.isEmpty()) {
      throw new AuthenticationException(
          Kind.MISSING_AUTHENTICATION_TOKEN, "Missing Authentication Token");
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
      throw new AuthenticationException(Kind.UNRECOGNIZED_CLIENT, INVALID_TOKEN);
    }
    if (credentials.find(scope.accessKeyId) == null) {
      throw new AuthenticationException(Kind.UNRECOGNIZED_CLIENT, INVALID_TOKEN);
    }
    checkSkew(time.instant);
    checkSignedHeaders(request, auth.signedHeaders, time.headerName);
    return new HeaderCheck(
        auth.signedHeaders,
        auth.signature,
        scope.accessKeyId,
        scope.date,
        scope.region,
        time.amzDate);
  }

  @Override
  public Caller authenticate(SignedRequest request, HeaderCheck checked) {
    if (checked == null) {
      checked = checkHeaders(request);
    }
    // Looked up again: a key revoked while the body arrived is refused.
    Credential credential = credentials.find(checked.accessKeyId);
    if (credential == null) {
      throw new AuthenticationException(Kind.UNRECOGNIZED_CLIENT, INVALID_TOKEN);
    }
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
            checked.signedHeaders,
            request.headers(),
            payloadHash);
    String scopeString =
        checked.scopeDate + '/' + checked.region + '/' + service + '/' + SigV4.TERMINATOR;
    String stringToSign = SigV4.stringToSign(checked.amzDate, scopeString, canonical);
    byte[] expected =
        SigV4.hex(
                SigV4.hmac(
                    credential.signingKey(checked.scopeDate, checked.region, service),
                    stringToSign))
            .getBytes(StandardCharsets.US_ASCII);
    byte[] given = checked.signature.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    boolean match =
        SigV4Shapes.isSignatureShape(checked.signature) && MessageDigest.isEqual(expected, given);
    Arrays.fill(expected, (byte) 0);
    if (!match) {
      throw invalid(SIGNATURE_MISMATCH);
    }
    return new Caller(
        credential.account(), checked.region, credential.principalArn(), credential.accessKeyId());
  }

  /** The three parameters of an {@code AWS4-HMAC-SHA256} Authorization header. */
  private record Authorization(String credential, List<String> signedHeaders, String signature) {}

  private record Scope(String accessKeyId, String date, String region) {}

  private record SignedTime(Instant instant, String amzDate, String headerName) {}

  private static Authorization parse(String header) {
    int space = header.indexOf(' ');
    String algorithm = space < 0 ? header : header.substring(0, space);
    String rest = space < 0 ? "" : header.substring(space + 1);
    // The first of each of the three parameters counts; others are checked for shape, then ignored.
    String credential = null;
    String signature = null;
    String signedHeaders = null;
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
        if (credential == null && p.startsWith("Credential=")) {
          credential = p.substring(eq + 1);
        } else if (signature == null && p.startsWith("Signature=")) {
          signature = p.substring(eq + 1);
        } else if (signedHeaders == null && p.startsWith("SignedHeaders=")) {
          signedHeaders = p.substring(eq + 1);
        }
      }
    } else if (algorithm.startsWith("AWS4-")) {
      throw incomplete("Unsupported AWS 'algorithm': '" + algorithm + "'.");
    }
    StringBuilder missing = new StringBuilder();
    missing(missing, "Credential", credential);
    missing(missing, "Signature", signature);
    missing(missing, "SignedHeaders", signedHeaders);
    if (missing.length() > 0) {
      throw incomplete(missing + "Authorization=" + header);
    }
    List<String> signed = new ArrayList<>(8);
    // As String.split(";"): trailing empty names are dropped, others are refused below.
    int end = signedHeaders.length();
    while (end > 0 && signedHeaders.charAt(end - 1) == ';') {
      end--;
    }
    int start = 0;
    while (end > 0) {
      int semicolon = signedHeaders.indexOf(';', start);
      int stop = semicolon < 0 || semicolon >= end ? end : semicolon;
      String name = signedHeaders.substring(start, stop);
      if (!SigV4Shapes.isHeaderName(name)) {
        throw incomplete("Invalid SignedHeaders in Authorization header: '" + header + "'.");
      }
      signed.add(name);
      if (stop == end) {
        break;
      }
      start = stop + 1;
    }
    return new Authorization(credential, signed, signature);
  }

  private static void missing(StringBuilder missing, String name, String value) {
    if (value == null || value.isEmpty()) {
      missing.append("Authorization header requires '").append(name).append("' parameter. ");
    }
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
      if (!SigV4Shapes.isAmzDateShape(amzDate)) {
        throw incomplete(badDate(amzDate));
      }
      try {
        // The shape is checked above: read the digits directly (a formatter costs more).
        Instant t =
            LocalDateTime.of(
                    SigV4Shapes.digits(amzDate, 0, 4),
                    SigV4Shapes.digits(amzDate, 4, 6),
                    SigV4Shapes.digits(amzDate, 6, 8),
                    SigV4Shapes.digits(amzDate, 9, 11),
                    SigV4Shapes.digits(amzDate, 11, 13),
                    SigV4Shapes.digits(amzDate, 13, 15))
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
        || !(parts[1].length() == 8 && SigV4Shapes.allDigits(parts[1], 0, 8))) {
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
    if (!SigV4Shapes.isRegion(parts[2])) {
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

  private static AuthenticationException incomplete(String message) {
    return new AuthenticationException(Kind.INCOMPLETE_SIGNATURE, message);
  }

  private static AuthenticationException invalid(String message) {
    return new AuthenticationException(Kind.INVALID_SIGNATURE, message);
  }
}
