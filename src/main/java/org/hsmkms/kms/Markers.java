package org.hsmkms.kms;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque paging markers: the last item's sort key, base64url-encoded with a kind prefix, so a
 * marker from one listing is refused by another with InvalidMarkerException.
 */
final class Markers {
  private Markers() {}

  static String encode(String kind, String lastSortKey) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((kind + ":" + lastSortKey).getBytes(StandardCharsets.UTF_8));
  }

  /** The sort key a marker carries; null for a null marker. */
  static String decode(String kind, String marker) {
    if (marker == null) {
      return null;
    }
    try {
      String s = new String(Base64.getUrlDecoder().decode(marker), StandardCharsets.UTF_8);
      if (s.startsWith(kind + ":")) {
        return s.substring(kind.length() + 1);
      }
    } catch (IllegalArgumentException e) {
      // falls through to the InvalidMarkerException below
    }
    throw Errors.invalidMarker();
  }
}
