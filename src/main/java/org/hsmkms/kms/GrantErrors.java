package org.hsmkms.kms;

import java.util.List;

/**
 * The wording of the errors of grants (CreateGrant, RetireGrant, RevokeGrant, grant tokens). Part
 * of the one place that words errors (see {@link Errors}).
 *
 * <p>Security: a grant token is never echoed; nor are encryption context values of a constraint.
 */
public final class GrantErrors {
  private GrantErrors() {}

  /** A grant token that is not one this service gave out. */
  public static KmsException invalidGrantToken() {
    return new KmsException(ErrorCode.INVALID_GRANT_TOKEN, "Invalid grant token.");
  }

  /** RetireGrant with a well-formed grant token whose grant no longer exists. */
  public static KmsException grantTokenNotFound() {
    return new KmsException(ErrorCode.NOT_FOUND, "Grant token not found");
  }

  /** A grant id the key does not have. */
  public static KmsException grantNotFound(String grantId) {
    return new KmsException(ErrorCode.NOT_FOUND, "Grant ID " + grantId + " not found");
  }

  /** RetireGrant naming its grant neither by token nor by key and grant id. */
  public static KmsException grantIdentification() {
    return new KmsException(
        ErrorCode.VALIDATION, "Either GrantToken or both KeyId and GrantId must be specified.");
  }

  /** CreateGrant beyond the grants a key may have. */
  public static KmsException tooManyGrants(String keyId, int max) {
    return new KmsException(
        ErrorCode.LIMIT_EXCEEDED, "The number of grants on " + keyId + " exceeds " + max + ".");
  }

  /** CreateGrant beyond the grants a key may have for one grantee principal. */
  public static KmsException tooManyGrantsForGrantee(String keyId, String grantee, int max) {
    return new KmsException(
        ErrorCode.LIMIT_EXCEEDED,
        "The number of grants on "
            + keyId
            + " for grantee principal "
            + grantee
            + " exceeds "
            + max
            + ".");
  }

  /** A grantee or retiring principal that is not a principal ARN or service principal. */
  public static KmsException invalidPrincipal(String field, String principal) {
    return new KmsException(ErrorCode.VALIDATION, "Invalid " + field + ": " + principal);
  }

  /** CreateGrant allowing operations the key does not support. */
  public static KmsException operationsNotSupportedByKey(
      List<String> operations, String spec, String usage) {
    return new KmsException(
        ErrorCode.VALIDATION,
        "Grant operations "
            + operations
            + " are not supported by a "
            + spec
            + " key with key usage "
            + usage
            + ".");
  }

  /** Encryption context constraints on a key whose operations take no encryption context. */
  public static KmsException constraintsNeedSymmetricKey() {
    return new KmsException(
        ErrorCode.VALIDATION,
        "Encryption context grant constraints are supported only for symmetric encryption KMS"
            + " keys.");
  }

  /** A constraint with too many encryption context pairs. */
  public static KmsException tooManyConstraintPairs(String constraint, int max) {
    return new KmsException(
        ErrorCode.VALIDATION,
        constraint + " can include at most " + max + " encryption context pairs.");
  }

  /** A constraint value that is too long; the value itself is never echoed. */
  public static KmsException constraintValueTooLong(String constraint, int maxChars) {
    return new KmsException(
        ErrorCode.VALIDATION,
        "An encryption context value in " + constraint + " exceeds " + maxChars + " characters.");
  }
}
