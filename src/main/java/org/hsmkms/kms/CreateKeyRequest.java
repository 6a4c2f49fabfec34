package org.hsmkms.kms;

import java.util.List;

/**
 * CreateKey's parameters, already checked against the API model's types, lengths and enums. Null
 * means "not given".
 */
public record CreateKeyRequest(
    String keySpec,
    String customerMasterKeySpec,
    String keyUsage,
    String origin,
    String description,
    String policy,
    List<Tag> tags,
    Boolean multiRegion,
    String customKeyStoreId,
    boolean bypassPolicyLockoutSafetyCheck,
    String xksKeyId) {

  /** Without an XksKeyId. */
  public CreateKeyRequest(
      String keySpec,
      String customerMasterKeySpec,
      String keyUsage,
      String origin,
      String description,
      String policy,
      List<Tag> tags,
      Boolean multiRegion,
      String customKeyStoreId,
      boolean bypassPolicyLockoutSafetyCheck) {
    this(
        keySpec,
        customerMasterKeySpec,
        keyUsage,
        origin,
        description,
        policy,
        tags,
        multiRegion,
        customKeyStoreId,
        bypassPolicyLockoutSafetyCheck,
        null);
  }
}
