package org.hsmkms.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One rotation of a key: the material it made and when. While {@code completed} is false the HSM
 * object may not exist yet and the material is not the key's; start-up reconciliation finishes or
 * removes such a row.
 *
 * @param materialId the new material's id (hex), as in {@link MaterialRecord}
 * @param keyId the rotated key
 * @param cause what started it: {@link #SCHEDULED}, {@link #ON_DEMAND} or {@link #USAGE_LIMIT}
 * @param completed whether the material has become the key's current material
 * @param rotationDate when the rotation was started (claimed)
 */
public record RotationRecord(
    String materialId, String keyId, String cause, boolean completed, Instant rotationDate) {
  /** The automatic rotation of an enabled schedule. */
  public static final String SCHEDULED = "AUTOMATIC";

  /** RotateKeyOnDemand. */
  public static final String ON_DEMAND = "ON_DEMAND";

  /** The automatic rotation of a material that reached its encryption limit. */
  public static final String USAGE_LIMIT = "USAGE_LIMIT";

  public RotationRecord {
    Objects.requireNonNull(materialId, "materialId");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(rotationDate, "rotationDate");
  }
}
