package org.hsmkms.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hsmkms.store.AliasRecord;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MaterialRecord;
import org.hsmkms.store.StoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the store against a real SQLite file. */
class JdbcMetadataStoreTest {

  private static final String ACCOUNT = "111122223333";
  private static final String OTHER_ACCOUNT = "444455556666";
  private static final String REGION = "eu-west-1";
  private static final String OTHER_REGION = "us-east-1";
  private static final Instant T0 = Instant.parse("2024-05-01T10:15:30.123Z");
  private static final String SECRET_POLICY = "{\"Statement\":\"policy-text-do-not-leak\"}";
  private static final String SECRET_DESCRIPTION = "description-do-not-leak";

  @TempDir Path dir;
  private Path dbFile;
  private JdbcMetadataStore store;

  @BeforeEach
  void open() {
    dbFile = dir.resolve("metadata.db");
    store = new JdbcMetadataStore(url());
  }

  @AfterEach
  void close() {
    store.close();
  }

  private String url() {
    return "jdbc:sqlite:" + dbFile;
  }

  private static KeyRecord key(String keyId, String account, String region, String state) {
    return new KeyRecord(
        keyId,
        account,
        region,
        state,
        "SYMMETRIC_DEFAULT",
        "ENCRYPT_DECRYPT",
        "AWS_KMS",
        SECRET_DESCRIPTION,
        SECRET_POLICY,
        T0,
        null,
        null,
        "m-" + keyId);
  }

  private static KeyRecord key(String keyId) {
    return key(keyId, ACCOUNT, REGION, "Enabled");
  }

  private static MaterialRecord material(KeyRecord key) {
    return new MaterialRecord(key.currentMaterialId(), key.keyId(), key.creationDate());
  }

  private KeyRecord insert(KeyRecord key) {
    store.insertKey(key, material(key));
    return key;
  }

  private static AliasRecord alias(String account, String region, String name, String keyId) {
    return new AliasRecord(account, region, name, keyId, T0, T0);
  }

  private static List<String> ids(List<KeyRecord> keys) {
    return keys.stream().map(KeyRecord::keyId).toList();
  }

  private static void assertNoSecrets(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      assertFalse(message.contains("policy-text-do-not-leak"), message);
      assertFalse(message.contains(SECRET_DESCRIPTION), message);
    }
  }

  // ---- keys

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
            "m-new");
    assertEquals(Optional.of(expected), store.findKey("k1"));
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
  void deleteKey_removesKeyMaterialsAliasesAndTags() {
    insert(key("k1"));
    insert(key("k2"));
    store.insertAlias(alias(ACCOUNT, REGION, "alias/one", "k1"));
    store.insertAlias(alias(ACCOUNT, REGION, "alias/two", "k2"));
    store.putTags("k1", Map.of("a", "1", "b", "2"));
    store.putTags("k2", Map.of("a", "1"));

    store.deleteKey("k1");

    assertEquals(Optional.empty(), store.findKey("k1"));
    assertEquals(List.of(), store.materials("k1"));
    assertEquals(Map.of(), store.tags("k1"));
    assertEquals(Optional.empty(), store.findAlias(ACCOUNT, REGION, "alias/one"));
    assertTrue(store.findKey("k2").isPresent());
    assertEquals(1, store.materials("k2").size());
    assertEquals(Map.of("a", "1"), store.tags("k2"));
    assertTrue(store.findAlias(ACCOUNT, REGION, "alias/two").isPresent());
  }

  @Test
  void deleteKey_withUnknownId_doesNothing() {
    insert(key("k1"));

    store.deleteKey("ghost");

    assertEquals(List.of("k1"), ids(store.allKeys()));
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
    try (Connection c = DriverManager.getConnection(url());
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
    try (Connection c = DriverManager.getConnection(url());
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

  // ---- aliases

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

  // ---- tags

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

  // ---- lifecycle

  @Test
  void reopenedStore_keepsKeysMaterialsAliasesAndTags() {
    KeyRecord key = insert(key("k1").withState("PendingDeletion", T0.plusSeconds(3600), 7));
    store.insertAlias(alias(ACCOUNT, REGION, "alias/app", "k1"));
    store.putTags("k1", Map.of("team", "crypto"));
    store.close();

    store = new JdbcMetadataStore(url());

    assertEquals(Optional.of(key), store.findKey("k1"));
    assertEquals(List.of(material(key)), store.materials("k1"));
    assertEquals(
        Optional.of(alias(ACCOUNT, REGION, "alias/app", "k1")),
        store.findAlias(ACCOUNT, REGION, "alias/app"));
    assertEquals(Map.of("team", "crypto"), store.tags("k1"));
  }

  @Test
  void constructor_createsMissingParentDirectories() {
    Path nested = dir.resolve("a/b/c/metadata.db");

    try (JdbcMetadataStore nestedStore = new JdbcMetadataStore("jdbc:sqlite:" + nested)) {
      nestedStore.insertKey(key("k1"), material(key("k1")));
    }

    assertTrue(Files.isRegularFile(nested));
  }

  @Test
  void database_isInWalModeWithForeignKeysEnforced() throws SQLException {
    try (Connection c = DriverManager.getConnection(url());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
      assertTrue(rs.next());
      assertEquals("wal", rs.getString(1));
    }
    // Enforcement is per connection; the store's own rejection of a dangling alias shows it.
    assertThrows(
        StoreException.class, () -> store.insertAlias(alias(ACCOUNT, REGION, "alias/x", "nope")));
  }

  @Test
  void inMemoryDatabase_works() {
    try (JdbcMetadataStore memory = new JdbcMetadataStore("jdbc:sqlite::memory:")) {
      memory.insertKey(key("k1"), material(key("k1")));
      assertEquals(List.of("k1"), ids(memory.listKeys(ACCOUNT, REGION, null, 10)));
    }
  }

  @Test
  void constructor_withUnsupportedUrl_throwsStoreExceptionWithoutTheUrl() {
    String url = "jdbc:nosuchdb://host/db?password=hunter2";

    StoreException e = assertThrows(StoreException.class, () -> new JdbcMetadataStore(url));

    for (Throwable t = e; t != null; t = t.getCause()) {
      assertFalse(String.valueOf(t.getMessage()).contains("hunter2"), t.getMessage());
    }
  }

  @Test
  void closedStore_refusesCalls_andCloseIsIdempotent() {
    store.close();

    assertThrows(StoreException.class, () -> store.findKey("k1"));
    assertThrows(StoreException.class, () -> store.insertKey(key("k1"), material(key("k1"))));
    store.close();
  }

  @Test
  void concurrentReadsAndWrites_fromEightThreads_failNothingAndStayConsistent() throws Exception {
    int threads = 8;
    int opsPerThread = 200;
    insert(key("shared"));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    Map<String, String> expectedStates = new ConcurrentHashMap<>();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  runMixedOperations(thread, opsPerThread, expectedStates);
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    // Every third op inserted a key, so each thread created ceil(200/3) keys.
    int keysPerThread = (opsPerThread + 2) / 3;
    List<KeyRecord> all = store.allKeys();
    assertEquals(threads * keysPerThread + 1, all.size());
    for (KeyRecord k : all) {
      if (!k.keyId().equals("shared")) {
        assertEquals(expectedStates.get(k.keyId()), k.keyState(), k.keyId());
        assertEquals(1, store.materials(k.keyId()).size(), k.keyId());
      }
    }
    assertEquals(threads, store.listAliases(ACCOUNT, REGION, "shared", null, 100).size());
    assertEquals(threads, store.tags("shared").size());
  }

  @Test
  void twoStoresOpeningOneNewFileAtOnce_migrateOnceAndWriteWithoutBusyErrors() throws Exception {
    // Stands in for two processes on one file: the second writer waits (busy_timeout) instead
    // of failing, and the migration runs once.
    String shared = "jdbc:sqlite:" + dir.resolve("shared.db");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (String prefix : List.of("a", "b")) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  try (JdbcMetadataStore s = new JdbcMetadataStore(shared)) {
                    for (int i = 0; i < 50; i++) {
                      KeyRecord k = key(prefix + i);
                      s.insertKey(k, material(k));
                      s.putTags(k.keyId(), Map.of("n", Integer.toString(i)));
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    try (JdbcMetadataStore s = new JdbcMetadataStore(shared)) {
      assertEquals(100, s.allKeys().size());
    }
    try (Connection c = DriverManager.getConnection(shared);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM schema_version")) {
      assertTrue(rs.next());
      assertEquals(Migrations.fromClasspath().latestVersion(), rs.getInt(1));
    }
  }

  private void runMixedOperations(int thread, int ops, Map<String, String> expectedStates) {
    String prefix = "t" + thread + "-";
    store.insertAlias(alias(ACCOUNT, REGION, "alias/" + prefix + "shared", "shared"));
    int created = 0;
    for (int i = 0; i < ops; i++) {
      String id = prefix + String.format("%04d", created);
      switch (i % 3) {
        case 0 -> {
          insert(key(id));
          expectedStates.put(id, "Enabled");
          created++;
        }
        case 1 -> {
          String last = prefix + String.format("%04d", created - 1);
          KeyRecord k = store.findKey(last).orElseThrow();
          String state = i % 2 == 0 ? "Disabled" : "Enabled";
          store.updateKey(k.withState(state, null, null));
          expectedStates.put(last, state);
          store.putTags("shared", Map.of(prefix, Integer.toString(i)));
        }
        default -> {
          assertTrue(store.findKey("shared").isPresent());
          assertTrue(store.findAlias(ACCOUNT, REGION, "alias/" + prefix + "shared").isPresent());
          store.listKeys(ACCOUNT, REGION, null, 50);
          store.tags("shared");
          store.materials("shared");
        }
      }
    }
  }
}
