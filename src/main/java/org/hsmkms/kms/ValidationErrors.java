package org.hsmkms.kms;

import java.util.List;

/**
 * AWS's wording of ValidationException: the model's constraint form ("1 validation error detected:
 * Value '1025' at 'numberOfBytes' failed to satisfy constraint: ...") and the rules AWS checks
 * beyond the model. Part of the one place that words errors (see {@link Errors}).
 *
 * <p>Security: sensitive values (plaintext, public keys, encryption context values) are never
 * echoed.
 */
public final class ValidationErrors {
  private ValidationErrors() {}

  /**
   * One failed member constraint: "1 validation error detected: Value &lt;value&gt; at
   * '&lt;field&gt;' failed to satisfy constraint: &lt;constraint&gt;".
   */
  public static KmsException constraint(String value, String field, String constraint) {
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
   * The failed constraints of the model, each already worded ("Value null at 'keyId' failed to
   * satisfy constraint: Member must not be null"), joined as AWS joins them.
   */
  public static KmsException modelConstraints(List<String> failures) {
    String head =
        failures.size() == 1
            ? "1 validation error detected: "
            : failures.size() + " validation errors detected: ";
    return new KmsException(ErrorCode.VALIDATION, head + String.join("; ", failures));
  }

  /** GenerateRandom without NumberOfBytes (AWS's wording, not the model's). */
  public static KmsException numberOfBytesRequired() {
    return new KmsException(ErrorCode.VALIDATION, "NumberOfBytes is required.");
  }

  /** GenerateDataKey: exactly one of NumberOfBytes and KeySpec. */
  public static KmsException keySpecOrNumberOfBytes() {
    return new KmsException(
        ErrorCode.VALIDATION, "Please specify either number of bytes or key spec.");
  }

  /** CreateKey with both KeySpec and CustomerMasterKeySpec. */
  public static KmsException keySpecAndCustomerMasterKeySpec() {
    return new KmsException(
        ErrorCode.VALIDATION,
        "You cannot specify KeySpec and CustomerMasterKeySpec in the same request.");
  }

  /** CreateKey of a spec other than SYMMETRIC_DEFAULT without KeyUsage. */
  public static KmsException keyUsageRequired() {
    return new KmsException(
        ErrorCode.VALIDATION,
        "You must specify a KeyUsage value for all KMS keys except for symmetric encryption"
            + " keys.");
  }

  /** CreateKey: "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048" (no period). */
  public static KmsException keyUsageIncompatible(String usage, String spec) {
    return new KmsException(
        ErrorCode.VALIDATION, "KeyUsage " + usage + " is not compatible with KeySpec " + spec);
  }

  /** CreateKey: XksKeyId without Origin EXTERNAL_KEY_STORE. */
  public static KmsException xksKeyIdNotAllowed() {
    return new KmsException(
        ErrorCode.VALIDATION,
        "XksKeyId is valid only for KMS keys with an Origin of EXTERNAL_KEY_STORE.");
  }

  /** CreateKey: Origin EXTERNAL_KEY_STORE without XksKeyId. */
  public static KmsException xksKeyIdRequired() {
    return new KmsException(
        ErrorCode.VALIDATION,
        "XksKeyId is required for KMS keys with an Origin of EXTERNAL_KEY_STORE.");
  }

  /** CreateAlias, UpdateAlias, DeleteAlias: a name without the {@code alias/} prefix. */
  public static KmsException aliasPrefix() {
    return new KmsException(
        ErrorCode.VALIDATION,
        "Alias must start with the prefix \"alias/\". Please see "
            + "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html");
  }

  /** An alias name with characters outside AWS's set. */
  public static KmsException aliasCharacters(String aliasName) {
    return new KmsException(
        ErrorCode.VALIDATION, aliasName + " contains invalid characters for an alias");
  }

  /** CreateAlias or UpdateAlias whose TargetKeyId is an alias. */
  public static KmsException aliasTargetIsAlias() {
    return new KmsException(ErrorCode.VALIDATION, "Aliases must refer to keys. Not aliases");
  }

  /**
   * Encrypt with an RSA key and too much plaintext, AWS's words for every spec and algorithm:
   * "Algorithm RSAES_OAEP_SHA_1 and key spec RSA_2048 cannot encrypt data larger than 214 bytes."
   */
  public static KmsException plaintextTooLarge(String algorithm, String spec, int maxBytes) {
    return new KmsException(
        ErrorCode.VALIDATION,
        "Algorithm "
            + algorithm
            + " and key spec "
            + spec
            + " cannot encrypt data larger than "
            + maxBytes
            + " bytes.");
  }

  /** Encrypt, Decrypt, ReEncrypt: an encryption context with an asymmetric key. */
  public static KmsException encryptionContextWithAsymmetricKey() {
    return new KmsException(
        ErrorCode.VALIDATION, "EncryptionContext is not supported with asymmetric KMS keys.");
  }

  /** Sign, Verify: a MessageType the algorithm does not take. */
  public static KmsException messageType(String type, String algorithm) {
    return new KmsException(
        ErrorCode.VALIDATION, "MessageType " + type + " is not valid for " + algorithm + ".");
  }

  /** Sign, Verify: an algorithm that signs RAW messages only. */
  public static KmsException messageTypeRawOnly(String type, String algorithm) {
    return new KmsException(
        ErrorCode.VALIDATION,
        "MessageType " + type + " is not valid for " + algorithm + "; use RAW.");
  }

  /** Sign, Verify with MessageType DIGEST: a digest of the wrong length. */
  public static KmsException digestLength(String algorithm) {
    return new KmsException(
        ErrorCode.VALIDATION, "Digest is invalid length for algorithm " + algorithm + ".");
  }

  /**
   * DeriveSharedSecret with a PublicKey that is not a valid public key on the key's curve: AWS
   * answers ValidationException with an empty message (recorded from AWS; LocalStack answers the
   * same).
   *
   * <p>Security: nothing of the public key is echoed.
   */
  public static KmsException publicKeyNotValid() {
    return new KmsException(ErrorCode.VALIDATION, "");
  }
}
