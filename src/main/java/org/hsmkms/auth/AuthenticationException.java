package org.hsmkms.auth;

/**
 * A request whose sender could not be established, as one of the four kinds AWS answers with and
 * AWS's message. The API turns the kind into its wire error type.
 *
 * <p>Security: messages never contain secrets, signing keys or the expected signature.
 */
public final class AuthenticationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The authentication failures of the AWS JSON protocol. */
  public enum Kind {
    /** No Authorization header (MissingAuthenticationTokenException). */
    MISSING_AUTHENTICATION_TOKEN,
    /** A malformed or incomplete Authorization header (IncompleteSignatureException). */
    INCOMPLETE_SIGNATURE,
    /** An unknown access key or a session token (UnrecognizedClientException). */
    UNRECOGNIZED_CLIENT,
    /**
     * A wrong signature, a body that is not the one signed, a wrong credential scope or a request
     * time too far from ours (InvalidSignatureException).
     */
    INVALID_SIGNATURE
  }

  private final Kind kind;

  public AuthenticationException(Kind kind, String message) {
    // No stack trace: refusals are frequent and expected, and the trace would say nothing.
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
