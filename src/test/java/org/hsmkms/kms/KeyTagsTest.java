package org.hsmkms.kms;

import static org.hsmkms.kms.StoredKeys.caller;
import static org.hsmkms.kms.TokenServices.refusal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.hsmkms.store.KeyRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TagResource, UntagResource and ListResourceTags on {@link KeyManagement}: tags on keys in each
 * state, at most 50 tags on a key counting those it has, the reserved {@code aws:} prefix, and
 * paging. A refused request changes no tag.
 */
class KeyTagsTest {
  @RegisterExtension static final TokenFixture TOKEN = TokenFixture.perTest();

  private TokenServices services;
  private KeyManagement management;
  private final RequestContext ctx = caller();

  @BeforeEach
  void open() {
    services = TOKEN.services();
    management = services.management;
  }

  private Map<String, String> tagsOf(KeyRecord key) {
    return services.stored.store.tags(key.keyId());
  }

  /** A key in {@code state} with {@code n} tags key-0..key-(n-1). */
  private KeyRecord keyWithTags(KeyState state, int n) {
    KeyRecord key = services.stored.add(KeyState.ENABLED);
    if (n > 0) {
      Map<String, String> tags = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        tags.put("key-" + i, "value-" + i);
      }
      services.stored.store.putTags(key.keyId(), tags);
    }
    return services.setState(key, state);
  }

  /** The tag operations, as the test names them. */
  enum TagOperation {
    TAG((m, c, id) -> m.tagResource(c, id, List.of(new Tag("added", "v")))),
    UNTAG((m, c, id) -> m.untagResource(c, id, List.of("key-0"))),
    LIST((m, c, id) -> m.listResourceTags(c, id, 50, null));

    interface Call {
      void apply(KeyManagement m, RequestContext ctx, String keyId);
    }

    final Call call;

    TagOperation(Call call) {
      this.call = call;
    }
  }

  /** Each tag operation in each visible state: allowed, or refused with this error. */
  static Stream<Arguments> tagOperationsByState() {
    return Stream.of(
        Arguments.of(KeyState.ENABLED, TagOperation.TAG, null),
        Arguments.of(KeyState.ENABLED, TagOperation.UNTAG, null),
        Arguments.of(KeyState.ENABLED, TagOperation.LIST, null),
        Arguments.of(KeyState.DISABLED, TagOperation.TAG, null),
        Arguments.of(KeyState.DISABLED, TagOperation.UNTAG, null),
        Arguments.of(KeyState.DISABLED, TagOperation.LIST, null),
        Arguments.of(KeyState.PENDING_DELETION, TagOperation.TAG, ErrorCode.INVALID_STATE),
        Arguments.of(KeyState.PENDING_DELETION, TagOperation.UNTAG, ErrorCode.INVALID_STATE),
        Arguments.of(KeyState.PENDING_DELETION, TagOperation.LIST, null),
        Arguments.of(KeyState.PENDING_REPLICA_DELETION, TagOperation.TAG, ErrorCode.INVALID_STATE),
        Arguments.of(
            KeyState.PENDING_REPLICA_DELETION, TagOperation.UNTAG, ErrorCode.INVALID_STATE),
        Arguments.of(KeyState.PENDING_REPLICA_DELETION, TagOperation.LIST, null),
        Arguments.of(KeyState.UNAVAILABLE, TagOperation.TAG, null),
        Arguments.of(KeyState.UNAVAILABLE, TagOperation.UNTAG, null),
        Arguments.of(KeyState.UNAVAILABLE, TagOperation.LIST, null),
        Arguments.of(KeyState.PENDING_IMPORT, TagOperation.TAG, null),
        Arguments.of(KeyState.PENDING_IMPORT, TagOperation.UNTAG, null),
        Arguments.of(KeyState.PENDING_IMPORT, TagOperation.LIST, null),
        Arguments.of(KeyState.UPDATING, TagOperation.TAG, null),
        Arguments.of(KeyState.UPDATING, TagOperation.UNTAG, null),
        Arguments.of(KeyState.UPDATING, TagOperation.LIST, null),
        Arguments.of(KeyState.CREATING, TagOperation.TAG, ErrorCode.NOT_FOUND),
        Arguments.of(KeyState.CREATING, TagOperation.UNTAG, ErrorCode.NOT_FOUND),
        Arguments.of(KeyState.CREATING, TagOperation.LIST, ErrorCode.NOT_FOUND),
        Arguments.of(KeyState.DELETING, TagOperation.TAG, ErrorCode.NOT_FOUND),
        Arguments.of(KeyState.DELETING, TagOperation.UNTAG, ErrorCode.NOT_FOUND),
        Arguments.of(KeyState.DELETING, TagOperation.LIST, ErrorCode.NOT_FOUND));
  }

  @ParameterizedTest(name = "{0} key, {1}: {2}")
  @MethodSource("tagOperationsByState")
  void tagOperation_inEachState_isAllowedOrRefusedLeavingTheTags(
      KeyState state, TagOperation operation, ErrorCode error) {
    KeyRecord key = keyWithTags(state, 2);
    Map<String, String> before = tagsOf(key);

    if (error == null) {
      operation.call.apply(management, ctx, key.keyId());
      Map<String, String> expected = new TreeMap<>(before);
      switch (operation) {
        case TAG -> expected.put("added", "v");
        case UNTAG -> expected.remove("key-0");
        case LIST -> {}
      }
      assertEquals(expected, tagsOf(key));
    } else {
      assertEquals(error, refusal(() -> operation.call.apply(management, ctx, key.keyId())));
      assertEquals(before, tagsOf(key));
    }
  }

  @Test
  void tagOperationsByState_coverEveryStateAndOperation() {
    assertEquals(
        KeyState.values().length * TagOperation.values().length, tagOperationsByState().count());
  }

  // --- The 50-tag limit ------------------------------------------------------------------------

  @Test
  void tagResource_upTo50TagsInTotal_isAccepted() {
    KeyRecord key = keyWithTags(KeyState.ENABLED, 48);

    management.tagResource(ctx, key.keyId(), List.of(new Tag("a", "1"), new Tag("b", "2")));

    assertEquals(50, tagsOf(key).size());
  }

  @Test
  void tagResource_beyond50TagsInTotal_isLimitExceededException_andAddsNone() {
    KeyRecord key = keyWithTags(KeyState.ENABLED, 49);
    Map<String, String> before = tagsOf(key);

    KmsException e =
        assertThrows(
            KmsException.class,
            () ->
                management.tagResource(
                    ctx, key.keyId(), List.of(new Tag("a", "1"), new Tag("b", "2"))));

    assertEquals(ErrorCode.LIMIT_EXCEEDED, e.code());
    assertEquals("A KMS key can have at most 50 tags.", e.getMessage());
    assertEquals(before, tagsOf(key));
  }

  @Test
  void tagResource_51TagsInOneRequest_isLimitExceededException() {
    KeyRecord key = keyWithTags(KeyState.ENABLED, 0);
    List<Tag> tags = new ArrayList<>();
    for (int i = 0; i < 51; i++) {
      tags.add(new Tag("t" + i, ""));
    }

    assertEquals(
        ErrorCode.LIMIT_EXCEEDED, refusal(() -> management.tagResource(ctx, key.keyId(), tags)));
    assertEquals(Map.of(), tagsOf(key));
  }

  @Test
  void tagResource_ofAKeyWith50Tags_replacingTheValueOfOneOfThem_isAccepted() {
    KeyRecord key = keyWithTags(KeyState.ENABLED, 50);

    management.tagResource(ctx, key.keyId(), List.of(new Tag("key-7", "replaced")));

    assertEquals(50, tagsOf(key).size());
    assertEquals("replaced", tagsOf(key).get("key-7"));
  }

  @Test
  void tagResource_afterUntagging_hasRoomAgain() {
    KeyRecord key = keyWithTags(KeyState.ENABLED, 50);

    management.untagResource(ctx, key.keyId(), List.of("key-1"));
    management.tagResource(ctx, key.keyId(), List.of(new Tag("new", "v")));

    assertEquals(50, tagsOf(key).size());
    assertFalse(tagsOf(key).containsKey("key-1"));
  }

  // --- The reserved prefix -----------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"aws:name", "AWS:name", "Aws:"})
  void tagResource_aTagKeyBeginningWithAws_isTagException_andAddsNoneOfTheTags(String tagKey) {
    KeyRecord key = keyWithTags(KeyState.ENABLED, 1);

    KmsException e =
        assertThrows(
            KmsException.class,
            () ->
                management.tagResource(
                    ctx, key.keyId(), List.of(new Tag("fine", "v"), new Tag(tagKey, "v"))));

    assertEquals(ErrorCode.TAG, e.code());
    assertEquals("Tags beginning with aws: are reserved", e.getMessage());
    assertEquals(Map.of("key-0", "value-0"), tagsOf(key));
  }

  @ParameterizedTest
  @ValueSource(strings = {"aws:name", "AWS:name"})
  void untagResource_aTagKeyBeginningWithAws_isTagException_andRemovesNone(String tagKey) {
    KeyRecord key = keyWithTags(KeyState.ENABLED, 1);

    assertEquals(
        ErrorCode.TAG,
        refusal(() -> management.untagResource(ctx, key.keyId(), List.of("key-0", tagKey))));
    assertEquals(Map.of("key-0", "value-0"), tagsOf(key));
  }

  @Test
  void untagResource_removesOnlyTheNamedTags_andIgnoresUnknownOnes() {
    KeyRecord key = keyWithTags(KeyState.ENABLED, 3);

    management.untagResource(ctx, key.keyId(), List.of("key-1", "never-set"));

    assertEquals(Map.of("key-0", "value-0", "key-2", "value-2"), tagsOf(key));
  }

  @Test
  void tagResource_existingTagKey_replacesItsValue() {
    KeyRecord key = keyWithTags(KeyState.ENABLED, 1);

    management.tagResource(ctx, key.keyId(), List.of(new Tag("key-0", "")));

    assertEquals(Map.of("key-0", ""), tagsOf(key));
  }

  // --- ListResourceTags paging -------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7, 50})
  void listResourceTags_pagedWithLimit_returnsEachTagOnce_inTagKeyOrder(int limit) {
    KeyRecord key = keyWithTags(KeyState.ENABLED, 7);
    List<Tag> listed = new ArrayList<>();
    String marker = null;
    int pages = 0;
    do {
      Page<Tag> page = management.listResourceTags(ctx, key.keyId(), limit, marker);
      assertEquals(page.nextMarker() != null, page.truncated());
      listed.addAll(page.items());
      marker = page.nextMarker();
      pages++;
    } while (marker != null);

    List<Tag> expected = new ArrayList<>();
    new TreeMap<>(tagsOf(key)).forEach((k, v) -> expected.add(new Tag(k, v)));
    assertEquals(expected, listed);
    assertEquals((7 + limit - 1) / limit, pages, "no empty last page");
  }

  @Test
  void listResourceTags_ofAnUntaggedKey_isOneEmptyPage() {
    KeyRecord key = keyWithTags(KeyState.ENABLED, 0);

    Page<Tag> page = management.listResourceTags(ctx, key.keyId(), 10, null);

    assertEquals(List.of(), page.items());
    assertFalse(page.truncated());
  }

  @Test
  void listResourceTags_withAMarkerOfListKeys_isInvalidMarkerException() {
    KeyRecord key = keyWithTags(KeyState.ENABLED, 3);
    services.stored.add(KeyState.ENABLED);
    String keysMarker = management.listKeys(ctx, 1, null).nextMarker();

    assertEquals(
        ErrorCode.INVALID_MARKER,
        refusal(() -> management.listResourceTags(ctx, key.keyId(), 10, keysMarker)));
  }
}
