package org.hsmkms.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MaterialRecord;
import org.hsmkms.store.MultiRegionKeyRecord;
import org.hsmkms.store.StoreException;
import org.junit.jupiter.api.Test;

/**
 * Multi-Region keys in the store (V5): one row per region ({@code mrk-<hex>/<region>}), the
 * material rows with the primary's row, the shared record with the last row.
 */
class MultiRegionRowsTest extends StoreTestSupport {
  private static final String MRK = "mrk-0123456789abcdef0123456789abcdef";
  private static final String PRIMARY = MRK + "/" + REGION;
  private static final String REPLICA = MRK + "/" + OTHER_REGION;

  private KeyRecord primary() {
    KeyRecord row = key(PRIMARY, ACCOUNT, REGION, "Enabled");
    store.insertMultiRegionKey(row, material(row));
    return row;
  }

  private KeyRecord replica(KeyRecord primary) {
    KeyRecord row =
        new KeyRecord(
            REPLICA,
            ACCOUNT,
            OTHER_REGION,
            "Enabled",
            primary.keySpec(),
            primary.keyUsage(),
            primary.origin(),
            "",
            primary.policy(),
            T0,
            null,
            null,
            primary.currentMaterialId());
    store.insertReplica(row, Map.of("team", "eu"));
    return row;
  }

  @Test
  void insertMultiRegionKey_recordsThePrimaryRegion_andThePublicIdIsTheRowIdUpToTheSlash() {
    KeyRecord row = primary();

    assertEquals(
        Optional.of(new MultiRegionKeyRecord(MRK, ACCOUNT, REGION)), store.findMultiRegionKey(MRK));
    assertEquals(MRK, row.publicId());
    assertTrue(row.isMultiRegion());
    assertEquals("arn:aws:kms:" + REGION + ":" + ACCOUNT + ":key/" + MRK, row.arn());
    assertEquals(List.of(PRIMARY), ids(store.multiRegionRows(MRK)));
  }

  @Test
  void insertReplica_addsARowWithItsTags_andNoMaterialRowsOfItsOwn() {
    KeyRecord p = primary();
    replica(p);

    assertEquals(List.of(PRIMARY, REPLICA), ids(store.multiRegionRows(MRK)));
    assertEquals(Map.of("team", "eu"), store.tags(REPLICA));
    assertEquals(List.of(), store.materials(REPLICA));
    assertEquals(1, store.materials(PRIMARY).size());
  }

  @Test
  void insertReplica_twiceInOneRegion_isRefused_andLeavesNoTrace() {
    KeyRecord p = primary();
    replica(p);

    assertThrows(StoreException.class, () -> replica(p));
    assertEquals(List.of(PRIMARY, REPLICA), ids(store.multiRegionRows(MRK)));
  }

  @Test
  void updatePrimaryRegion_movesTheMaterialRows_andTheRecord() {
    KeyRecord p = primary();
    replica(p);
    List<MaterialRecord> before = store.materials(PRIMARY);

    store.updatePrimaryRegion(MRK, REGION, OTHER_REGION);

    assertEquals(OTHER_REGION, store.findMultiRegionKey(MRK).orElseThrow().primaryRegion());
    assertEquals(List.of(), store.materials(PRIMARY));
    assertEquals(
        before.stream().map(MaterialRecord::materialId).toList(),
        store.materials(REPLICA).stream().map(MaterialRecord::materialId).toList());
  }

  @Test
  void updatePrimaryRegion_fromARegionNoLongerThePrimary_isAConflict_andChangesNothing() {
    KeyRecord p = primary();
    replica(p);
    store.updatePrimaryRegion(MRK, REGION, OTHER_REGION);
    List<MaterialRecord> moved = store.materials(REPLICA);

    // A second node that read the primary before the first move tries to move it too.
    assertThrows(
        org.hsmkms.store.StoreConflictException.class,
        () -> store.updatePrimaryRegion(MRK, REGION, OTHER_REGION));

    assertEquals(OTHER_REGION, store.findMultiRegionKey(MRK).orElseThrow().primaryRegion());
    assertEquals(moved, store.materials(REPLICA));
  }

  @Test
  void updatePrimaryRegion_toARegionWithoutARow_isRefused_andChangesNothing() {
    primary();

    assertThrows(StoreException.class, () -> store.updatePrimaryRegion(MRK, REGION, OTHER_REGION));
    assertEquals(REGION, store.findMultiRegionKey(MRK).orElseThrow().primaryRegion());
    assertEquals(1, store.materials(PRIMARY).size());
  }

  @Test
  void deleteKey_ofThePrimaryWhileAReplicaExists_isRefused_andKeepsItsMaterials() {
    KeyRecord p = primary();
    replica(p);

    assertThrows(StoreException.class, () -> store.deleteKey(PRIMARY));
    assertTrue(store.findKey(PRIMARY).isPresent());
    assertEquals(1, store.materials(PRIMARY).size());
  }

  @Test
  void deleteKey_ofTheReplicaThenThePrimary_removesTheSharedRecordWithTheLastRow() {
    KeyRecord p = primary();
    replica(p);

    store.deleteKey(REPLICA);
    assertTrue(store.findMultiRegionKey(MRK).isPresent());
    assertEquals(Map.of(), store.tags(REPLICA));
    store.deleteKey(PRIMARY);

    assertEquals(Optional.empty(), store.findMultiRegionKey(MRK));
    assertEquals(List.of(), store.multiRegionRows(MRK));
  }

  @Test
  void multiRegionRows_ofOneKey_doNotIncludeAnotherKeyWithACommonPrefix() {
    primary();
    KeyRecord other =
        key("mrk-0123456789abcdef0123456789abcdee/" + REGION, ACCOUNT, REGION, "Enabled");
    store.insertMultiRegionKey(other, material(other));

    assertEquals(List.of(PRIMARY), ids(store.multiRegionRows(MRK)));
  }
}
