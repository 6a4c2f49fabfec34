package org.hsmkms.audit;

/** An audit record could not be written. Carries no part of the record. */
public class AuditException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AuditException(String message, Throwable cause) {
    super(message, cause);
  }
}
