package org.hsmkms.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A key's enabled automatic rotation: its period and when it next rotates.
 *
 * @param keyId the key
 * @param periodDays RotationPeriodInDays, 90..2560
 * @param nextRotationDate when the rotation sweep next rotates the key
 */
public record RotationSchedule(String keyId, int periodDays, Instant nextRotationDate) {
  public RotationSchedule {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(nextRotationDate, "nextRotationDate");
  }
}
