package org.hsmkms.hsm;

/**
 * A failure reported by the HSM or its wrapper. Carries the {@code CKR_*} code by name and value so
 * callers decide by code, never by message text. Never carries key material or PINs.
 */
public class HsmException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, in the terms the service layer decides on. */
  public enum Kind {
    /** The HSM could not be reached or the session pool was exhausted within its bound. */
    UNAVAILABLE,
    /** A decryption did not authenticate (wrong key, AAD, IV or tampered ciphertext). */
    AUTHENTICATION_FAILED,
    /** The named key object does not exist on the token. */
    KEY_NOT_FOUND,
    /** Anything else. */
    INTERNAL
  }

  private final Kind kind;
  private final long ckr;

  public HsmException(Kind kind, String message, long ckr, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.ckr = ckr;
  }

  public HsmException(Kind kind, String message) {
    this(kind, message, -1, null);
  }

  public Kind kind() {
    return kind;
  }

  /** The {@code CKR_*} value, or -1 when the failure did not come from a Cryptoki call. */
  public long ckr() {
    return ckr;
  }

  public boolean isAuthenticationFailure() {
    return kind == Kind.AUTHENTICATION_FAILED;
  }
}
