package org.hsmkms.kms;

/**
 * The wording of the errors of imported key material (GetParametersForImport, ImportKeyMaterial,
 * DeleteImportedKeyMaterial). Part of the one place that words errors (see {@link Errors}).
 *
 * <p>Security: an import token and wrapped material are never echoed.
 */
public final class ImportErrors {
  private ImportErrors() {}

  /** ImportKeyMaterial with an import token past its validity. */
  public static KmsException importTokenExpired() {
    return new KmsException(ErrorCode.EXPIRED_IMPORT_TOKEN, "Import token expired.");
  }

  /** ImportKeyMaterial with an import token not given out for this key. */
  public static KmsException invalidImportToken(String keyArn) {
    return new KmsException(
        ErrorCode.INVALID_IMPORT_TOKEN, "Import token is invalid for " + keyArn + ".");
  }

  /** ImportKeyMaterial whose key was deleted while the material was unwrapped. */
  public static KmsException keyGone(String keyArn) {
    return new KmsException(ErrorCode.NOT_FOUND, keyArn + " is gone.");
  }

  /**
   * An import, deletion or expiry of a key's material while another node of the cluster does one
   * (AWS lists KMSInvalidStateException for both operations; the client may retry).
   */
  public static KmsException materialBusyOnAnotherNode(String keyArn) {
    return new KmsException(
        ErrorCode.INVALID_STATE,
        "The key material of "
            + keyArn
            + " is being imported or deleted by another node at this moment; try again.");
  }

  /** ImportType EXISTING_KEY_MATERIAL for a key that never had imported material. */
  public static KmsException noMaterialImportedBefore(String keyArn) {
    return new KmsException(
        ErrorCode.VALIDATION,
        "ImportType EXISTING_KEY_MATERIAL needs key material imported into " + keyArn + " before.");
  }

  /** Reimport of material other than the key's first (AWS's IncorrectKeyMaterialException). */
  public static KmsException incorrectKeyMaterial() {
    return new KmsException(
        ErrorCode.INCORRECT_KEY_MATERIAL,
        "The key material is not the key material previously imported into this key.");
  }

  /** An RSAES_OAEP_* wrapping algorithm for asymmetric material, which needs RSA_AES_*. */
  public static KmsException wrappingCannotWrap(String algorithm, String spec) {
    return new KmsException(
        ErrorCode.VALIDATION,
        "WrappingAlgorithm "
            + algorithm
            + " cannot wrap key material of KeySpec "
            + spec
            + ". Use RSA_AES_KEY_WRAP_SHA_1 or RSA_AES_KEY_WRAP_SHA_256.");
  }

  /** ValidTo with ExpirationModel KEY_MATERIAL_DOES_NOT_EXPIRE. */
  public static KmsException validToNotAllowed() {
    return new KmsException(
        ErrorCode.VALIDATION,
        "ValidTo must not be specified when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.");
  }

  /** ExpirationModel KEY_MATERIAL_EXPIRES without ValidTo. */
  public static KmsException validToRequired() {
    return new KmsException(
        ErrorCode.VALIDATION, "ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES.");
  }

  /** ValidTo in the past. */
  public static KmsException validToInThePast() {
    return new KmsException(ErrorCode.VALIDATION, "ValidTo must be in the future.");
  }

  /** ValidTo more than 365 days ahead. */
  public static KmsException validToTooLate() {
    return new KmsException(
        ErrorCode.VALIDATION, "ValidTo must be at most 365 days from the request date.");
  }
}
