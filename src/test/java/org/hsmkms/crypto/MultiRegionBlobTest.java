package org.hsmkms.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Blob format v2: a multi-Region key's blob, {@code 0x02 | the 16 bytes of the mrk- hex digits |
 * material id (16) | IV (12) | ciphertext | tag (16)}; v1 blobs parse as before.
 */
class MultiRegionBlobTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final String MRK = "mrk-00112233445566778899aabbccddeeff";
  private static final String UUID_ID = "00112233-4455-6677-8899-aabbccddeeff";
  private static final byte[] MATERIAL = HEX.parseHex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
  private static final byte[] IV_CT_TAG =
      HEX.parseHex("b0b1b2b3b4b5b6b7b8b9babb" + "c0c1c2" + "d0d1d2d3d4d5d6d7d8d9dadbdcdddedf");

  @Test
  void encode_ofAMultiRegionKeyId_isVersion2_withTheHexDigitsAsKeyIdBytes() {
    assertEquals(
        "02"
            + "00112233445566778899aabbccddeeff"
            + "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
            + "b0b1b2b3b4b5b6b7b8b9babb"
            + "c0c1c2d0d1d2d3d4d5d6d7d8d9dadbdcdddedf",
        HEX.formatHex(CiphertextBlob.encode(MRK, MATERIAL, IV_CT_TAG)));
  }

  @Test
  void encode_ofAUuidKeyId_isVersion1_asBefore() {
    assertArrayEquals(
        CiphertextBlob.encode(UUID.fromString(UUID_ID), MATERIAL, IV_CT_TAG),
        CiphertextBlob.encode(UUID_ID, MATERIAL, IV_CT_TAG));
  }

  @Test
  void parse_ofVersion2_givesBackTheMultiRegionKeyId() {
    CiphertextBlob b = CiphertextBlob.parse(CiphertextBlob.encode(MRK, MATERIAL, IV_CT_TAG)).get();

    assertTrue(b.multiRegion());
    assertEquals(MRK, b.publicKeyId());
    assertArrayEquals(MATERIAL, b.materialId());
    assertEquals("CiphertextBlob[keyId=" + MRK + "]", b.toString());
  }

  @Test
  void parse_ofVersion1_isNotMultiRegion_andNamesTheUuid() {
    CiphertextBlob b =
        CiphertextBlob.parse(CiphertextBlob.encode(UUID_ID, MATERIAL, IV_CT_TAG)).get();

    assertFalse(b.multiRegion());
    assertEquals(UUID_ID, b.publicKeyId());
  }

  @Test
  void aad_ofTheSameSixteenBytes_differsBetweenVersion1And2() {
    EncryptionContext ctx = EncryptionContext.of(Map.of("k", "v"));
    byte[] v1 = CiphertextBlob.aad(UUID_ID, MATERIAL, ctx);
    byte[] v2 = CiphertextBlob.aad(MRK, MATERIAL, ctx);

    assertFalse(Arrays.equals(v1, v2));
    CiphertextBlob parsed =
        CiphertextBlob.parse(CiphertextBlob.encode(MRK, MATERIAL, IV_CT_TAG)).get();
    assertArrayEquals(v2, parsed.aad(ctx));
  }

  @Test
  void parse_ofVersion3_isRefused() {
    byte[] blob = CiphertextBlob.encode(MRK, MATERIAL, IV_CT_TAG);
    blob[0] = 0x03;

    assertTrue(CiphertextBlob.parse(blob).isEmpty());
  }

  @Test
  void encode_ofAMalformedMultiRegionKeyId_isRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> CiphertextBlob.encode("mrk-00112233", MATERIAL, IV_CT_TAG));
    assertThrows(
        IllegalArgumentException.class,
        () -> CiphertextBlob.encode("mrk-00112233445566778899AABBCCDDEEFF", MATERIAL, IV_CT_TAG));
  }
}
