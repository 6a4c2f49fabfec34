package org.hsmkms.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hsmkms.store.StoreException;
import org.junit.jupiter.api.Test;

/** Tag rows ({@link TagRows}) through the store, on SQLite and PostgreSQL. */
class TagRowsTest extends StoreTestSupport {

  @Test
  void putTags_addsAndOverwrites_andTagsAreOrderedByKey() {
    insert(key("k1"));
    store.putTags("k1", Map.of("zeta", "1", "alpha", "2"));

    store.putTags("k1", Map.of("alpha", "3", "mid", "4"));

    Map<String, String> tags = store.tags("k1");
    assertEquals(Map.of("alpha", "3", "mid", "4", "zeta", "1"), tags);
    assertEquals(List.of("alpha", "mid", "zeta"), new ArrayList<>(tags.keySet()));
  }

  @Test
  void removeTags_removesOnlyTheNamedKeys() {
    insert(key("k1"));
    store.putTags("k1", Map.of("a", "1", "b", "2", "c", "3"));

    store.removeTags("k1", Set.of("a", "c", "absent"));

    assertEquals(Map.of("b", "2"), store.tags("k1"));
  }

  @Test
  void putTags_forUnknownKey_throwsStoreException() {
    StoreException e =
        assertThrows(StoreException.class, () -> store.putTags("ghost", Map.of("t", "secret")));
    assertFalse(e.getMessage().contains("secret"), e.getMessage());
  }

  @Test
  void tags_ofUnknownKey_areEmpty() {
    assertEquals(Map.of(), store.tags("ghost"));
  }
}
