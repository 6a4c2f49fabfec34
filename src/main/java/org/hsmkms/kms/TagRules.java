package org.hsmkms.kms;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** AWS's rules for the tags of a key: CreateKey's, ReplicateKey's and TagResource's. */
final class TagRules {
  /** Tags a key may have. */
  static final int MAX_TAGS = 50;

  private TagRules() {}

  /**
   * The tags of a request, checked as AWS checks them.
   *
   * @param creating CreateKey's Tags: more than 50 is TagException "Too many tags" (AWS), where
   *     TagResource answers LimitExceededException
   */
  static Map<String, String> check(List<Tag> tags, Map<String, String> existing, boolean creating) {
    Map<String, String> out = new LinkedHashMap<>();
    if (tags == null) {
      return out;
    }
    for (Tag t : tags) {
      checkKey(t.key());
      if (out.put(t.key(), t.value()) != null) {
        // One request naming one tag key twice is refused, not resolved by order.
        throw ManagementErrors.duplicateTagKeys();
      }
    }
    if (creating && out.size() > MAX_TAGS) {
      throw ManagementErrors.tooManyTags();
    }
    Set<String> union = new HashSet<>(existing.keySet());
    union.addAll(out.keySet());
    if (union.size() > MAX_TAGS) {
      throw ManagementErrors.tagLimit(MAX_TAGS);
    }
    return out;
  }

  static void checkKey(String key) {
    // Tag keys beginning with "aws:" are reserved for AWS.
    if (key.regionMatches(true, 0, "aws:", 0, 4)) {
      throw ManagementErrors.reservedTagPrefix();
    }
  }
}
