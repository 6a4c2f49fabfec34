package org.hsmkms.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.hsmkms.store.AliasRecord;
import org.hsmkms.store.StoreException;
import org.junit.jupiter.api.Test;

/** Alias rows ({@link AliasRows}) through the store, on SQLite and PostgreSQL. */
class AliasRowsTest extends StoreTestSupport {

  @Test
  void insertAlias_thenFindAlias_roundTrips() {
    insert(key("k1"));
    AliasRecord alias = new AliasRecord(ACCOUNT, REGION, "alias/app", "k1", T0, T0.plusMillis(1));

    assertTrue(store.insertAlias(alias));

    assertEquals(Optional.of(alias), store.findAlias(ACCOUNT, REGION, "alias/app"));
  }

  @Test
  void insertAlias_withTakenNameInSameRegion_returnsFalse() {
    insert(key("k1"));
    insert(key("k2"));
    assertTrue(store.insertAlias(alias(ACCOUNT, REGION, "alias/app", "k1")));

    assertFalse(store.insertAlias(alias(ACCOUNT, REGION, "alias/app", "k2")));

    assertEquals("k1", target(ACCOUNT, REGION, "alias/app"));
  }

  private String target(String account, String region, String aliasName) {
    return store.findAlias(account, region, aliasName).orElseThrow().targetKeyId();
  }

  @Test
  void insertAlias_withSameNameInAnotherRegionOrAccount_succeeds() {
    insert(key("k1", ACCOUNT, REGION, "Enabled"));
    insert(key("k2", ACCOUNT, OTHER_REGION, "Enabled"));
    insert(key("k3", OTHER_ACCOUNT, REGION, "Enabled"));

    assertTrue(store.insertAlias(alias(ACCOUNT, REGION, "alias/app", "k1")));
    assertTrue(store.insertAlias(alias(ACCOUNT, OTHER_REGION, "alias/app", "k2")));
    assertTrue(store.insertAlias(alias(OTHER_ACCOUNT, REGION, "alias/app", "k3")));

    assertEquals("k1", target(ACCOUNT, REGION, "alias/app"));
    assertEquals("k2", target(ACCOUNT, OTHER_REGION, "alias/app"));
    assertEquals("k3", target(OTHER_ACCOUNT, REGION, "alias/app"));
  }

  @Test
  void insertAlias_forUnknownKey_throwsStoreException() {
    assertThrows(
        StoreException.class, () -> store.insertAlias(alias(ACCOUNT, REGION, "alias/x", "ghost")));
    assertEquals(Optional.empty(), store.findAlias(ACCOUNT, REGION, "alias/x"));
  }

  @Test
  void findAlias_inAnotherRegion_isEmpty() {
    insert(key("k1"));
    store.insertAlias(alias(ACCOUNT, REGION, "alias/app", "k1"));

    assertEquals(Optional.empty(), store.findAlias(ACCOUNT, OTHER_REGION, "alias/app"));
    assertEquals(Optional.empty(), store.findAlias(OTHER_ACCOUNT, REGION, "alias/app"));
  }

  @Test
  void updateAlias_retargetsAndKeepsCreationDate() {
    insert(key("k1"));
    insert(key("k2"));
    store.insertAlias(alias(ACCOUNT, REGION, "alias/app", "k1"));
    Instant later = T0.plusSeconds(90);

    assertTrue(
        store.updateAlias(
            new AliasRecord(ACCOUNT, REGION, "alias/app", "k2", T0.plusSeconds(1), later)));

    assertEquals(
        Optional.of(new AliasRecord(ACCOUNT, REGION, "alias/app", "k2", T0, later)),
        store.findAlias(ACCOUNT, REGION, "alias/app"));
  }

  @Test
  void updateAlias_withUnknownAlias_returnsFalse() {
    insert(key("k1"));

    assertFalse(store.updateAlias(alias(ACCOUNT, REGION, "alias/none", "k1")));
    assertEquals(Optional.empty(), store.findAlias(ACCOUNT, REGION, "alias/none"));
  }

  @Test
  void deleteAlias_returnsTrueOnceThenFalse() {
    insert(key("k1"));
    store.insertAlias(alias(ACCOUNT, REGION, "alias/app", "k1"));

    assertFalse(store.deleteAlias(ACCOUNT, OTHER_REGION, "alias/app"));
    assertTrue(store.deleteAlias(ACCOUNT, REGION, "alias/app"));
    assertFalse(store.deleteAlias(ACCOUNT, REGION, "alias/app"));
    assertTrue(store.findKey("k1").isPresent());
  }

  @Test
  void listAliases_isOrderedByNameAndPagesWithOptionalKeyFilter() {
    insert(key("k1"));
    insert(key("k2"));
    insert(key("k9", ACCOUNT, OTHER_REGION, "Enabled"));
    store.insertAlias(alias(ACCOUNT, REGION, "alias/d", "k1"));
    store.insertAlias(alias(ACCOUNT, REGION, "alias/b", "k2"));
    store.insertAlias(alias(ACCOUNT, REGION, "alias/a", "k1"));
    store.insertAlias(alias(ACCOUNT, REGION, "alias/c", "k1"));
    store.insertAlias(alias(ACCOUNT, OTHER_REGION, "alias/a", "k9"));

    assertEquals(
        List.of("alias/a", "alias/b", "alias/c", "alias/d"),
        names(store.listAliases(ACCOUNT, REGION, null, null, 10)));
    assertEquals(
        List.of("alias/a", "alias/b"), names(store.listAliases(ACCOUNT, REGION, null, null, 2)));
    assertEquals(
        List.of("alias/c", "alias/d"),
        names(store.listAliases(ACCOUNT, REGION, null, "alias/b", 2)));
    assertEquals(
        List.of("alias/a", "alias/c", "alias/d"),
        names(store.listAliases(ACCOUNT, REGION, "k1", null, 10)));
    assertEquals(List.of("alias/c"), names(store.listAliases(ACCOUNT, REGION, "k1", "alias/a", 1)));
    assertEquals(List.of(), names(store.listAliases(ACCOUNT, REGION, "k9", null, 10)));
  }

  private static List<String> names(List<AliasRecord> aliases) {
    return aliases.stream().map(AliasRecord::aliasName).toList();
  }
}
