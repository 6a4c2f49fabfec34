package org.hsmkms.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MaterialRecord;
import org.hsmkms.store.StoreConflictException;
import org.hsmkms.store.StoreException;
import org.junit.jupiter.api.Test;

/** Key rows and their materials ({@link KeyRows}) through the store, on SQLite and PostgreSQL. */
class KeyRowsTest extends StoreTestSupport {

  @Test
  void insertKey_thenFindKey_returnsEqualRecordWithMillisecondInstants() {
    KeyRecord key =
        new KeyRecord(
            "k1",
            ACCOUNT,
            REGION,
            "PendingDeletion",
            "SYMMETRIC_DEFAULT",
            "ENCRYPT_DECRYPT",
            "AWS_KMS",
            "my key",
            SECRET_POLICY,
            T0,
            Instant.parse("2024-05-31T23:59:59.999Z"),
            30,
            "m-k1");
    insert(key);

    assertEquals(Optional.of(key), store.findKey("k1"));
  }

  @Test
  void insertKey_withNullOptionalFields_roundTripsNulls() {
    KeyRecord key =
        new KeyRecord(
            "k1", ACCOUNT, REGION, "Creating", null, null, null, null, null, T0, null, null, null);
    store.insertKey(key, new MaterialRecord("m1", "k1", T0));

    KeyRecord found = store.findKey("k1").orElseThrow();
    assertEquals(key, found);
    assertEquals("", found.description());
  }

  @Test
  void findKey_withUnknownId_isEmpty() {
    assertEquals(Optional.empty(), store.findKey("nope"));
  }

  @Test
  void insertKey_storesFirstMaterial() {
    KeyRecord key = insert(key("k1"));

    assertEquals(List.of(new MaterialRecord("m-k1", "k1", T0)), store.materials("k1"));
  }

  @Test
  void insertKey_withTakenKeyId_throwsStoreExceptionNamingNoData() {
    insert(key("k1"));
    KeyRecord again = key("k1").withDescription("second");

    StoreException e =
        assertThrows(
            StoreException.class,
            () -> store.insertKey(again, new MaterialRecord("m-other", "k1", T0)));

    assertTrue(e.getMessage().contains("k1"), e.getMessage());
    assertNoSecrets(e);
    assertEquals(SECRET_DESCRIPTION, store.findKey("k1").orElseThrow().description());
    assertEquals(1, store.materials("k1").size());
  }

  @Test
  void insertKey_whenMaterialInsertFails_leavesNoKeyRow() {
    insert(key("k1"));
    KeyRecord second = key("k2");

    // The material id is already taken by k1, so the second insert of the transaction fails.
    assertThrows(
        StoreException.class, () -> store.insertKey(second, new MaterialRecord("m-k1", "k2", T0)));

    assertEquals(Optional.empty(), store.findKey("k2"));
  }

  @Test
  void insertKey_withMaterialOfAnotherKey_isRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> store.insertKey(key("k1"), new MaterialRecord("m", "k2", T0)));
    assertEquals(Optional.empty(), store.findKey("k1"));
  }

  @Test
  void updateKey_replacesMutableColumnsAndKeepsTheRest() {
    insert(key("k1"));
    Instant due = T0.plusMillis(7L * 24 * 3600 * 1000 + 1);
    KeyRecord changed =
        new KeyRecord(
            "k1",
            OTHER_ACCOUNT,
            OTHER_REGION,
            "PendingDeletion",
            "RSA_2048",
            "SIGN_VERIFY",
            "EXTERNAL",
            "new description",
            "new policy",
            T0.plusSeconds(5),
            due,
            7,
            "m-new");

    store.updateKey(changed);

    KeyRecord expected =
        new KeyRecord(
            "k1",
            ACCOUNT,
            REGION,
            "PendingDeletion",
            "SYMMETRIC_DEFAULT",
            "ENCRYPT_DECRYPT",
            "AWS_KMS",
            "new description",
            "new policy",
            T0,
            due,
            7,
            "m-new",
            1);
    assertEquals(Optional.of(expected), store.findKey("k1"));
  }

  @Test
  void updateKey_raisesTheVersionByOne_andTheNextWriteNamesTheNewVersion() {
    insert(key("k1"));
    KeyRecord read = store.findKey("k1").orElseThrow();
    assertEquals(0, read.version());

    store.updateKey(read.withDescription("first"));
    KeyRecord again = store.findKey("k1").orElseThrow();
    store.updateKey(again.withDescription("second"));

    assertEquals(1, again.version());
    assertEquals(2, store.findKey("k1").orElseThrow().version());
    assertEquals("second", store.findKey("k1").orElseThrow().description());
  }

  @Test
  void updateKey_ofARowReadBeforeARotationCompleted_isAConflict_andTheNewMaterialStaysCurrent() {
    insert(key("k1"));
    KeyRecord readBefore = store.findKey("k1").orElseThrow();
    store.claimRotation(
        new org.hsmkms.store.RotationRecord(
            "m-new", "k1", org.hsmkms.store.RotationRecord.ON_DEMAND, false, T0),
        10);
    store.completeRotation("m-new", T0);

    assertThrows(
        StoreConflictException.class,
        () -> store.updateKey(readBefore.withDescription("read before the rotation")));

    assertEquals("m-new", store.findKey("k1").orElseThrow().currentMaterialId());
  }

  @Test
  void updateKey_withTheVersionAnotherWriterReplaced_isAConflictAndWritesNothing() {
    insert(key("k1"));
    KeyRecord read = store.findKey("k1").orElseThrow();
    store.updateKey(read.withState("Disabled", null, null));

    assertThrows(
        StoreConflictException.class,
        () -> store.updateKey(read.withState("PendingDeletion", T0, 7)));

    KeyRecord stored = store.findKey("k1").orElseThrow();
    assertEquals("Disabled", stored.keyState());
    assertEquals(1, stored.version());
  }

  @Test
  void updateKey_cancellingDeletion_storesNullDateAndWindow() {
    KeyRecord key = insert(key("k1").withState("PendingDeletion", T0.plusSeconds(60), 7));

    store.updateKey(key.withState("Disabled", null, null));

    KeyRecord found = store.findKey("k1").orElseThrow();
    assertEquals("Disabled", found.keyState());
    assertEquals(null, found.deletionDate());
    assertEquals(null, found.pendingWindowDays());
  }

  @Test
  void updateKey_withUnknownId_throwsStoreException() {
    StoreException e = assertThrows(StoreException.class, () -> store.updateKey(key("ghost")));

    assertTrue(e.getMessage().contains("ghost"), e.getMessage());
    assertNoSecrets(e);
  }

  @Test
  void listKeys_pagesInKeyIdOrderWithAfterKeyIdAndLimit() {
    for (String id : List.of("k5", "k1", "k4", "k2", "k3")) {
      insert(key(id));
    }

    assertEquals(List.of("k1", "k2"), ids(store.listKeys(ACCOUNT, REGION, null, 2)));
    assertEquals(List.of("k3", "k4"), ids(store.listKeys(ACCOUNT, REGION, "k2", 2)));
    assertEquals(List.of("k5"), ids(store.listKeys(ACCOUNT, REGION, "k4", 2)));
    assertEquals(List.of(), ids(store.listKeys(ACCOUNT, REGION, "k5", 2)));
  }

  @Test
  void listKeys_returnsOnlyTheGivenAccountAndRegion() {
    insert(key("a", ACCOUNT, REGION, "Enabled"));
    insert(key("b", ACCOUNT, OTHER_REGION, "Enabled"));
    insert(key("c", OTHER_ACCOUNT, REGION, "Enabled"));
    insert(key("d", OTHER_ACCOUNT, OTHER_REGION, "Enabled"));

    assertEquals(List.of("a"), ids(store.listKeys(ACCOUNT, REGION, null, 100)));
    assertEquals(List.of("b"), ids(store.listKeys(ACCOUNT, OTHER_REGION, null, 100)));
    assertEquals(List.of("c"), ids(store.listKeys(OTHER_ACCOUNT, REGION, null, 100)));
    assertEquals(List.of("d"), ids(store.listKeys(OTHER_ACCOUNT, OTHER_REGION, null, 100)));
  }

  @Test
  void countKeys_countsWhatListKeysLists_perAccountAndRegion() {
    insert(key("k1", ACCOUNT, REGION, "Creating"));
    insert(key("k2", ACCOUNT, REGION, "Enabled"));
    insert(key("k3", ACCOUNT, REGION, "Deleting"));
    insert(key("k4", ACCOUNT, REGION, "PendingDeletion"));
    insert(key("k5", ACCOUNT, OTHER_REGION, "Enabled"));
    insert(key("k6", OTHER_ACCOUNT, REGION, "Enabled"));

    assertEquals(2, store.countKeys(ACCOUNT, REGION));
    assertEquals(1, store.countKeys(ACCOUNT, OTHER_REGION));
    assertEquals(0, store.countKeys(OTHER_ACCOUNT, OTHER_REGION));
  }

  @Test
  void listKeys_excludesInternalCreatingAndDeletingStates() {
    insert(key("k1", ACCOUNT, REGION, "Creating"));
    insert(key("k2", ACCOUNT, REGION, "Enabled"));
    insert(key("k3", ACCOUNT, REGION, "Deleting"));
    insert(key("k4", ACCOUNT, REGION, "PendingDeletion"));
    insert(key("k5", ACCOUNT, REGION, "Disabled"));

    assertEquals(List.of("k2", "k4", "k5"), ids(store.listKeys(ACCOUNT, REGION, null, 100)));
  }

  @Test
  void listKeys_withNonPositiveLimit_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> store.listKeys(ACCOUNT, REGION, null, 0));
  }

  @Test
  void keysInStates_returnsMatchingKeysOfEveryAccountAndRegion() {
    insert(key("k1", ACCOUNT, REGION, "PendingDeletion"));
    insert(key("k2", OTHER_ACCOUNT, OTHER_REGION, "Deleting"));
    insert(key("k3", ACCOUNT, REGION, "Enabled"));
    insert(key("k4", OTHER_ACCOUNT, REGION, "Creating"));

    assertEquals(
        List.of("k1", "k2"), ids(store.keysInStates(Set.of("PendingDeletion", "Deleting"))));
    assertEquals(List.of("k4"), ids(store.keysInStates(Set.of("Creating"))));
    assertEquals(List.of(), store.keysInStates(Set.of()));
  }

  @Test
  void allKeys_includesInternalStates() {
    insert(key("k1", ACCOUNT, REGION, "Creating"));
    insert(key("k2", OTHER_ACCOUNT, REGION, "Enabled"));
    insert(key("k3", ACCOUNT, OTHER_REGION, "Deleting"));

    assertEquals(List.of("k1", "k2", "k3"), ids(store.allKeys()));
  }

  @Test
  void materials_areOldestFirst() throws SQLException {
    insert(key("k1"));
    // The interface has no call that adds a later material version yet; write one directly.
    try (Connection c = connect();
        PreparedStatement ps =
            c.prepareStatement("INSERT INTO key_materials VALUES ('m-older', 'k1', ?)")) {
      ps.setLong(1, T0.minusSeconds(60).toEpochMilli());
      ps.executeUpdate();
    }

    assertEquals(
        List.of("m-older", "m-k1"),
        store.materials("k1").stream().map(MaterialRecord::materialId).toList());
  }

  @Test
  void allMaterials_groupsEveryKeysMaterials_oldestFirst_asMaterialsDoes() throws SQLException {
    insert(key("k1"));
    insert(key("k2"));
    try (Connection c = connect();
        PreparedStatement ps =
            c.prepareStatement("INSERT INTO key_materials VALUES ('m-older', 'k1', ?)")) {
      ps.setLong(1, T0.minusSeconds(60).toEpochMilli());
      ps.executeUpdate();
    }

    Map<String, List<MaterialRecord>> all = store.allMaterials();

    assertEquals(Set.of("k1", "k2"), all.keySet());
    assertEquals(store.materials("k1"), all.get("k1"));
    assertEquals(
        List.of("m-older", "m-k1"),
        all.get("k1").stream().map(MaterialRecord::materialId).toList());
    assertEquals(List.of(new MaterialRecord("m-k2", "k2", T0)), all.get("k2"));
  }
}
