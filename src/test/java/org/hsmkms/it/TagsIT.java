package org.hsmkms.it;

import static org.hsmkms.it.KmsTesting.newKey;
import static org.hsmkms.it.KmsTesting.newKeyWithAlias;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.hsmkms.it.KmsTesting.KeyIdForm;
import org.hsmkms.it.KmsTesting.TestKey;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.InvalidMarkerException;
import software.amazon.awssdk.services.kms.model.LimitExceededException;
import software.amazon.awssdk.services.kms.model.ListResourceTagsResponse;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.kms.model.Tag;
import software.amazon.awssdk.services.kms.model.TagException;

/** TagResource, UntagResource and ListResourceTags. */
class TagsIT {
  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();

  @ParameterizedTest
  @EnumSource(KeyIdForm.class)
  void tagResource_byEachKeyIdForm_thenListResourceTagsReturnsThem(KeyIdForm form) {
    TestKey key = newKeyWithAlias(kms);

    kms.tagResource(b -> b.keyId(form.of(key)).tags(tag("cost-center", "4711"), tag("env", "")));

    assertEquals(Map.of("cost-center", "4711", "env", ""), tagsOf(key.keyId()));
  }

  @Test
  void tagResource_existingTagKey_overwritesValue() {
    String keyId = newKey(kms);
    kms.tagResource(b -> b.keyId(keyId).tags(tag("owner", "alice"), tag("env", "prod")));

    kms.tagResource(b -> b.keyId(keyId).tags(tag("owner", "bob")));

    assertEquals(Map.of("owner", "bob", "env", "prod"), tagsOf(keyId));
  }

  @Test
  void untagResource_removesOnlyTheNamedTagsAndIgnoresUnknownOnes() {
    String keyId = newKey(kms);
    kms.tagResource(b -> b.keyId(keyId).tags(tag("a", "1"), tag("b", "2"), tag("c", "3")));

    kms.untagResource(b -> b.keyId(keyId).tagKeys("a", "c", "never-set"));

    assertEquals(Map.of("b", "2"), tagsOf(keyId));
  }

  @Test
  void createKey_withTags_listsThem() {
    String keyId =
        kms.createKey(b -> b.tags(tag("project", "apollo"), tag("tier", "1")))
            .keyMetadata()
            .keyId();

    assertEquals(Map.of("project", "apollo", "tier", "1"), tagsOf(keyId));
  }

  @Test
  void listResourceTags_ofUntaggedKey_isEmptyAndNotTruncated() {
    String keyId = newKey(kms);

    ListResourceTagsResponse r = kms.listResourceTags(b -> b.keyId(keyId));

    assertEquals(List.of(), r.tags());
    assertFalse(r.truncated());
    assertNull(r.nextMarker());
  }

  @Test
  void listResourceTags_withLimit_pagesThroughEveryTagOnce() {
    String keyId = newKey(kms);
    Map<String, String> expected = new LinkedHashMap<>();
    IntStream.range(0, 7).forEach(i -> expected.put("k" + i, "v" + i));
    kms.tagResource(
        b ->
            b.keyId(keyId)
                .tags(
                    expected.entrySet().stream().map(e -> tag(e.getKey(), e.getValue())).toList()));

    List<Tag> seen = new ArrayList<>();
    List<Integer> pageSizes = new ArrayList<>();
    String marker = null;
    do {
      String m = marker;
      ListResourceTagsResponse page = kms.listResourceTags(b -> b.keyId(keyId).limit(3).marker(m));
      pageSizes.add(page.tags().size());
      seen.addAll(page.tags());
      if (page.truncated()) {
        assertNotNull(page.nextMarker());
      } else {
        assertNull(page.nextMarker());
      }
      marker = page.truncated() ? page.nextMarker() : null;
    } while (marker != null && pageSizes.size() < 100);

    assertEquals(List.of(3, 3, 1), pageSizes);
    assertEquals(7, seen.size());
    assertEquals(expected, seen.stream().collect(Collectors.toMap(Tag::tagKey, Tag::tagValue)));
  }

  @Test
  void listResourceTags_withBogusMarker_isInvalidMarkerException() {
    String keyId = newKey(kms);

    assertThrows(
        InvalidMarkerException.class,
        () -> kms.listResourceTags(b -> b.keyId(keyId).marker("bogus")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"aws:created-by", "aws:x"})
  void tagResource_withAwsPrefix_isTagException(String tagKey) {
    String keyId = newKey(kms);

    assertThrows(
        TagException.class,
        () -> kms.tagResource(b -> b.keyId(keyId).tags(tag(tagKey, "v"), tag("fine", "v"))));
    assertEquals(Map.of(), tagsOf(keyId), "a rejected request must not store any of its tags");
  }

  @Test
  void createKey_withAwsPrefixedTag_isTagException() {
    assertThrows(TagException.class, () -> kms.createKey(b -> b.tags(tag("aws:reserved", "v"))));
  }

  @Test
  void tagResource_exactly50Tags_isAccepted() {
    String keyId = newKey(kms);

    kms.tagResource(b -> b.keyId(keyId).tags(tags(0, 50)));

    assertEquals(50, tagsOf(keyId).size());
  }

  @Test
  void tagResource_moreThan50TagsInOneRequest_isLimitExceededException() {
    String keyId = newKey(kms);

    assertThrows(
        LimitExceededException.class, () -> kms.tagResource(b -> b.keyId(keyId).tags(tags(0, 51))));
    assertEquals(Map.of(), tagsOf(keyId));
  }

  @Test
  void tagResource_beyond50TagsInTotal_isLimitExceededException() {
    String keyId = newKey(kms);
    kms.tagResource(b -> b.keyId(keyId).tags(tags(0, 45)));

    assertThrows(
        LimitExceededException.class,
        () -> kms.tagResource(b -> b.keyId(keyId).tags(tags(45, 51))));
    assertEquals(45, tagsOf(keyId).size());
    // Overwriting existing keys does not count as new tags.
    kms.tagResource(b -> b.keyId(keyId).tags(tags(0, 50)));
    assertEquals(50, tagsOf(keyId).size());
  }

  @Test
  void createKey_withMoreThan50Tags_isTagException_tooManyTags() {
    TagException e =
        assertThrows(TagException.class, () -> kms.createKey(b -> b.tags(tags(0, 51))));

    assertEquals(400, e.statusCode());
    assertEquals("Too many tags", e.awsErrorDetails().errorMessage());
  }

  @Test
  void createKey_withAwsPrefixedTagInAnyCase_isTagException_inAwsWords() {
    for (String tagKey : List.of("aws:reserved", "AWS:reserved", "Aws:x")) {
      TagException e =
          assertThrows(TagException.class, () -> kms.createKey(b -> b.tags(tag(tagKey, "v"))));

      assertEquals("Tags beginning with aws: are reserved", e.awsErrorDetails().errorMessage());
    }
  }

  @Test
  void tagResource_withOneTagKeyTwice_isRefused_andStoresNothing() {
    String keyId = newKey(kms);

    assertThrows(
        TagException.class,
        () -> kms.tagResource(b -> b.keyId(keyId).tags(tag("dup", "a"), tag("dup", "b"))));
    assertEquals(Map.of(), tagsOf(keyId));
    assertThrows(
        TagException.class, () -> kms.createKey(b -> b.tags(tag("dup", "a"), tag("dup", "b"))));
  }

  @Test
  void tagOperations_onUnknownKey_areNotFoundException() {
    String missing = "00000000-0000-4000-8000-000000000000";

    assertThrows(
        NotFoundException.class, () -> kms.tagResource(b -> b.keyId(missing).tags(tag("a", "b"))));
    assertThrows(
        NotFoundException.class, () -> kms.untagResource(b -> b.keyId(missing).tagKeys("a")));
    assertThrows(NotFoundException.class, () -> kms.listResourceTags(b -> b.keyId(missing)));
  }

  @Test
  void listResourceTags_ofKeyPendingDeletion_stillListsTags() {
    String keyId = kms.createKey(b -> b.tags(tag("keep", "me"))).keyMetadata().keyId();
    kms.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7));

    assertTrue(tagsOf(keyId).containsKey("keep"));
  }

  private Map<String, String> tagsOf(String keyId) {
    Map<String, String> out = new LinkedHashMap<>();
    String marker = null;
    int pages = 0;
    do {
      String m = marker;
      ListResourceTagsResponse page = kms.listResourceTags(b -> b.keyId(keyId).marker(m));
      page.tags().forEach(t -> assertNull(out.put(t.tagKey(), t.tagValue()), "tag listed twice"));
      marker = page.truncated() ? page.nextMarker() : null;
    } while (marker != null && ++pages < 100);
    return out;
  }

  private static Tag tag(String key, String value) {
    return Tag.builder().tagKey(key).tagValue(value).build();
  }

  private static List<Tag> tags(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> tag("tag-" + i, "value-" + i)).toList();
  }
}
