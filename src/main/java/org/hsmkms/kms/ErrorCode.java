package org.hsmkms.kms;

/**
 * The AWS KMS error types this service answers with, and their HTTP status. This enum is the one
 * place where an error maps to its wire name and status.
 */
public enum ErrorCode {
  ALREADY_EXISTS("AlreadyExistsException", 400),
  /** RotateKeyOnDemand while a rotation of the key is in progress or due within 20 minutes. */
  CONFLICT("ConflictException", 400),
  CUSTOM_KEY_STORE_NOT_FOUND("CustomKeyStoreNotFoundException", 400),
  DEPENDENCY_TIMEOUT("DependencyTimeoutException", 500),
  DISABLED("DisabledException", 400),
  /**
   * AWS answers a dry run that would succeed with this error and HTTP 400 (as recorded from AWS;
   * the API model says 412).
   */
  DRY_RUN_OPERATION("DryRunOperationException", 400),
  INCORRECT_KEY("IncorrectKeyException", 400),
  INVALID_ALIAS_NAME("InvalidAliasNameException", 400),
  INVALID_ARN("InvalidArnException", 400),
  // Imported key material.
  EXPIRED_IMPORT_TOKEN("ExpiredImportTokenException", 400),
  INCORRECT_KEY_MATERIAL("IncorrectKeyMaterialException", 400),
  INVALID_IMPORT_TOKEN("InvalidImportTokenException", 400),
  INVALID_CIPHERTEXT("InvalidCiphertextException", 400),
  INVALID_GRANT_TOKEN("InvalidGrantTokenException", 400),
  INVALID_KEY_USAGE("InvalidKeyUsageException", 400),
  INVALID_MARKER("InvalidMarkerException", 400),
  INVALID_STATE("KMSInvalidStateException", 400),
  INTERNAL("KMSInternalException", 500),
  /** Verify: the signature does not verify (AWS answers an error, not SignatureValid=false). */
  KMS_INVALID_SIGNATURE("KMSInvalidSignatureException", 400),
  /** VerifyMac: the MAC does not verify. */
  KMS_INVALID_MAC("KMSInvalidMacException", 400),
  KEY_UNAVAILABLE("KeyUnavailableException", 500),
  LIMIT_EXCEEDED("LimitExceededException", 400),
  MALFORMED_POLICY_DOCUMENT("MalformedPolicyDocumentException", 400),
  NOT_FOUND("NotFoundException", 400),
  /**
   * Not in the KMS model: what AWS answers (without a message) for an alias name in the reserved
   * {@code alias/aws/} namespace (recorded by moto's test suite; see docs/key-usage.md).
   */
  NOT_AUTHORIZED("NotAuthorizedException", 400),
  TAG("TagException", 400),
  /**
   * Not in the KMS model: what AWS answers when a request quota is exceeded (HTTP 400). The AWS
   * SDKs treat it as retryable throttling.
   */
  THROTTLING("ThrottlingException", 400),
  UNSUPPORTED_OPERATION("UnsupportedOperationException", 400),
  // Protocol-level errors (not in the KMS model, but what the AWS JSON protocol answers).
  UNKNOWN_OPERATION("UnknownOperationException", 400),
  SERIALIZATION("SerializationException", 400),
  VALIDATION("ValidationException", 400),
  // Authentication (filled in by the request authenticator).
  MISSING_AUTHENTICATION_TOKEN("MissingAuthenticationTokenException", 400),
  INCOMPLETE_SIGNATURE("IncompleteSignatureException", 400),
  UNRECOGNIZED_CLIENT("UnrecognizedClientException", 400),
  INVALID_SIGNATURE("InvalidSignatureException", 400),
  ACCESS_DENIED("AccessDeniedException", 400),
  /** The request body exceeds the configured limit. */
  REQUEST_ENTITY_TOO_LARGE("RequestEntityTooLargeException", 413);

  private final String awsType;
  private final int httpStatus;

  ErrorCode(String awsType, int httpStatus) {
    this.awsType = awsType;
    this.httpStatus = httpStatus;
  }

  /** The {@code __type} on the wire. */
  public String awsType() {
    return awsType;
  }

  public int httpStatus() {
    return httpStatus;
  }
}
