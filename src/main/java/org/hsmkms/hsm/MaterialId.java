package org.hsmkms.hsm;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The id of one key material in the token: the {@code CKA_ID} of its key object (a secret key, or a
 * private key and its public key). Usually 16 random bytes. Immutable; stored as lowercase hex in
 * the metadata store and as bytes in ciphertext blobs, and converted only at those edges.
 *
 * <p>Not a secret: it names key material, it is not key material.
 */
public final class MaterialId {
  /** Longest id accepted; ours are 16 bytes. */
  public static final int MAX_BYTES = 64;

  private static final HexFormat HEX = HexFormat.of();

  private final byte[] bytes;
  private final int hash;

  private MaterialId(byte[] bytes) {
    if (bytes.length == 0 || bytes.length > MAX_BYTES) {
      throw new IllegalArgumentException("a material id has 1 to " + MAX_BYTES + " bytes");
    }
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  /** The id with these bytes (copied). */
  public static MaterialId of(byte[] bytes) {
    return new MaterialId(bytes.clone());
  }

  /** The id written as hex (as the store keeps it). */
  public static MaterialId fromHex(String hex) {
    return new MaterialId(HEX.parseHex(hex));
  }

  /** A copy of the id's bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** Whether {@code other} holds the same bytes, without copying them. */
  public boolean matches(byte[] other) {
    return other != null && Arrays.equals(bytes, other);
  }

  /** Lowercase hex, as the store keeps it. */
  public String hex() {
    return HEX.formatHex(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MaterialId m && Arrays.equals(bytes, m.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return hex();
  }
}
