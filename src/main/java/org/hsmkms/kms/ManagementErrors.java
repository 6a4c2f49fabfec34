package org.hsmkms.kms;

/**
 * The wording of the errors of managing keys: aliases, tags, key policies, custom key stores,
 * rotation, usage limits and multi-Region keys. Part of the one place that words errors (see {@link
 * Errors}). Messages that state a key's state belong to the key-state table.
 */
public final class ManagementErrors {
  private ManagementErrors() {}

  /** CreateAlias with a name the account and region already have. */
  public static KmsException aliasExists(String aliasArn) {
    return new KmsException(
        ErrorCode.ALREADY_EXISTS, "An alias with the name " + aliasArn + " already exists");
  }

  /**
   * An alias name in the reserved {@code alias/aws/} namespace: NotAuthorizedException without a
   * message (recorded by moto's test suite).
   */
  public static KmsException aliasReserved() {
    return new KmsException(ErrorCode.NOT_AUTHORIZED, null);
  }

  /** TagResource or CreateKey naming one tag key twice. */
  public static KmsException duplicateTagKeys() {
    return new KmsException(ErrorCode.TAG, "Duplicate tag keys");
  }

  /** CreateKey with more than 50 tags (AWS: TagException "Too many tags"). */
  public static KmsException tooManyTags() {
    return new KmsException(ErrorCode.TAG, "Too many tags");
  }

  /** TagResource that would leave a key with more tags than it may have. */
  public static KmsException tagLimit(int max) {
    return new KmsException(
        ErrorCode.LIMIT_EXCEEDED, "A KMS key can have at most " + max + " tags.");
  }

  /** A tag key beginning with {@code aws:}, in any case (AWS's wording). */
  public static KmsException reservedTagPrefix() {
    return new KmsException(ErrorCode.TAG, "Tags beginning with aws: are reserved");
  }

  /** A CustomKeyStoreId: this service has no custom key stores. */
  public static KmsException customKeyStoreNotFound(String customKeyStoreId) {
    return new KmsException(
        ErrorCode.CUSTOM_KEY_STORE_NOT_FOUND,
        "Custom key store " + customKeyStoreId + " does not exist.");
  }

  /** A key policy larger than AWS's limit: a resource quota, so LimitExceededException. */
  public static KmsException policyTooLarge(int maxBytes) {
    return new KmsException(
        ErrorCode.LIMIT_EXCEEDED, "The key policy is larger than " + maxBytes + " bytes.");
  }

  /** CreateKey or ReplicateKey beyond the keys an account may have in a region (AWS's wording). */
  public static KmsException keyQuota(long quota, long usage) {
    return new KmsException(
        ErrorCode.LIMIT_EXCEEDED,
        "Key quota for this account in this region is "
            + quota
            + " but the current usage is "
            + usage
            + ".");
  }

  /** CreateAlias or UpdateAlias naming a key that has as many aliases as it may have. */
  public static KmsException aliasQuota(String keyArn, int max) {
    return new KmsException(
        ErrorCode.LIMIT_EXCEEDED, "The number of aliases on " + keyArn + " exceeds " + max + ".");
  }

  /** A key policy the policy parser refuses, with the parser's description of the fault. */
  public static KmsException malformedPolicy(String fault) {
    return new KmsException(ErrorCode.MALFORMED_POLICY_DOCUMENT, fault);
  }

  /** A key policy that would lock the caller out (BypassPolicyLockoutSafetyCheck not set). */
  public static KmsException policyLockout() {
    return new KmsException(
        ErrorCode.MALFORMED_POLICY_DOCUMENT,
        "The new key policy will not allow you to update the key policy in the future.");
  }

  /** GetKeyPolicy or PutKeyPolicy with a PolicyName other than {@code default}. */
  public static KmsException policyNotFound(String policyName, String keyArn) {
    return new KmsException(
        ErrorCode.NOT_FOUND, "Policy '" + policyName + "' does not exist on key '" + keyArn + "'");
  }

  /** RotateKeyOnDemand beyond the on-demand rotations a key may have. */
  public static KmsException onDemandRotationQuota(String keyArn, int limit) {
    return new KmsException(
        ErrorCode.LIMIT_EXCEEDED,
        "On-demand rotations quota exceeded for "
            + keyArn
            + ": at most "
            + limit
            + " on-demand rotations per key.");
  }

  /** RotateKeyOnDemand while a rotation is in progress or due within 20 minutes. */
  public static KmsException rotationConflict(String keyArn) {
    return new KmsException(
        ErrorCode.CONFLICT,
        "A rotation of "
            + keyArn
            + " is in progress or scheduled to begin within the next 20 minutes.");
  }

  /** RotateKeyOnDemand whose key changed after it was checked and cannot be rotated now. */
  public static KmsException cannotRotateNow(String keyArn) {
    return new KmsException(ErrorCode.INVALID_STATE, keyArn + " cannot be rotated now.");
  }

  /** Rotation of a multi-Region replica: it is managed on the primary key (wording ours). */
  public static KmsException rotationOfReplica(String keyArn) {
    return new KmsException(
        ErrorCode.UNSUPPORTED_OPERATION,
        keyArn + " is a multi-Region replica key: rotation is managed on its primary key.");
  }

  /** Rotation of a key that is not a symmetric encryption key (local-kms's wording). */
  public static KmsException notSymmetricEncryptionKey(String keyArn) {
    return new KmsException(
        ErrorCode.UNSUPPORTED_OPERATION, keyArn + " is not a symmetric encryption KMS key.");
  }

  /** Encrypt with a key whose current material has reached its configured usage limit. */
  public static KmsException usageLimitReached(String keyArn, long limit) {
    return new KmsException(
        ErrorCode.INVALID_STATE,
        keyArn
            + " cannot encrypt: its current key material has reached its limit of "
            + limit
            + " encryptions. Rotate the key.");
  }

  /** ReplicateKey or UpdatePrimaryRegion on a single-Region key. */
  public static KmsException notMultiRegion(String keyArn) {
    return new KmsException(
        ErrorCode.UNSUPPORTED_OPERATION, keyArn + " is not a multi-Region key.");
  }

  /** ReplicateKey on a replica key. */
  public static KmsException replicateReplica(String keyArn) {
    return new KmsException(
        ErrorCode.UNSUPPORTED_OPERATION,
        keyArn + " is a replica key; only the primary key can be replicated.");
  }

  /** ReplicateKey into a region that has the key already. */
  public static KmsException replicaExists(String replicaArn) {
    return new KmsException(ErrorCode.ALREADY_EXISTS, "Key " + replicaArn + " already exists.");
  }

  /** UpdatePrimaryRegion on a key that is not the primary key. */
  public static KmsException notPrimary(String keyArn) {
    return new KmsException(
        ErrorCode.UNSUPPORTED_OPERATION,
        keyArn + " is not the primary key of its multi-Region key.");
  }

  /** UpdatePrimaryRegion to the region of the primary key. */
  public static KmsException alreadyPrimary(String keyArn) {
    return new KmsException(
        ErrorCode.UNSUPPORTED_OPERATION, keyArn + " is already the primary key.");
  }
}
