package org.hsmkms.store;

/** The answer of {@link MetadataStore#claimRotation}: whether the caller may make the material. */
public enum RotationClaim {
  /** The rotation row was written (Creating): make the material, then complete it. */
  CLAIMED,
  /** Another rotation of the key has been claimed and not finished. */
  IN_PROGRESS,
  /**
   * A scheduled rotation that is not (or no longer) due: another sweep did it, or it was disabled.
   */
  NOT_DUE,
  /** An on-demand rotation beyond the per-key limit. */
  LIMIT_REACHED
}
