package org.hsmkms.kms;

/**
 * The wording of the errors of the AWS JSON protocol, before any operation runs: unknown
 * operations, unreadable bodies, body size, authentication. Part of the one place that words errors
 * (see {@link Errors}); the API layer answers with these.
 *
 * <p>Security: nothing of the request body is echoed, except a member's path.
 */
public final class ProtocolErrors {
  private ProtocolErrors() {}

  /** An X-Amz-Target or path that names no operation (AWS answers without a message). */
  public static KmsException unknownOperation() {
    return new KmsException(ErrorCode.UNKNOWN_OPERATION, null);
  }

  /** A body beyond the configured limit. */
  public static KmsException requestTooLarge(long maxBodyBytes) {
    return new KmsException(
        ErrorCode.REQUEST_ENTITY_TOO_LARGE,
        "The request body exceeds the limit of " + maxBodyBytes + " bytes.");
  }

  /** A request whose body could not be received. */
  public static KmsException requestUnreadable() {
    return new KmsException(ErrorCode.SERIALIZATION, "The request could not be read.");
  }

  /** A body that is not JSON. */
  public static KmsException bodyNotJson() {
    return new KmsException(ErrorCode.SERIALIZATION, "The request body is not valid JSON.");
  }

  /** A body that could not be read as text. */
  public static KmsException bodyUnreadable() {
    return new KmsException(ErrorCode.SERIALIZATION, "The request body could not be read.");
  }

  /** A body that is JSON but not an object (AWS's wording). */
  public static KmsException notAnObject() {
    return new KmsException(
        ErrorCode.SERIALIZATION, "Start of structure or map found where not expected.");
  }

  /** A member whose JSON type is not the model's. */
  public static KmsException unexpectedType(String path) {
    return new KmsException(ErrorCode.SERIALIZATION, "Unexpected value type for '" + path + "'.");
  }

  /** A blob member that is not base64. */
  public static KmsException notBase64(String path) {
    return new KmsException(
        ErrorCode.SERIALIZATION, "Value for '" + path + "' is not valid base64.");
  }

  /**
   * A refused authentication: one of the four authentication error types, with the authenticator's
   * message (AWS's wording, made in the auth package).
   */
  public static KmsException authentication(ErrorCode code, String message) {
    return new KmsException(code, message);
  }

  /**
   * A request over one of its caller's request quotas, or one that its work class has no room for
   * (AWS's wording). It says nothing about which quota or whose load: a caller learns only that it
   * should slow down.
   */
  public static KmsException throttled() {
    return new KmsException(
        ErrorCode.THROTTLING,
        "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.");
  }
}
