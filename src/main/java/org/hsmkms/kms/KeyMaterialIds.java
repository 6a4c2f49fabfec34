package org.hsmkms.kms;

/**
 * The KeyMaterialId of the API (DescribeKey's CurrentKeyMaterialId, ListKeyRotations, the material
 * ids of Decrypt, ReEncrypt and GenerateDataKey*), made from a material id of the store.
 *
 * <p>AWS's model gives a KeyMaterialId exactly 64 lowercase hex characters ({@code
 * BackingKeyIdType}). Ours name the token object ({@code CKA_ID}, 16 random bytes, 32 hex
 * characters), so the API shows the same bytes left-padded with zeros to 64 characters: the token
 * object's id stays readable at the end, and every id is as long as AWS's. A longer stored id (up
 * to 32 bytes) is shown as it is.
 *
 * <p>Security: not a secret; it names key material, it is not key material.
 */
public final class KeyMaterialIds {
  /** Length of a KeyMaterialId in the AWS model. */
  public static final int WIRE_LENGTH = 64;

  private KeyMaterialIds() {}

  /** The API's KeyMaterialId of a stored material id (lowercase hex); null for null. */
  public static String toWire(String materialHex) {
    if (materialHex == null || materialHex.length() >= WIRE_LENGTH) {
      return materialHex;
    }
    return "0".repeat(WIRE_LENGTH - materialHex.length()) + materialHex;
  }
}
