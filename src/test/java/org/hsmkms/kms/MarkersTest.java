package org.hsmkms.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Paging: a marker gives back the sort key it was made from, only to the listing that made it;
 * anything else is InvalidMarkerException. A page is truncated exactly when it has a next marker.
 */
class MarkersTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "alias/with:colons/and/slashes",
        "tag key with spaces and ünïcode",
        ""
      })
  void marker_givesBackTheSortKeyItWasMadeFrom(String sortKey) {
    String marker = Markers.encode("alias", sortKey);

    assertEquals(sortKey, Markers.decode("alias", marker));
  }

  @Test
  void marker_isUrlSafeAndUnpadded() {
    String marker = Markers.encode("tag", "?>?>?>");

    assertTrue(marker.matches("[A-Za-z0-9_-]+"), marker);
  }

  @Test
  void noMarker_isTheStartOfTheListing() {
    assertNull(Markers.decode("key", null));
  }

  @Test
  void markerOfAnotherListing_isInvalidMarkerException() {
    String aliasMarker = Markers.encode("alias", "alias/x");

    KmsException e = assertThrows(KmsException.class, () -> Markers.decode("key", aliasMarker));

    assertEquals(ErrorCode.INVALID_MARKER, e.code());
    assertEquals("Invalid marker", e.getMessage());
  }

  @Test
  void markerOfAListingWhoseNameStartsTheSame_isInvalidMarkerException() {
    String marker = Markers.encode("keys", "x");

    assertEquals(
        ErrorCode.INVALID_MARKER,
        assertThrows(KmsException.class, () -> Markers.decode("key", marker)).code());
  }

  @ParameterizedTest
  @ValueSource(strings = {"not base64!", "a", "=====", "a2V5"})
  void markerThatIsNotOurs_isInvalidMarkerException(String marker) {
    assertEquals(
        ErrorCode.INVALID_MARKER,
        assertThrows(KmsException.class, () -> Markers.decode("key", marker)).code());
  }

  @Test
  void page_withANextMarker_isTruncated() {
    assertTrue(new Page<>(List.of("a"), "next").truncated());
  }

  @Test
  void lastPage_hasNoNextMarker_andIsNotTruncated() {
    assertFalse(new Page<>(List.of("a"), null).truncated());
  }
}
