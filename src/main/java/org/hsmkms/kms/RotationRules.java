package org.hsmkms.kms;

import java.util.Optional;
import org.hsmkms.store.KeyRecord;

/**
 * Which keys rotate: AWS rotates only symmetric encryption keys whose material it generated (origin
 * AWS_KMS). HMAC and asymmetric keys are refused with UnsupportedOperationException.
 *
 * <p>This is the one place that says whether a key can rotate (rotation, on demand or scheduled,
 * and the rotation of a material at its usage limit). Keys with imported material (origin EXTERNAL)
 * are refused here, and a multi-Region replica must be too: AWS rotates a primary and its replicas
 * together; add that rule here when replicas exist.
 */
public final class RotationRules {
  static final String AWS_KMS = "AWS_KMS";

  private RotationRules() {}

  /** Whether the key's material can be rotated. */
  public static boolean canRotate(KeyRecord key) {
    return refusal(key).isEmpty();
  }

  /**
   * Why the key cannot rotate, in the words of the UnsupportedOperationException the rotation
   * operations answer; empty if it can.
   */
  static Optional<KmsException> refusal(KeyRecord key) {
    if (!KeySpec.ofKey(key.keySpec()).isSymmetric()) {
      // AWS's exact words could not be determined; local-kms answers these.
      return Optional.of(ManagementErrors.notSymmetricEncryptionKey(key.arn()));
    }
    if (!AWS_KMS.equals(key.origin())) {
      return Optional.of(Errors.invalidOrigin(key.arn(), key.origin()));
    }
    return Optional.empty();
  }

  /** Refuses a key that cannot rotate with UnsupportedOperationException. */
  static void requireRotatable(KeyRecord key) {
    refusal(key)
        .ifPresent(
            e -> {
              throw e;
            });
  }
}
