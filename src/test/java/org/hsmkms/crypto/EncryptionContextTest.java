package org.hsmkms.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The canonical encryption context: a 2-byte pair count, then pairs sorted by the unsigned UTF-8
 * bytes of their keys, each key and value as a 2-byte big-endian length and its UTF-8 bytes.
 */
class EncryptionContextTest {
  private static final HexFormat HEX = HexFormat.of();

  private static byte[] canonical(Map<String, String> pairs) {
    return EncryptionContext.of(pairs).canonicalBytes();
  }

  /** Keeps insertion order, so that tests control the order the pairs are given in. */
  private static Map<String, String> ordered(String... keysAndValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  // Known answers, worked out by hand from the format in the class comment.
  static Stream<Arguments> knownAnswers() {
    return Stream.of(
        Arguments.of(ordered(), "0000"),
        Arguments.of(ordered("a", "b"), "0001" + "0001" + "61" + "0001" + "62"),
        Arguments.of(ordered("ab", "c"), "0001" + "0002" + "6162" + "0001" + "63"),
        Arguments.of(ordered("a", "bc"), "0001" + "0001" + "61" + "0002" + "6263"),
        Arguments.of(ordered("k", ""), "0001" + "0001" + "6b" + "0000"),
        // "purpose" sorts before "tenant" whatever the order given.
        Arguments.of(
            ordered("tenant", "acme", "purpose", "test"),
            "0002"
                + "0007"
                + "707572706f7365"
                + "0004"
                + "74657374"
                + "0006"
                + "74656e616e74"
                + "0004"
                + "61636d65"),
        // e-acute is C3 A9 in UTF-8; "z" is 7A, so "z" comes first by unsigned bytes.
        Arguments.of(
            ordered("\u00e9", "1", "z", "2"),
            "0002" + "0001" + "7a" + "0001" + "32" + "0002" + "c3a9" + "0001" + "31"));
  }

  @ParameterizedTest
  @MethodSource("knownAnswers")
  void canonicalBytes_matchKnownAnswer(Map<String, String> pairs, String expectedHex) {
    assertEquals(expectedHex, HEX.formatHex(canonical(pairs)));
  }

  @Test
  void canonicalBytes_doNotDependOnTheOrderPairsAreGivenIn() {
    List<String> keys = List.of("b", "a", "aa", "B", "\u00e9", "z", "", "a\u0000");
    Map<String, String> forward = new LinkedHashMap<>();
    Map<String, String> backward = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      forward.put(keys.get(i), "v" + i);
    }
    for (int i = keys.size() - 1; i >= 0; i--) {
      backward.put(keys.get(i), "v" + i);
    }
    assertArrayEquals(canonical(forward), canonical(backward));
  }

  @Test
  void canonicalBytes_ofAbC_differFromAbC_splitDifferently() {
    assertFalse(Arrays.equals(canonical(Map.of("ab", "c")), canonical(Map.of("a", "bc"))));
  }

  @Test
  void canonicalBytes_ofOnePairWithSeparatorLikeContent_differFromTwoPairs() {
    // Without length prefixes "a=b,c=d" could be read as one pair or two.
    byte[] onePair = canonical(Map.of("a", "b\u0000\u0001c\u0000\u0001d"));
    byte[] twoPairs = canonical(Map.of("a", "b", "c", "d"));
    assertFalse(Arrays.equals(onePair, twoPairs));
  }

  @Test
  void canonicalBytes_differWhenOnlyTheValueDiffers() {
    assertFalse(Arrays.equals(canonical(Map.of("k", "v1")), canonical(Map.of("k", "v2"))));
  }

  @Test
  void emptyContext_isTwoZeroBytes_whetherEmptyNullOrEmptyMap() {
    assertArrayEquals(new byte[] {0, 0}, EncryptionContext.empty().canonicalBytes());
    assertArrayEquals(new byte[] {0, 0}, EncryptionContext.of(null).canonicalBytes());
    assertArrayEquals(new byte[] {0, 0}, EncryptionContext.of(Map.of()).canonicalBytes());
    assertSame(EncryptionContext.empty(), EncryptionContext.of(Map.of()));
  }

  @Test
  void canonicalBytes_sortKeysByUnsignedUtf8Bytes_notByUtf16Order() {
    // U+FF21 (fullwidth A) is EF BC A1; U+1F600 is F0 9F 98 80 (UTF-16: D83D DE00).
    // By UTF-16 code units (String.compareTo) the emoji comes first; by UTF-8 bytes it comes last.
    String fullwidthA = "\uff21";
    String emoji = "\ud83d\ude00";
    assertTrue(emoji.compareTo(fullwidthA) < 0, "premise: UTF-16 order puts the emoji first");

    byte[] bytes = canonical(ordered(emoji, "e", fullwidthA, "f"));

    assertEquals(
        "0002" + "0003" + "efbca1" + "0001" + "66" + "0004" + "f09f9880" + "0001" + "65",
        HEX.formatHex(bytes));
  }

  @Test
  void canonicalBytes_sortKeysByUnsignedBytes_notSignedBytes() {
    // Signed comparison would put C3 (negative) before 7A.
    byte[] bytes = canonical(ordered("\u00e9", "x", "z", "y"));
    int firstKeyLength = ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
    assertEquals(1, firstKeyLength);
    assertEquals('z', bytes[4]);
  }

  @Test
  void canonicalBytes_withPrefixKeys_putTheShorterKeyFirst() {
    byte[] bytes = canonical(ordered("ab", "2", "a", "1"));
    assertEquals(
        "0002" + "0001" + "61" + "0001" + "31" + "0002" + "6162" + "0001" + "32",
        HEX.formatHex(bytes));
  }

  @Test
  void canonicalBytes_lengthIsUtf8ByteLength_notCharCount() {
    // "\u00e9\u00e9" is 2 chars but 4 UTF-8 bytes.
    assertEquals(
        "0001" + "0001" + "6b" + "0004" + "c3a9c3a9",
        HEX.formatHex(canonical(Map.of("k", "\u00e9\u00e9"))));
  }

  @Test
  void canonicalBytes_ofElementLongerThan65535Bytes_isRejected() {
    String tooLong = "x".repeat(0x10000);
    EncryptionContext c = EncryptionContext.of(Map.of("k", tooLong));
    assertThrows(IllegalArgumentException.class, c::canonicalBytes);
  }

  @Test
  void canonicalBytes_ofElementOf65535Bytes_isAccepted() {
    String longest = "x".repeat(0xFFFF);
    byte[] bytes = canonical(Map.of("k", longest));
    assertEquals(2 + 2 + 1 + 2 + 0xFFFF, bytes.length);
    assertEquals((byte) 0xff, bytes[5]);
    assertEquals((byte) 0xff, bytes[6]);
  }

  @Test
  void of_copiesTheMap_soLaterChangesToTheCallersMapDoNotChangeIt() {
    Map<String, String> m = new LinkedHashMap<>(Map.of("a", "1"));
    EncryptionContext c = EncryptionContext.of(m);
    byte[] before = c.canonicalBytes();
    m.put("b", "2");
    assertArrayEquals(before, c.canonicalBytes());
    assertThrows(UnsupportedOperationException.class, () -> c.pairs().put("c", "3"));
  }

  @Test
  void toString_namesKeysButNotValues() {
    String s = EncryptionContext.of(Map.of("tenant", "secret-value-123")).toString();
    assertTrue(s.contains("tenant"), s);
    assertFalse(s.contains("secret-value-123"), s);
  }
}
