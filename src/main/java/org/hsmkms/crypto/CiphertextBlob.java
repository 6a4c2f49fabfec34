package org.hsmkms.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The ciphertext blob returned by Encrypt and the data-key operations, format v1 (a key with a UUID
 * key id) or v2 (a multi-Region key, {@code mrk-<32 hex>}):
 *
 * <pre>
 * version (1) | key id (16) | key material id (16) | IV (12) | ciphertext | tag (16)
 * </pre>
 *
 * v1: version 0x01, the key id is the UUID's 16 bytes. v2: version 0x02, the key id is the 16 bytes
 * the 32 hex digits after {@code mrk-} spell. The AES-GCM AAD is {@code "hsm-kms:blob:v1" | header
 * | canonical encryption context}, where the header is the first 33 bytes (version, key id,
 * material id); the version byte in the header keeps a v1 and a v2 blob of the same 16 bytes apart.
 * See docs/ciphertext-format.md.
 *
 * <p>{@link #keyId()} holds the 16 key id bytes as a UUID value in both versions; {@link
 * #publicKeyId()} is the key id as clients write it.
 *
 * <p>Security: {@link #parse} checks every length before reading and answers any malformed input
 * with an empty result, never an exception that could describe the input.
 */
public record CiphertextBlob(
    UUID keyId, byte[] materialId, byte[] iv, byte[] ciphertextAndTag, boolean multiRegion) {
  public static final byte VERSION_1 = 0x01;

  /** A blob of a multi-Region key: the key id field holds the 16 bytes of its hex digits. */
  public static final byte VERSION_2 = 0x02;

  private static final String MRK_PREFIX = "mrk-";
  private static final Pattern MRK_ID = Pattern.compile("mrk-[0-9a-f]{32}");
  public static final int ID_LENGTH = 16;
  public static final int IV_LENGTH = 12;
  public static final int TAG_LENGTH = 16;
  public static final int HEADER_LENGTH = 1 + ID_LENGTH + ID_LENGTH;

  /** Header, IV and tag: a blob of an empty plaintext. */
  public static final int OVERHEAD = HEADER_LENGTH + IV_LENGTH + TAG_LENGTH;

  private static final byte[] DOMAIN = "hsm-kms:blob:v1".getBytes(StandardCharsets.US_ASCII);

  /** A v1 blob (a key with a UUID key id). */
  public CiphertextBlob(UUID keyId, byte[] materialId, byte[] iv, byte[] ciphertextAndTag) {
    this(keyId, materialId, iv, ciphertextAndTag, false);
  }

  /** The key id as clients write it: the UUID, or {@code mrk-} and 32 lowercase hex digits. */
  public String publicKeyId() {
    if (!multiRegion) {
      return keyId.toString();
    }
    return MRK_PREFIX
        + HexFormat.of().toHexDigits(keyId.getMostSignificantBits())
        + HexFormat.of().toHexDigits(keyId.getLeastSignificantBits());
  }

  /** Parses untrusted bytes; empty if they are not a well-formed v1 or v2 blob. */
  public static Optional<CiphertextBlob> parse(byte[] blob) {
    if (blob == null || blob.length < OVERHEAD || (blob[0] != VERSION_1 && blob[0] != VERSION_2)) {
      return Optional.empty();
    }
    ByteBuffer in = ByteBuffer.wrap(blob);
    boolean multiRegion = in.get() == VERSION_2;
    UUID keyId = new UUID(in.getLong(), in.getLong());
    byte[] materialId = new byte[ID_LENGTH];
    in.get(materialId);
    byte[] iv = new byte[IV_LENGTH];
    in.get(iv);
    byte[] rest = new byte[in.remaining()];
    in.get(rest);
    return Optional.of(new CiphertextBlob(keyId, materialId, iv, rest, multiRegion));
  }

  /**
   * Builds a blob from what the HSM returned for {@link #aad}: {@code ivAndCiphertext} is the IV
   * followed by ciphertext and tag.
   */
  public static byte[] encode(UUID keyId, byte[] materialId, byte[] ivAndCiphertext) {
    return encode(VERSION_1, keyId, materialId, ivAndCiphertext);
  }

  /**
   * As {@link #encode(UUID, byte[], byte[])} for a key named by the id clients see: a UUID gives a
   * v1 blob, {@code mrk-<hex>} a v2 blob.
   */
  public static byte[] encode(String publicKeyId, byte[] materialId, byte[] ivAndCiphertext) {
    return encode(version(publicKeyId), bits(publicKeyId), materialId, ivAndCiphertext);
  }

  private static byte[] encode(
      byte version, UUID keyId, byte[] materialId, byte[] ivAndCiphertext) {
    ByteBuffer out = ByteBuffer.allocate(HEADER_LENGTH + ivAndCiphertext.length);
    out.put(header(version, keyId, materialId));
    out.put(ivAndCiphertext);
    return out.array();
  }

  /** The AAD for a v1 blob of this key and material under {@code context}. */
  public static byte[] aad(UUID keyId, byte[] materialId, EncryptionContext context) {
    return aad(VERSION_1, keyId, materialId, context);
  }

  /** The AAD for a blob of the key clients name {@code publicKeyId} (v1 or v2). */
  public static byte[] aad(String publicKeyId, byte[] materialId, EncryptionContext context) {
    return aad(version(publicKeyId), bits(publicKeyId), materialId, context);
  }

  /** The AAD of this parsed blob under {@code context}. */
  public byte[] aad(EncryptionContext context) {
    return aad(multiRegion ? VERSION_2 : VERSION_1, keyId, materialId, context);
  }

  private static byte[] aad(
      byte version, UUID keyId, byte[] materialId, EncryptionContext context) {
    byte[] header = header(version, keyId, materialId);
    byte[] ctx = context.canonicalBytes();
    ByteBuffer out = ByteBuffer.allocate(DOMAIN.length + header.length + ctx.length);
    return out.put(DOMAIN).put(header).put(ctx).array();
  }

  private static byte version(String publicKeyId) {
    return publicKeyId.startsWith(MRK_PREFIX) ? VERSION_2 : VERSION_1;
  }

  /** The 16 key id bytes of a public key id, as a UUID value. */
  private static UUID bits(String publicKeyId) {
    if (!publicKeyId.startsWith(MRK_PREFIX)) {
      return UUID.fromString(publicKeyId);
    }
    if (!MRK_ID.matcher(publicKeyId).matches()) {
      throw new IllegalArgumentException("not a multi-Region key id");
    }
    HexFormat hex = HexFormat.of();
    return new UUID(
        hex.fromHexDigitsToLong(publicKeyId, 4, 20), hex.fromHexDigitsToLong(publicKeyId, 20, 36));
  }

  private static byte[] header(byte version, UUID keyId, byte[] materialId) {
    if (materialId.length != ID_LENGTH) {
      throw new IllegalArgumentException("material id must be 16 bytes");
    }
    return ByteBuffer.allocate(HEADER_LENGTH)
        .put(version)
        .putLong(keyId.getMostSignificantBits())
        .putLong(keyId.getLeastSignificantBits())
        .put(materialId)
        .array();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CiphertextBlob b
        && keyId.equals(b.keyId)
        && multiRegion == b.multiRegion
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
    return "CiphertextBlob[keyId=" + publicKeyId() + "]";
  }
}
