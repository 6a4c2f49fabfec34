package org.hsmkms.kms;

/**
 * UnsupportedOperationException for what AWS offers and this service does not: the wording is this
 * service's own ("... is not supported by this service."), as docs/api-compatibility.md lists. Part
 * of the one place that words errors (see {@link Errors}).
 */
public final class NotSupportedErrors {
  private NotSupportedErrors() {}

  /** An operation of the model that this service does not implement yet. */
  public static KmsException operation(String operation) {
    return unsupported(operation + " is not supported by this service yet.");
  }

  /** A Recipient (Nitro Enclaves attestation) in Decrypt, GenerateDataKey... */
  public static KmsException recipient() {
    return unsupported("Recipient (attested enclaves) is not supported by this service.");
  }

  /** CreateKey of a KeySpec the HSM cannot make. */
  public static KmsException keySpec(String spec) {
    return unsupported("KeySpec " + spec + " is not supported by this service.");
  }

  /** GenerateDataKeyPair of a KeyPairSpec this service cannot make. */
  public static KmsException keyPairSpec(String spec) {
    return unsupported("KeyPairSpec " + spec + " is not supported by this service.");
  }

  /** CreateKey of an Origin other than AWS_KMS and EXTERNAL. */
  public static KmsException origin(String origin) {
    return unsupported("Origin " + origin + " is not supported by this service.");
  }

  /** CreateKey of a multi-Region key with Origin EXTERNAL. */
  public static KmsException multiRegionImportedMaterial() {
    return unsupported(
        "Multi-Region keys with imported key material are not supported by this service.");
  }

  /** GetParametersForImport for a key of a spec whose material cannot be imported here. */
  public static KmsException importOfKeySpec(String spec) {
    return unsupported(
        "Importing key material of KeySpec " + spec + " is not supported by this service.");
  }

  /** A WrappingAlgorithm this service does not unwrap. */
  public static KmsException wrappingAlgorithm(String algorithm) {
    return unsupported("WrappingAlgorithm " + algorithm + " is not supported.");
  }

  /** A WrappingKeySpec this service does not make. */
  public static KmsException wrappingKeySpec(String spec) {
    return unsupported("WrappingKeySpec " + spec + " is not supported.");
  }

  /** ImportType NEW_KEY_MATERIAL for a key that has had material: one material per key here. */
  public static KmsException newMaterialForKeyWithMaterial() {
    return unsupported(
        "ImportType NEW_KEY_MATERIAL for a key that has had key material is not supported by"
            + " this service.");
  }

  /** DeleteImportedKeyMaterial with a KeyMaterialId: a key has one imported material here. */
  public static KmsException keyMaterialId() {
    return unsupported(
        "KeyMaterialId is not supported by this service: a key has one imported material.");
  }

  /** ImportKeyMaterial with KeyMaterialId or KeyMaterialDescription. */
  public static KmsException keyMaterialIdAndDescription() {
    return unsupported(
        "KeyMaterialId and KeyMaterialDescription are not supported by this service: a key has"
            + " one imported material.");
  }

  private static KmsException unsupported(String message) {
    return new KmsException(ErrorCode.UNSUPPORTED_OPERATION, message);
  }
}
