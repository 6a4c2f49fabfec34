package org.hsmkms.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SecretBytesTest {

  private static byte[] secret() {
    return new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) 0xff};
  }

  @Test
  void toString_isRedacted() {
    try (SecretBytes s = SecretBytes.wrap(secret())) {
      assertEquals("[REDACTED]", s.toString());
      assertEquals("[REDACTED]", String.valueOf(s));
    }
  }

  @Test
  void close_zeroesTheWrappedArray() {
    byte[] held = secret();
    SecretBytes s = SecretBytes.wrap(held);
    s.close();
    assertArrayEquals(new byte[held.length], held);
  }

  @Test
  void copy_afterClose_throws() {
    SecretBytes s = SecretBytes.wrap(secret());
    s.close();
    assertThrows(IllegalStateException.class, s::copy);
  }

  @Test
  void unsafeView_afterClose_throws() {
    SecretBytes s = SecretBytes.wrap(secret());
    s.close();
    assertThrows(IllegalStateException.class, s::unsafeView);
  }

  @Test
  void close_twice_isHarmless() {
    SecretBytes s = SecretBytes.wrap(secret());
    s.close();
    s.close();
    assertThrows(IllegalStateException.class, s::copy);
  }

  @Test
  void copy_isAnIndependentArrayWithTheSameBytes() {
    try (SecretBytes s = SecretBytes.wrap(secret())) {
      byte[] copy = s.copy();
      assertArrayEquals(secret(), copy);
      copy[0] = 99;
      assertArrayEquals(secret(), s.copy());
      assertNotSame(s.copy(), s.copy());
    }
  }

  @Test
  void copy_madeBeforeClose_isNotZeroedByClose() {
    // The caller owns its copy (and must zero it itself).
    SecretBytes s = SecretBytes.wrap(secret());
    byte[] copy = s.copy();
    s.close();
    assertArrayEquals(secret(), copy);
  }

  @Test
  void wrap_takesOwnershipWithoutCopying() {
    byte[] held = secret();
    try (SecretBytes s = SecretBytes.wrap(held)) {
      assertEquals(held.length, s.length());
      assertSame(held, s.unsafeView());
    }
  }

  @Test
  void hasNoValueEquality() throws NoSuchMethodException {
    assertEquals(
        Object.class, SecretBytes.class.getMethod("equals", Object.class).getDeclaringClass());
    assertEquals(Object.class, SecretBytes.class.getMethod("hashCode").getDeclaringClass());
    try (SecretBytes a = SecretBytes.wrap(secret());
        SecretBytes b = SecretBytes.wrap(secret())) {
      assertFalse(a.equals(b));
    }
  }
}
