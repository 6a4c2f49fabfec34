package org.hsmkms.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;

/**
 * The ciphertext blob returned by Encrypt and the data-key operations, format v1:
 *
 * <pre>
 * version (1, = 0x01) | key id (16, UUID) | key material id (16) | IV (12) | ciphertext | tag (16)
 * </pre>
 *
 * The AES-GCM AAD is {@code "hsm-kms:blob:v1" | header | canonical encryption context}, where the
 * header is the first 33 bytes (version, key id, material id). See docs/ciphertext-format.md.
 *
 * <p>Security: {@link #parse} checks every length before reading and answers any malformed input
 * with an empty result, never an exception that could describe the input.
 */
public record CiphertextBlob(UUID keyId, byte[] materialId, byte[] iv, byte[] ciphertextAndTag) {
  public static final byte VERSION_1 = 0x01;
  public static final int ID_LENGTH = 16;
  public static final int IV_LENGTH = 12;
  public static final int TAG_LENGTH = 16;
  public static final int HEADER_LENGTH = 1 + ID_LENGTH + ID_LENGTH;

  /** Header, IV and tag: a blob of an empty plaintext. */
  public static final int OVERHEAD = HEADER_LENGTH + IV_LENGTH + TAG_LENGTH;

  private static final byte[] DOMAIN = "hsm-kms:blob:v1".getBytes(StandardCharsets.US_ASCII);

  /** Parses untrusted bytes; empty if they are not a well-formed v1 blob. */
  public static Optional<CiphertextBlob> parse(byte[] blob) {
    if (blob == null || blob.length < OVERHEAD || blob[0] != VERSION_1) {
      return Optional.empty();
    }
    ByteBuffer in = ByteBuffer.wrap(blob);
    in.get();
    UUID keyId = new UUID(in.getLong(), in.getLong());
    byte[] materialId = new byte[ID_LENGTH];
    in.get(materialId);
    byte[] iv = new byte[IV_LENGTH];
    in.get(iv);
    byte[] rest = new byte[in.remaining()];
    in.get(rest);
    return Optional.of(new CiphertextBlob(keyId, materialId, iv, rest));
  }

  /**
   * Builds a blob from what the HSM returned for {@link #aad}: {@code ivAndCiphertext} is the IV
   * followed by ciphertext and tag.
   */
  public static byte[] encode(UUID keyId, byte[] materialId, byte[] ivAndCiphertext) {
    ByteBuffer out = ByteBuffer.allocate(HEADER_LENGTH + ivAndCiphertext.length);
    out.put(header(keyId, materialId));
    out.put(ivAndCiphertext);
    return out.array();
  }

  /** The AAD for a blob of this key and material under {@code context}. */
  public static byte[] aad(UUID keyId, byte[] materialId, EncryptionContext context) {
    byte[] header = header(keyId, materialId);
    byte[] ctx = context.canonicalBytes();
    ByteBuffer out = ByteBuffer.allocate(DOMAIN.length + header.length + ctx.length);
    return out.put(DOMAIN).put(header).put(ctx).array();
  }

  private static byte[] header(UUID keyId, byte[] materialId) {
    if (materialId.length != ID_LENGTH) {
      throw new IllegalArgumentException("material id must be 16 bytes");
    }
    return ByteBuffer.allocate(HEADER_LENGTH)
        .put(VERSION_1)
        .putLong(keyId.getMostSignificantBits())
        .putLong(keyId.getLeastSignificantBits())
        .put(materialId)
        .array();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CiphertextBlob b
        && keyId.equals(b.keyId)
        && Arrays.equals(materialId, b.materialId)
        && Arrays.equals(iv, b.iv)
        && Arrays.equals(ciphertextAndTag, b.ciphertextAndTag);
  }

  @Override
  public int hashCode() {
    return keyId.hashCode();
  }

  @Override
  public String toString() {
    return "CiphertextBlob[keyId=" + keyId + "]";
  }
}
