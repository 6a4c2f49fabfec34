package org.hsmkms.store;

import java.util.Objects;

/**
 * What the regions of one multi-Region key share in the store: its id, account and primary region.
 * Each region's own metadata is a {@link KeyRecord} with row id {@code mrkId + "/" + region}.
 *
 * @param mrkId the key id clients see, {@code mrk-<32 lowercase hex>}
 * @param account the owning account (the same in every region)
 * @param primaryRegion the region of the primary key, whose row owns the key material rows
 */
public record MultiRegionKeyRecord(String mrkId, String account, String primaryRegion) {
  public MultiRegionKeyRecord {
    Objects.requireNonNull(mrkId, "mrkId");
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(primaryRegion, "primaryRegion");
  }

  /** The row id of the primary key's row. */
  public String primaryRowId() {
    return KeyRecord.multiRegionRowId(mrkId, primaryRegion);
  }
}
