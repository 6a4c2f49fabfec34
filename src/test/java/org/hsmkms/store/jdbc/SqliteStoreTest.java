package org.hsmkms.store.jdbc;

import static org.hsmkms.store.jdbc.StoreTestSupport.ACCOUNT;
import static org.hsmkms.store.jdbc.StoreTestSupport.REGION;
import static org.hsmkms.store.jdbc.StoreTestSupport.alias;
import static org.hsmkms.store.jdbc.StoreTestSupport.ids;
import static org.hsmkms.store.jdbc.StoreTestSupport.key;
import static org.hsmkms.store.jdbc.StoreTestSupport.material;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only the embedded SQLite store has: the database file, its directory and modes, an in-memory
 * database, and two processes opening one new file; and the URLs the store refuses. The rest of the
 * store's suite runs on SQLite and PostgreSQL alike ({@link StoreTestSupport}).
 */
class SqliteStoreTest {

  @TempDir Path dir;

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
    String url = "jdbc:sqlite:" + dir.resolve("metadata.db");
    new JdbcMetadataStore(url).close();
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
      assertTrue(rs.next());
      assertEquals("wal", rs.getString(1));
    }
    // Enforcement is per connection; the store's own rejection of a dangling alias shows it.
    try (JdbcMetadataStore store = new JdbcMetadataStore(url)) {
      assertThrows(
          StoreException.class, () -> store.insertAlias(alias(ACCOUNT, REGION, "alias/x", "nope")));
    }
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
}
