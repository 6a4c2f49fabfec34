package org.hsmkms.kms;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** AWS's rules for the tags of a key: CreateKey's, ReplicateKey's and TagResource's. */
final class TagRules {
  private TagRules() {}

  /**
   * The tags of a request, checked as AWS checks them.
   *
   * @param creating CreateKey's Tags: more than the quota is TagException "Too many tags" (AWS),
   *     where TagResource answers LimitExceededException
   * @param maxTags tags a key may have (AWS: 50)
   */
  static Map<String, String> check(
      List<Tag> tags, Map<String, String> existing, boolean creating, int maxTags) {
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
    if (creating && out.size() > maxTags) {
      throw ManagementErrors.tooManyTags();
    }
    Set<String> union = new HashSet<>(existing.keySet());
    union.addAll(out.keySet());
    if (union.size() > maxTags) {
      throw ManagementErrors.tagLimit(maxTags);
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
