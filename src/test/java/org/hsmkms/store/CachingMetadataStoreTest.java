package org.hsmkms.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.hsmkms.store.jdbc.JdbcMetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache in front of a real SQLite store answers what the database holds after every write. */
class CachingMetadataStoreTest {
  @TempDir Path dir;
  private JdbcMetadataStore database;
  private CachingMetadataStore store;

  @BeforeEach
  void open() {
    database = new JdbcMetadataStore("jdbc:sqlite:" + dir.resolve("m.db"));
    store = new CachingMetadataStore(database);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static KeyRecord key(String state) {
    String id = UUID.randomUUID().toString();
    return new KeyRecord(
        id,
        "111122223333",
        "us-east-1",
        state,
        "SYMMETRIC_DEFAULT",
        "ENCRYPT_DECRYPT",
        "AWS_KMS",
        "",
        "{}",
        Instant.ofEpochMilli(1000),
        null,
        null,
        id.replace("-", ""));
  }

  private void insert(KeyRecord k) {
    store.insertKey(k, new MaterialRecord(k.currentMaterialId(), k.keyId(), k.creationDate()));
  }

  @Test
  void findKey_afterUpdateThroughTheCache_seesTheNewState() {
    KeyRecord k = key("Enabled");
    insert(k);
    assertEquals("Enabled", store.findKey(k.keyId()).orElseThrow().keyState());

    store.updateKey(k.withState("Disabled", null, null));

    assertEquals("Disabled", store.findKey(k.keyId()).orElseThrow().keyState());
  }

  @Test
  void findKey_cachedAbsence_isForgottenWhenTheKeyIsInserted() {
    KeyRecord k = key("Enabled");
    assertEquals(Optional.empty(), store.findKey(k.keyId()));

    insert(k);

    assertTrue(store.findKey(k.keyId()).isPresent());
  }

  @Test
  void deleteKey_removesTheKeyItsMaterialsAndItsAliasesFromTheCache() {
    KeyRecord k = key("Enabled");
    insert(k);
    AliasRecord a =
        new AliasRecord(
            "111122223333", "us-east-1", "alias/x", k.keyId(), Instant.EPOCH, Instant.EPOCH);
    assertTrue(store.insertAlias(a));
    assertEquals(1, store.materials(k.keyId()).size());
    assertTrue(store.findAlias("111122223333", "us-east-1", "alias/x").isPresent());

    store.deleteKey(k.keyId());

    assertEquals(Optional.empty(), store.findKey(k.keyId()));
    assertEquals(List.of(), store.materials(k.keyId()));
    assertEquals(Optional.empty(), store.findAlias("111122223333", "us-east-1", "alias/x"));
  }

  @Test
  void updateAlias_isSeenAtOnce() {
    KeyRecord k1 = key("Enabled");
    KeyRecord k2 = key("Enabled");
    insert(k1);
    insert(k2);
    store.insertAlias(
        new AliasRecord(
            "111122223333", "us-east-1", "alias/y", k1.keyId(), Instant.EPOCH, Instant.EPOCH));
    assertEquals(
        k1.keyId(),
        store.findAlias("111122223333", "us-east-1", "alias/y").orElseThrow().targetKeyId());

    store.updateAlias(
        new AliasRecord(
            "111122223333", "us-east-1", "alias/y", k2.keyId(), Instant.EPOCH, Instant.EPOCH));

    assertEquals(
        k2.keyId(),
        store.findAlias("111122223333", "us-east-1", "alias/y").orElseThrow().targetKeyId());
  }

  private static GrantRecord grant(KeyRecord k, char id) {
    return new GrantRecord(
        String.valueOf(id).repeat(64),
        k.keyId(),
        k.account(),
        k.region(),
        null,
        "arn:aws:iam::111122223333:user/alice",
        null,
        List.of("Decrypt"),
        null,
        Map.of("purpose", "test"),
        k.account(),
        Instant.EPOCH);
  }

  @Test
  void grantsOfKey_seeEachGrantInsertedAndDeletedThroughTheCache() {
    KeyRecord k = key("Enabled");
    insert(k);
    assertEquals(List.of(), store.grantsOfKey(k.keyId()));

    store.insertGrant(grant(k, 'a'), "hash-a");
    assertEquals(List.of(grant(k, 'a')), store.grantsOfKey(k.keyId()));

    store.insertGrant(grant(k, 'b'), "hash-b");
    assertEquals(List.of(grant(k, 'a'), grant(k, 'b')), store.grantsOfKey(k.keyId()));

    store.deleteGrant(grant(k, 'a').grantId());
    assertEquals(List.of(grant(k, 'b')), store.grantsOfKey(k.keyId()));
  }

  @Test
  void findGrantByToken_cachedAbsence_isForgottenWhenATokenIsAdded() {
    KeyRecord k = key("Enabled");
    insert(k);
    store.insertGrant(grant(k, 'a'), "hash-a");
    assertEquals(Optional.empty(), store.findGrantByToken("hash-2"));

    store.addGrantToken(grant(k, 'a').grantId(), "hash-2");

    assertEquals(Optional.of(grant(k, 'a')), store.findGrantByToken("hash-2"));
  }

  @Test
  void deleteKey_forgetsItsCachedGrants() {
    KeyRecord k = key("Enabled");
    insert(k);
    store.insertGrant(grant(k, 'a'), "hash-a");
    assertEquals(1, store.grantsOfKey(k.keyId()).size());
    assertTrue(store.findGrantByToken("hash-a").isPresent());

    store.deleteKey(k.keyId());

    assertEquals(List.of(), store.grantsOfKey(k.keyId()));
    assertEquals(Optional.empty(), store.findGrantByToken("hash-a"));
  }
}
