package org.hsmkms.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hand-written shape checks of {@link Keys} answer as the patterns they stand for, for valid
 * ids and for every one-character change, cut and extension of them.
 */
class KeysShapeTest {
  private static final String UUID = "1234abcd-12ab-34cd-56ef-1234567890ab";
  private static final String MRK = "mrk-1234abcd12ab34cd56ef1234567890ab";

  @Test
  void keyId_multiRegionKeyId_rowId_agreeWithThePatterns_onValidIdsAndEveryMutation() {
    List<String> candidates = new ArrayList<>();
    for (String valid : List.of(UUID, MRK, MRK + "/us-east-1", MRK + "/a", UUID + "/us-east-1")) {
      candidates.add(valid);
      candidates.addAll(mutations(valid));
    }
    candidates.addAll(List.of("", "/", "mrk-", MRK + "/", MRK + "//", "alias/x", "arn:aws:kms"));
    int keyIds = 0;
    int rowIds = 0;
    for (String s : candidates) {
      boolean keyId = Keys.KEY_ID.matcher(s).matches();
      assertEquals(keyId, Keys.isKeyId(s), s);
      assertEquals(Keys.MULTI_REGION_KEY_ID.matcher(s).matches(), Keys.isMultiRegionKeyId(s), s);
      boolean rowId = Keys.ROW_ID.matcher(s).matches();
      assertEquals(rowId, Keys.isRowId(s), s);
      keyIds += keyId ? 1 : 0;
      rowIds += rowId ? 1 : 0;
    }
    // The mutations include valid ids too (a hex digit for another), so both answers are tried.
    assertTrue(keyIds > 10, "valid key ids among the candidates: " + keyIds);
    assertTrue(rowIds > keyIds, "valid row ids among the candidates: " + rowIds);
  }

  @Test
  void upperCaseHex_isNotAKeyId() {
    assertFalse(Keys.isKeyId(UUID.toUpperCase(java.util.Locale.ROOT)));
    assertFalse(Keys.isMultiRegionKeyId("mrk-1234ABCD12ab34cd56ef1234567890ab"));
    assertFalse(Keys.isRowId(MRK + "/US-EAST-1"));
  }

  /** Every character replaced by each of a few others, every prefix, and a few extensions. */
  private static List<String> mutations(String s) {
    List<String> out = new ArrayList<>();
    String replacements = "0af9gA-/ z.";
    for (int i = 0; i < s.length(); i++) {
      for (char c : replacements.toCharArray()) {
        out.add(s.substring(0, i) + c + s.substring(i + 1));
      }
      out.add(s.substring(0, i));
      out.add(s.substring(0, i) + s.substring(i + 1));
    }
    for (String tail : List.of("0", "-", "/", "/x", "\n", "a")) {
      out.add(s + tail);
      out.add(tail + s);
    }
    return out;
  }
}
