package org.hsmkms.kms;

import org.hsmkms.hsm.HsmException;

/**
 * An error the client sees: an {@link ErrorCode} and a message in AWS's wording.
 *
 * <p>Security: messages name keys and fields, never plaintext, key material or the reason a
 * decryption failed.
 */
public class KmsException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  public KmsException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public KmsException(ErrorCode code, String message, Throwable cause) {
    super(message, cause, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  /** The one message every decryption failure gets, whatever the cause. */
  public static KmsException invalidCiphertext() {
    return new KmsException(ErrorCode.INVALID_CIPHERTEXT, null);
  }

  /** AWS's wording for one failed field constraint. */
  public static KmsException validation(String value, String field, String constraint) {
    return new KmsException(
        ErrorCode.VALIDATION,
        "1 validation error detected: Value "
            + value
            + " at '"
            + field
            + "' failed to satisfy constraint: "
            + constraint);
  }

  /**
   * Turns a failure of any layer into the error the client sees. HSM and database details go to the
   * log, not to the client.
   */
  public static KmsException from(RuntimeException e) {
    if (e instanceof KmsException k) {
      return k;
    }
    if (e instanceof HsmException h) {
      return switch (h.kind()) {
        case UNAVAILABLE ->
            new KmsException(
                ErrorCode.DEPENDENCY_TIMEOUT,
                "The system timed out while trying to fulfill the request.",
                h);
        case KEY_NOT_FOUND ->
            new KmsException(ErrorCode.KEY_UNAVAILABLE, "The key material is not available.", h);
        case AUTHENTICATION_FAILED -> KmsException.invalidCiphertext();
        case INTERNAL -> new KmsException(ErrorCode.INTERNAL, "An internal error occurred.", h);
      };
    }
    return new KmsException(ErrorCode.INTERNAL, "An internal error occurred.", e);
  }
}
