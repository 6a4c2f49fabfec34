package org.hsmkms.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One CMK's metadata row. Holds no key material: the material lives in the HSM under {@code
 * materialId} (its {@code CKA_ID}).
 *
 * @param keyId the row id, unique across all accounts and regions: the key's UUID string, or for a
 *     multi-Region key {@code mrk-<32 hex>/<region>} (one row per region); never shown to a client
 *     as it is: clients see {@link #publicId()}
 * @param account the owning account id
 * @param region the region the key lives in
 * @param keyState persisted state name: the AWS KeyState names, plus the internal {@code Creating}
 *     and {@code Deleting} used to make CreateKey and deletion crash-safe
 * @param keySpec AWS KeySpec, e.g. {@code SYMMETRIC_DEFAULT}
 * @param keyUsage AWS KeyUsage, e.g. {@code ENCRYPT_DECRYPT}
 * @param origin AWS Origin, e.g. {@code AWS_KMS}
 * @param description free text, never null (empty when unset)
 * @param policy the key policy document as given (returned by GetKeyPolicy as stored)
 * @param creationDate when the key was created
 * @param deletionDate when a pending deletion is due; null unless pending deletion
 * @param pendingWindowDays the waiting period of a pending deletion; null otherwise
 * @param currentMaterialId the HSM object id (hex) of the material used for new encryptions
 * @param version the row's version as read: {@link MetadataStore#updateKey} writes the row only if
 *     it still has this version (a compare-and-set), and raises it by one; 0 for a new row
 */
public record KeyRecord(
    String keyId,
    String account,
    String region,
    String keyState,
    String keySpec,
    String keyUsage,
    String origin,
    String description,
    String policy,
    Instant creationDate,
    Instant deletionDate,
    Integer pendingWindowDays,
    String currentMaterialId,
    long version) {

  /** Prefix of multi-Region key ids. */
  public static final String MULTI_REGION_PREFIX = "mrk-";

  public KeyRecord {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(keyState, "keyState");
    Objects.requireNonNull(creationDate, "creationDate");
    description = description == null ? "" : description;
  }

  /** A row not yet written (version 0). */
  public KeyRecord(
      String keyId,
      String account,
      String region,
      String keyState,
      String keySpec,
      String keyUsage,
      String origin,
      String description,
      String policy,
      Instant creationDate,
      Instant deletionDate,
      Integer pendingWindowDays,
      String currentMaterialId) {
    this(
        keyId,
        account,
        region,
        keyState,
        keySpec,
        keyUsage,
        origin,
        description,
        policy,
        creationDate,
        deletionDate,
        pendingWindowDays,
        currentMaterialId,
        0);
  }

  /** The key's ARN, in its own account and region, with its {@link #publicId()}. */
  public String arn() {
    return "arn:aws:kms:" + region + ":" + account + ":key/" + publicId();
  }

  /**
   * The key id clients see: the row id up to its '/', i.e. the UUID, or {@code mrk-<hex>} for every
   * region's row of a multi-Region key.
   */
  public String publicId() {
    return publicIdOf(keyId);
  }

  /** The key id clients see for row id {@code rowId} (an alias's or a grant's target key). */
  public static String publicIdOf(String rowId) {
    int slash = rowId.indexOf('/');
    return slash < 0 ? rowId : rowId.substring(0, slash);
  }

  /** Whether this is one region's row of a multi-Region key ({@code mrk-} id). */
  public boolean isMultiRegion() {
    return keyId.startsWith(MULTI_REGION_PREFIX);
  }

  /** The row id of a multi-Region key's row in {@code region}. */
  public static String multiRegionRowId(String mrkId, String region) {
    return mrkId + "/" + region;
  }

  /** This row as {@link MetadataStore#updateKey} leaves it in the store: its version one higher. */
  public KeyRecord written() {
    return new KeyRecord(
        keyId,
        account,
        region,
        keyState,
        keySpec,
        keyUsage,
        origin,
        description,
        policy,
        creationDate,
        deletionDate,
        pendingWindowDays,
        currentMaterialId,
        version + 1);
  }

  public KeyRecord withState(String state, Instant deletionDate, Integer pendingWindowDays) {
    return new KeyRecord(
        keyId,
        account,
        region,
        state,
        keySpec,
        keyUsage,
        origin,
        description,
        policy,
        creationDate,
        deletionDate,
        pendingWindowDays,
        currentMaterialId,
        version);
  }

  public KeyRecord withDescription(String newDescription) {
    return new KeyRecord(
        keyId,
        account,
        region,
        keyState,
        keySpec,
        keyUsage,
        origin,
        newDescription,
        policy,
        creationDate,
        deletionDate,
        pendingWindowDays,
        currentMaterialId,
        version);
  }

  public KeyRecord withPolicy(String newPolicy) {
    return new KeyRecord(
        keyId,
        account,
        region,
        keyState,
        keySpec,
        keyUsage,
        origin,
        description,
        newPolicy,
        creationDate,
        deletionDate,
        pendingWindowDays,
        currentMaterialId,
        version);
  }
}
