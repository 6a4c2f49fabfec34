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

  /** The one message every decryption failure gets, whatever the cause: {@link Errors}. */
  public static KmsException invalidCiphertext() {
    return Errors.invalidCiphertext();
  }

  /** AWS's wording for one failed field constraint: {@link ValidationErrors#constraint}. */
  public static KmsException validation(String value, String field, String constraint) {
    return ValidationErrors.constraint(value, field, constraint);
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
        case UNAVAILABLE -> Errors.dependencyTimeout(h);
        case KEY_NOT_FOUND -> Errors.keyMaterialUnavailable(h);
        case AUTHENTICATION_FAILED -> Errors.invalidCiphertext();
        case INTERNAL -> Errors.internal(h);
      };
    }
    return Errors.internal(e);
  }
}
