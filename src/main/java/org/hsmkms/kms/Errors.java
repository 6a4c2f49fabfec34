package org.hsmkms.kms;

/**
 * AWS's wording of the errors about keys: resolution, authorization, usage, and the outcome of
 * cryptographic operations. With {@link ValidationErrors}, {@link GrantErrors}, {@link
 * ManagementErrors}, {@link ImportErrors}, {@link NotSupportedErrors} and {@link ProtocolErrors},
 * these classes are the one place that words what a client sees; nothing else in {@code src/main}
 * constructs a {@link KmsException} (ErrorsTest lists every message and checks that). Messages that
 * state a key's state belong to the key-state table.
 *
 * <p>Security: a message names keys, aliases, fields and algorithms; never plaintext, key material,
 * a PIN, or why a decryption failed.
 */
public final class Errors {
  static final String INTERNAL_MESSAGE = "An internal error occurred.";

  private Errors() {}

  /** NotFoundException for a key id or key ARN no visible key has (AWS's wording). */
  public static KmsException keyNotFound(String keyArn) {
    return new KmsException(ErrorCode.NOT_FOUND, "Key '" + keyArn + "' does not exist");
  }

  /** NotFoundException for an alias (name given as its ARN) that does not exist. */
  public static KmsException aliasNotFound(String aliasArn) {
    return new KmsException(ErrorCode.NOT_FOUND, "Alias " + aliasArn + " is not found.");
  }

  /**
   * NotFoundException for a key ARN that is not well formed, or of another region: AWS names the
   * ARN, or the region ("Invalid arn eu-west-1").
   */
  public static KmsException invalidArn(String arnOrRegion) {
    return new KmsException(ErrorCode.NOT_FOUND, "Invalid arn " + arnOrRegion);
  }

  /** NotFoundException for a key id that is neither a UUID nor a multi-Region key id. */
  public static KmsException invalidKeyId(String keyId) {
    return new KmsException(ErrorCode.NOT_FOUND, "Invalid keyId '" + keyId + "'");
  }

  /**
   * InvalidKeyUsageException: "&lt;key ARN&gt; key usage is SIGN_VERIFY which is not valid for
   * DeriveSharedSecret." (AWS's form for every operation that needs another key usage).
   */
  public static KmsException invalidKeyUsage(String keyArn, String usage, String operation) {
    return new KmsException(
        ErrorCode.INVALID_KEY_USAGE,
        keyArn + " key usage is " + usage + " which is not valid for " + operation + ".");
  }

  /** InvalidKeyUsageException for a key of the right usage but a spec the operation refuses. */
  public static KmsException invalidKeySpec(String keyArn, String spec, String operation) {
    return new KmsException(
        ErrorCode.INVALID_KEY_USAGE,
        keyArn + " key spec is " + spec + " which is not valid for " + operation + ".");
  }

  /** UnsupportedOperationException in the same form (GetPublicKey of a symmetric key). */
  public static KmsException unsupportedKeySpec(String keyArn, String spec, String operation) {
    return new KmsException(
        ErrorCode.UNSUPPORTED_OPERATION,
        keyArn + " key spec is " + spec + " which is not valid for " + operation + ".");
  }

  /** InvalidKeyUsageException for a signing, MAC or agreement algorithm the key does not list. */
  public static KmsException incompatibleAlgorithm(String algorithm, String spec) {
    return new KmsException(
        ErrorCode.INVALID_KEY_USAGE,
        "Algorithm " + algorithm + " is incompatible with key spec " + spec + ".");
  }

  /** InvalidKeyUsageException for an encryption algorithm the key does not list. */
  public static KmsException invalidEncryptionAlgorithm(String algorithm, String keyArn) {
    return new KmsException(
        ErrorCode.INVALID_KEY_USAGE,
        "The encryption algorithm " + algorithm + " is not valid for " + keyArn + ".");
  }

  /**
   * UnsupportedOperationException for a key of an origin the operation refuses: "&lt;key ARN&gt;
   * origin is AWS_KMS which is not valid for this operation." (AWS's wording).
   */
  public static KmsException invalidOrigin(String keyArn, String origin) {
    return new KmsException(
        ErrorCode.UNSUPPORTED_OPERATION,
        keyArn + " origin is " + origin + " which is not valid for this operation.");
  }

  /**
   * IncorrectKeyException: Decrypt's KeyId, or ReEncrypt's SourceKeyId, names a key that did not
   * encrypt the ciphertext or cannot decrypt (AWS's wording).
   */
  public static KmsException incorrectKey() {
    return new KmsException(
        ErrorCode.INCORRECT_KEY,
        "The key ID in the request does not identify a CMK that can perform this operation.");
  }

  /**
   * InvalidCiphertextException without a message: every decryption failure, whatever the cause.
   *
   * <p>Security: the cause is never told.
   */
  public static KmsException invalidCiphertext() {
    return new KmsException(ErrorCode.INVALID_CIPHERTEXT, null);
  }

  /** Verify: the signature does not verify (AWS answers this error without a message). */
  public static KmsException invalidSignature() {
    return new KmsException(ErrorCode.KMS_INVALID_SIGNATURE, null);
  }

  /** VerifyMac: the MAC does not verify (no message). */
  public static KmsException invalidMac() {
    return new KmsException(ErrorCode.KMS_INVALID_MAC, null);
  }

  /** DryRun of a request that would have succeeded (HTTP 400, as AWS answers it). */
  public static KmsException dryRun() {
    return new KmsException(
        ErrorCode.DRY_RUN_OPERATION,
        "The request would have succeeded, but the DryRun option is set.");
  }

  /** InvalidMarkerException for a Marker this service did not give out. */
  public static KmsException invalidMarker() {
    return new KmsException(ErrorCode.INVALID_MARKER, "Invalid marker");
  }

  /**
   * AccessDeniedException in AWS's wording; {@code resource} null names the key of a ciphertext
   * ("on the resource associated with this ciphertext"), {@code why} may be empty.
   */
  public static KmsException accessDenied(
      String principal, String action, String resource, String why) {
    return new KmsException(
        ErrorCode.ACCESS_DENIED,
        "User: "
            + principal
            + " is not authorized to perform: "
            + action
            + (resource == null
                ? " on the resource associated with this ciphertext"
                : " on resource: " + resource)
            + why);
  }

  /**
   * KMSInternalException with the one vague message; {@code cause} (may be null) goes to the log.
   */
  public static KmsException internal(Throwable cause) {
    return new KmsException(ErrorCode.INTERNAL, INTERNAL_MESSAGE, cause);
  }

  /** DependencyTimeoutException: the HSM did not answer in time. */
  public static KmsException dependencyTimeout(Throwable cause) {
    return new KmsException(
        ErrorCode.DEPENDENCY_TIMEOUT,
        "The system timed out while trying to fulfill the request.",
        cause);
  }

  /** KeyUnavailableException: the HSM does not hold the key's material. */
  public static KmsException keyMaterialUnavailable(Throwable cause) {
    return new KmsException(ErrorCode.KEY_UNAVAILABLE, "The key material is not available.", cause);
  }
}
