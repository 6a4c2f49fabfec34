package org.hsmkms.kms;

import java.time.Instant;
import java.util.List;

/**
 * What DescribeKey and CreateKey report about a key, in AWS's terms. The algorithm lists are empty
 * when they do not apply to the key (AWS then omits them). {@code currentKeyMaterialId} (the API's
 * form, {@link KeyMaterialIds}) is reported for symmetric encryption keys only, null otherwise.
 * {@code multiRegionConfiguration} is null for a single-Region key; {@code
 * pendingDeletionWindowInDays} is set only in the state PendingReplicaDeletion (AWS). {@code
 * expirationModel} and {@code validTo} describe imported key material in use (null otherwise;
 * validTo null when it does not expire).
 */
public record KeyMetadata(
    String account,
    String keyId,
    String arn,
    Instant creationDate,
    boolean enabled,
    String description,
    String keyUsage,
    String keyState,
    Instant deletionDate,
    String origin,
    String keySpec,
    List<String> encryptionAlgorithms,
    List<String> signingAlgorithms,
    List<String> macAlgorithms,
    List<String> keyAgreementAlgorithms,
    String currentKeyMaterialId,
    MultiRegionConfiguration multiRegionConfiguration,
    Integer pendingDeletionWindowInDays,
    String expirationModel,
    Instant validTo) {

  /** Whether the key is one region's key of a multi-Region key. */
  public boolean multiRegion() {
    return multiRegionConfiguration != null;
  }
}
