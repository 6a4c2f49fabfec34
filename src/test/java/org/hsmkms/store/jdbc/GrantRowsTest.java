package org.hsmkms.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hsmkms.store.GrantRecord;
import org.hsmkms.store.StoreException;
import org.junit.jupiter.api.Test;

/** Grant rows ({@link GrantRows}) through the store, on SQLite and PostgreSQL. */
class GrantRowsTest extends StoreTestSupport {
  private static final String ALICE = "arn:aws:iam::111122223333:user/alice";
  private static final String BOB = "arn:aws:iam::111122223333:role/bob";

  private static String id(char c) {
    return String.valueOf(c).repeat(64);
  }

  private static GrantRecord grant(
      String grantId,
      String keyId,
      String retiring,
      Map<String, String> equals,
      Map<String, String> subset) {
    return new GrantRecord(
        grantId,
        keyId,
        ACCOUNT,
        REGION,
        "name-" + grantId.charAt(0),
        ALICE,
        retiring,
        List.of("Decrypt", "Encrypt", "RetireGrant"),
        equals,
        subset,
        ACCOUNT,
        T0);
  }

  private static GrantRecord grant(String grantId, String keyId) {
    return grant(grantId, keyId, null, null, null);
  }

  @Test
  void insertGrant_thenFindGrant_roundTripsEveryField() {
    insert(key("k1"));
    GrantRecord g =
        grant(id('a'), "k1", BOB, Map.of("Department", "IT", "b", "2"), Map.of("project", "x"));

    store.insertGrant(g, "hash-a");

    assertEquals(Optional.of(g), store.findGrant(id('a')));
  }

  @Test
  void grantWithoutConstraintsOrRetiringPrincipal_readsThemAsNull() {
    insert(key("k1"));
    store.insertGrant(grant(id('a'), "k1"), "hash-a");

    GrantRecord read = store.findGrant(id('a')).orElseThrow();

    assertNull(read.retiringPrincipal());
    assertNull(read.encryptionContextEquals());
    assertNull(read.encryptionContextSubset());
    assertFalse(read.constrained());
  }

  @Test
  void emptyConstraint_staysPresentAndEmpty() {
    insert(key("k1"));
    store.insertGrant(grant(id('a'), "k1", null, Map.of(), null), "hash-a");

    GrantRecord read = store.findGrant(id('a')).orElseThrow();

    assertEquals(Map.of(), read.encryptionContextEquals());
    assertNull(read.encryptionContextSubset());
    assertTrue(read.constrained());
  }

  @Test
  void findGrantByToken_findsTheGrantByEachOfItsTokenHashes() {
    insert(key("k1"));
    GrantRecord g = grant(id('a'), "k1", null, null, Map.of("k", "v"));
    store.insertGrant(g, "hash-1");
    store.addGrantToken(id('a'), "hash-2");

    assertEquals(Optional.of(g), store.findGrantByToken("hash-1"));
    assertEquals(Optional.of(g), store.findGrantByToken("hash-2"));
    assertEquals(Optional.empty(), store.findGrantByToken("hash-3"));
  }

  @Test
  void grantsOfKey_areThatKeysGrantsInGrantIdOrderWithTheirConstraints() {
    insert(key("k1"));
    insert(key("k2"));
    store.insertGrant(grant(id('c'), "k1", null, Map.of("a", "1"), null), "h-c");
    store.insertGrant(grant(id('a'), "k1", null, null, Map.of("b", "2")), "h-a");
    store.insertGrant(grant(id('b'), "k2", null, Map.of("c", "3"), null), "h-b");

    List<GrantRecord> ofK1 = store.grantsOfKey("k1");

    assertEquals(List.of(id('a'), id('c')), ofK1.stream().map(GrantRecord::grantId).toList());
    assertEquals(Map.of("b", "2"), ofK1.get(0).encryptionContextSubset());
    assertEquals(Map.of("a", "1"), ofK1.get(1).encryptionContextEquals());
    assertEquals(List.of(), store.grantsOfKey("ghost"));
  }

  @Test
  void grantsByRetiringPrincipal_pagesThroughOneRegionInGrantIdOrder() {
    insert(key("k1"));
    insert(key("k2"));
    insert(key("k3", OTHER_ACCOUNT, REGION, "Enabled"));
    insert(key("k4", ACCOUNT, OTHER_REGION, "Enabled"));
    store.insertGrant(grant(id('d'), "k1", BOB, null, Map.of("x", "y")), "h-d");
    store.insertGrant(grant(id('b'), "k2", BOB, null, null), "h-b");
    store.insertGrant(grant(id('a'), "k1", ALICE, null, null), "h-a");
    GrantRecord otherAccount =
        new GrantRecord(
            id('c'),
            "k3",
            OTHER_ACCOUNT,
            REGION,
            null,
            ALICE,
            BOB,
            List.of("Decrypt"),
            null,
            null,
            OTHER_ACCOUNT,
            T0);
    store.insertGrant(otherAccount, "h-c");
    GrantRecord otherRegion =
        new GrantRecord(
            id('e'),
            "k4",
            ACCOUNT,
            OTHER_REGION,
            null,
            ALICE,
            BOB,
            List.of("Decrypt"),
            null,
            null,
            ACCOUNT,
            T0);
    store.insertGrant(otherRegion, "h-e");

    List<GrantRecord> first = store.grantsByRetiringPrincipal(REGION, BOB, null, 2);
    List<GrantRecord> rest = store.grantsByRetiringPrincipal(REGION, BOB, id('c'), 2);

    assertEquals(List.of(id('b'), id('c')), first.stream().map(GrantRecord::grantId).toList());
    assertEquals(List.of(id('d')), rest.stream().map(GrantRecord::grantId).toList());
    assertEquals(Map.of("x", "y"), rest.get(0).encryptionContextSubset());
  }

  @Test
  void deleteGrant_removesTheGrantItsConstraintsAndTokens() {
    insert(key("k1"));
    store.insertGrant(grant(id('a'), "k1", null, Map.of("a", "1"), Map.of("b", "2")), "h-a");
    store.insertGrant(grant(id('b'), "k1"), "h-b");

    assertTrue(store.deleteGrant(id('a')));

    assertEquals(Optional.empty(), store.findGrant(id('a')));
    assertEquals(Optional.empty(), store.findGrantByToken("h-a"));
    assertEquals(
        List.of(id('b')), store.grantsOfKey("k1").stream().map(GrantRecord::grantId).toList());
    assertFalse(store.deleteGrant(id('a')));
    // The grant id and the token hash are free again: nothing of the grant is left behind.
    store.insertGrant(grant(id('a'), "k1"), "h-a");
  }

  @Test
  void deleteKey_removesItsGrantsAndKeepsThoseOfOtherKeys() {
    insert(key("k1"));
    insert(key("k2"));
    store.insertGrant(grant(id('a'), "k1", BOB, Map.of("a", "1"), null), "h-a");
    store.insertGrant(grant(id('b'), "k2"), "h-b");

    store.deleteKey("k1");

    assertEquals(Optional.empty(), store.findGrant(id('a')));
    assertEquals(Optional.empty(), store.findGrantByToken("h-a"));
    assertEquals(List.of(), store.grantsByRetiringPrincipal(REGION, BOB, null, 10));
    assertTrue(store.findGrant(id('b')).isPresent());
  }

  @Test
  void insertGrant_forUnknownKey_throwsStoreException() {
    assertThrows(StoreException.class, () -> store.insertGrant(grant(id('a'), "ghost"), "h"));

    assertEquals(Optional.empty(), store.findGrant(id('a')));
  }

  @Test
  void insertGrant_withTakenTokenHash_throwsAndLeavesNoGrant() {
    insert(key("k1"));
    store.insertGrant(grant(id('a'), "k1"), "same");

    StoreException e =
        assertThrows(
            StoreException.class,
            () -> store.insertGrant(grant(id('b'), "k1", null, Map.of("a", "1"), null), "same"));

    assertFalse(e.getMessage().contains("same"), e.getMessage());
    assertEquals(Optional.empty(), store.findGrant(id('b')));
  }

  @Test
  void reopenedStore_keepsGrantsAndTokens() {
    insert(key("k1"));
    GrantRecord g = grant(id('a'), "k1", BOB, Map.of("a", "1"), Map.of());
    store.insertGrant(g, "h-a");
    store.close();

    store = openStore();

    assertEquals(Optional.of(g), store.findGrant(id('a')));
    assertEquals(Optional.of(g), store.findGrantByToken("h-a"));
  }
}
