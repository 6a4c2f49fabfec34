package org.hsmkms.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Blob format v1: {@code 0x01 | key id (16) | material id (16) | IV (12) | ciphertext | tag (16)};
 * AAD = {@code "hsm-kms:blob:v1" | header (33) | canonical context}.
 */
class CiphertextBlobTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final UUID KEY_ID = UUID.fromString("00112233-4455-6677-8899-aabbccddeeff");
  private static final byte[] MATERIAL = HEX.parseHex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
  private static final byte[] IV = HEX.parseHex("b0b1b2b3b4b5b6b7b8b9babb");
  private static final byte[] CT_AND_TAG =
      HEX.parseHex("c0c1c2" + "d0d1d2d3d4d5d6d7d8d9dadbdcdddedf");

  private static byte[] ivAndCiphertext() {
    byte[] out = Arrays.copyOf(IV, IV.length + CT_AND_TAG.length);
    System.arraycopy(CT_AND_TAG, 0, out, IV.length, CT_AND_TAG.length);
    return out;
  }

  private static byte[] validBlob() {
    return CiphertextBlob.encode(KEY_ID, MATERIAL, ivAndCiphertext());
  }

  @Test
  void constants_matchTheDocumentedLayout() {
    assertEquals(33, CiphertextBlob.HEADER_LENGTH);
    assertEquals(33 + 12 + 16, CiphertextBlob.OVERHEAD);
  }

  @Test
  void encode_matchesKnownAnswer() {
    assertEquals(
        "01"
            + "00112233445566778899aabbccddeeff"
            + "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
            + "b0b1b2b3b4b5b6b7b8b9babb"
            + "c0c1c2d0d1d2d3d4d5d6d7d8d9dadbdcdddedf",
        HEX.formatHex(validBlob()));
  }

  @Test
  void parse_ofEncoded_returnsTheSameParts() {
    CiphertextBlob b = CiphertextBlob.parse(validBlob()).orElseThrow();
    assertEquals(KEY_ID, b.keyId());
    assertArrayEquals(MATERIAL, b.materialId());
    assertArrayEquals(IV, b.iv());
    assertArrayEquals(CT_AND_TAG, b.ciphertextAndTag());
    assertEquals(new CiphertextBlob(KEY_ID, MATERIAL, IV, CT_AND_TAG), b);
  }

  @Test
  void parse_ofBlobOfEmptyPlaintext_exactlyOverheadLong_succeeds() {
    byte[] tagOnly = new byte[16];
    Arrays.fill(tagOnly, (byte) 7);
    byte[] ivAndTag = Arrays.copyOf(IV, 12 + 16);
    System.arraycopy(tagOnly, 0, ivAndTag, 12, 16);
    byte[] blob = CiphertextBlob.encode(KEY_ID, MATERIAL, ivAndTag);
    assertEquals(CiphertextBlob.OVERHEAD, blob.length);
    CiphertextBlob b = CiphertextBlob.parse(blob).orElseThrow();
    assertArrayEquals(tagOnly, b.ciphertextAndTag());
  }

  @Test
  void parse_ofNull_isEmpty() {
    assertEquals(Optional.empty(), CiphertextBlob.parse(null));
  }

  static IntStream everyLengthBelowOverhead() {
    return IntStream.range(0, CiphertextBlob.OVERHEAD);
  }

  @ParameterizedTest(name = "length {0}")
  @MethodSource("everyLengthBelowOverhead")
  void parse_ofTruncatedBlob_isEmpty(int length) {
    assertEquals(Optional.empty(), CiphertextBlob.parse(Arrays.copyOf(validBlob(), length)));
  }

  @ParameterizedTest(name = "length {0}")
  @MethodSource("everyLengthBelowOverhead")
  void parse_ofShortInputOfVersion1Bytes_isEmpty(int length) {
    byte[] input = new byte[length];
    Arrays.fill(input, CiphertextBlob.VERSION_1);
    assertEquals(Optional.empty(), CiphertextBlob.parse(input));
  }

  @ParameterizedTest(name = "version byte {0}")
  @ValueSource(ints = {0x00, 0x03, 0x7f, 0x80, 0xff})
  void parse_ofOtherVersion_isEmpty(int version) {
    byte[] blob = validBlob();
    blob[0] = (byte) version;
    assertEquals(Optional.empty(), CiphertextBlob.parse(blob));
  }

  @Test
  void parse_ofRandomInputs_neverThrows() {
    Random random = new Random(20240501L);
    for (int i = 0; i < 2000; i++) {
      byte[] input = new byte[random.nextInt(200)];
      random.nextBytes(input);
      if (random.nextBoolean() && input.length > 0) {
        input[0] = CiphertextBlob.VERSION_1;
      }
      Optional<CiphertextBlob> parsed = CiphertextBlob.parse(input);
      // Versions 1 and 2 (multi-Region keys) parse.
      assertEquals(
          input.length >= CiphertextBlob.OVERHEAD && (input[0] == 1 || input[0] == 2),
          parsed.isPresent());
    }
  }

  @Test
  void encode_withMaterialIdNot16Bytes_isRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> CiphertextBlob.encode(KEY_ID, new byte[15], ivAndCiphertext()));
    assertThrows(
        IllegalArgumentException.class,
        () -> CiphertextBlob.encode(KEY_ID, new byte[17], ivAndCiphertext()));
  }

  @Test
  void aad_matchesKnownAnswer() {
    byte[] aad = CiphertextBlob.aad(KEY_ID, MATERIAL, EncryptionContext.of(Map.of("a", "b")));
    assertEquals(
        HEX.formatHex("hsm-kms:blob:v1".getBytes(StandardCharsets.US_ASCII))
            + "01"
            + "00112233445566778899aabbccddeeff"
            + "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
            + "0001"
            + "0001"
            + "61"
            + "0001"
            + "62",
        HEX.formatHex(aad));
  }

  @Test
  void aad_isTheSameForTheSameInputs() {
    EncryptionContext c = EncryptionContext.of(Map.of("k", "v"));
    assertArrayEquals(
        CiphertextBlob.aad(KEY_ID, MATERIAL, c),
        CiphertextBlob.aad(KEY_ID, MATERIAL.clone(), EncryptionContext.of(Map.of("k", "v"))));
  }

  @Test
  void aad_differsWhenKeyIdDiffers() {
    UUID other = new UUID(KEY_ID.getMostSignificantBits(), KEY_ID.getLeastSignificantBits() ^ 1);
    assertFalse(
        Arrays.equals(
            CiphertextBlob.aad(KEY_ID, MATERIAL, EncryptionContext.empty()),
            CiphertextBlob.aad(other, MATERIAL, EncryptionContext.empty())));
  }

  @Test
  void aad_differsWhenMaterialIdDiffers() {
    byte[] other = MATERIAL.clone();
    other[15] ^= 1;
    assertFalse(
        Arrays.equals(
            CiphertextBlob.aad(KEY_ID, MATERIAL, EncryptionContext.empty()),
            CiphertextBlob.aad(KEY_ID, other, EncryptionContext.empty())));
  }

  @Test
  void aad_differsWhenContextDiffers() {
    byte[] none = CiphertextBlob.aad(KEY_ID, MATERIAL, EncryptionContext.empty());
    byte[] abC = CiphertextBlob.aad(KEY_ID, MATERIAL, EncryptionContext.of(Map.of("ab", "c")));
    byte[] aBc = CiphertextBlob.aad(KEY_ID, MATERIAL, EncryptionContext.of(Map.of("a", "bc")));
    assertFalse(Arrays.equals(none, abC));
    assertFalse(Arrays.equals(abC, aBc));
    assertFalse(Arrays.equals(none, aBc));
  }

  @Test
  void aad_beginsWithTheBlobHeader_afterTheDomainTag() {
    byte[] blob = validBlob();
    byte[] aad = CiphertextBlob.aad(KEY_ID, MATERIAL, EncryptionContext.empty());
    int domain = "hsm-kms:blob:v1".length();
    assertArrayEquals(
        Arrays.copyOf(blob, CiphertextBlob.HEADER_LENGTH),
        Arrays.copyOfRange(aad, domain, domain + CiphertextBlob.HEADER_LENGTH));
  }

  @Test
  void toString_namesOnlyTheKeyId() {
    String s = CiphertextBlob.parse(validBlob()).orElseThrow().toString();
    assertTrue(s.contains(KEY_ID.toString()), s);
    assertFalse(s.toLowerCase().contains("a0a1a2"), s);
    assertFalse(s.toLowerCase().contains("c0c1c2"), s);
  }
}
