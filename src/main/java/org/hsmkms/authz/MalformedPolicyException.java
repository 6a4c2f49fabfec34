package org.hsmkms.authz;

/**
 * A policy document that AWS would refuse: not JSON, too large, or breaking the grammar. The
 * message says what is wrong in AWS's manner ("Policy contains a statement with no Effect"); the
 * service maps it to {@code MalformedPolicyDocumentException}.
 */
public final class MalformedPolicyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A refusal with the message the client sees. */
  public MalformedPolicyException(String message) {
    super(message, null, false, false);
  }
}
