package org.hsmkms.hsm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** A material id: a value, hex in the store, bytes in blobs, never changed by its holders. */
class MaterialIdTest {
  private static final byte[] BYTES = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");

  @Test
  void hexAndBytes_roundTrip_andEqualIdsAreEqualKeys() {
    MaterialId fromBytes = MaterialId.of(BYTES);
    MaterialId fromHex = MaterialId.fromHex("00112233445566778899AABBCCDDEEFF");

    assertEquals("00112233445566778899aabbccddeeff", fromBytes.hex());
    assertEquals(fromBytes, fromHex);
    assertEquals(fromBytes.hashCode(), fromHex.hashCode());
    assertArrayEquals(BYTES, fromHex.bytes());
    assertTrue(fromBytes.matches(BYTES.clone()));
    assertFalse(fromBytes.matches(new byte[16]));
    assertFalse(fromBytes.matches(null));
    assertNotEquals(fromBytes, MaterialId.of(new byte[16]));
  }

  @Test
  void theIdKeepsItsBytes_whatGoesInOrComesOutIsACopy() {
    byte[] given = BYTES.clone();
    MaterialId id = MaterialId.of(given);
    given[0] = 42;
    id.bytes()[1] = 42;

    assertArrayEquals(BYTES, id.bytes());
  }

  @Test
  void anEmptyOrOverlongId_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> MaterialId.of(new byte[0]));
    assertThrows(
        IllegalArgumentException.class, () -> MaterialId.of(new byte[MaterialId.MAX_BYTES + 1]));
    assertEquals(
        MaterialId.MAX_BYTES, MaterialId.of(new byte[MaterialId.MAX_BYTES]).bytes().length);
    assertThrows(IllegalArgumentException.class, () -> MaterialId.fromHex("abc"));
  }
}
