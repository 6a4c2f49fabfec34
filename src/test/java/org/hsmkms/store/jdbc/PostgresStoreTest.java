package org.hsmkms.store.jdbc;

import static org.hsmkms.store.jdbc.StoreTestSupport.ACCOUNT;
import static org.hsmkms.store.jdbc.StoreTestSupport.REGION;
import static org.hsmkms.store.jdbc.StoreTestSupport.T0;
import static org.hsmkms.store.jdbc.StoreTestSupport.alias;
import static org.hsmkms.store.jdbc.StoreTestSupport.ids;
import static org.hsmkms.store.jdbc.StoreTestSupport.key;
import static org.hsmkms.store.jdbc.StoreTestSupport.material;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.RotationClaim;
import org.hsmkms.store.RotationRecord;
import org.hsmkms.store.StoreException;
import org.hsmkms.testing.PostgresServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What only the PostgreSQL store has, on a real server: several stores (standing in for several
 * nodes) on one database, a server restart under an open pool, and the database settings and
 * credentials it refuses. The rest of the store's suite runs on SQLite and PostgreSQL alike ({@link
 * StoreTestSupport}).
 */
class PostgresStoreTest {

  private PostgresServer server;
  private String url;
  private final List<JdbcMetadataStore> stores = new ArrayList<>();
  private ExecutorService pool;

  @BeforeEach
  void start() {
    server = PostgresServer.get();
    url = server.createDatabase();
    pool = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
    stores.forEach(JdbcMetadataStore::close);
  }

  private JdbcMetadataStore open() {
    JdbcMetadataStore s = new JdbcMetadataStore(url, PostgresServer.USER, PostgresServer.PASSWORD);
    stores.add(s);
    return s;
  }

  @Test
  void store_afterTheServerRestarts_readsAndWritesAgainWithoutReopening() throws Exception {
    JdbcMetadataStore store = open();
    KeyRecord k1 = key("k1");
    store.insertKey(k1, material(k1));
    // Every pooled connection was just used: the pool would hand them out without validation.
    for (int i = 0; i < 8; i++) {
      store.findKey("k1");
    }

    server.restart();

    assertEquals(k1, store.findKey("k1").orElseThrow());
    KeyRecord k2 = key("k2");
    store.insertKey(k2, material(k2));
    store.putTags("k2", Map.of("after", "restart"));
    assertEquals(List.of("k1", "k2"), ids(store.listKeys(ACCOUNT, REGION, null, 10)));
    assertEquals(Map.of("after", "restart"), store.tags("k2"));
  }

  @Test
  void twoNodesRacingRotateKeyOnDemand_onOneKey_exactlyOneClaimsEachTime() throws Exception {
    JdbcMetadataStore a = open();
    JdbcMetadataStore b = open();
    KeyRecord key = key("k1");
    a.insertKey(key, material(key));
    CyclicBarrier barrier = new CyclicBarrier(2);
    for (int round = 0; round < 20; round++) {
      RotationRecord ra =
          new RotationRecord("a" + round, "k1", RotationRecord.ON_DEMAND, false, T0);
      RotationRecord rb =
          new RotationRecord("b" + round, "k1", RotationRecord.ON_DEMAND, false, T0);
      Future<RotationClaim> fa = race(barrier, () -> a.claimRotation(ra, 1000));
      Future<RotationClaim> fb = race(barrier, () -> b.claimRotation(rb, 1000));
      List<RotationClaim> claims =
          List.of(fa.get(60, TimeUnit.SECONDS), fb.get(60, TimeUnit.SECONDS));

      assertEquals(1, claims.stream().filter(RotationClaim.CLAIMED::equals).count(), "" + claims);
      assertTrue(claims.contains(RotationClaim.IN_PROGRESS), "" + claims);
      String winner = claims.get(0) == RotationClaim.CLAIMED ? ra.materialId() : rb.materialId();
      a.completeRotation(winner, T0);
    }
    assertEquals(20, a.rotations("k1").size());
  }

  @Test
  void twoNodesRacingInsertAlias_forOneName_exactlyOneWins() throws Exception {
    JdbcMetadataStore a = open();
    JdbcMetadataStore b = open();
    for (String id : List.of("k1", "k2")) {
      a.insertKey(key(id), material(key(id)));
    }
    CyclicBarrier barrier = new CyclicBarrier(2);
    for (int round = 0; round < 20; round++) {
      String name = "alias/race-" + round;
      Future<Boolean> fa = race(barrier, () -> a.insertAlias(alias(ACCOUNT, REGION, name, "k1")));
      Future<Boolean> fb = race(barrier, () -> b.insertAlias(alias(ACCOUNT, REGION, name, "k2")));

      assertTrue(fa.get(60, TimeUnit.SECONDS) ^ fb.get(60, TimeUnit.SECONDS), name);
    }
  }

  @Test
  void fourNodesOpeningOneNewDatabaseAtOnce_applyEachMigrationOnce() throws Exception {
    CyclicBarrier barrier = new CyclicBarrier(4);
    List<Future<JdbcMetadataStore>> opening = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      opening.add(race(barrier, this::open));
    }
    for (Future<JdbcMetadataStore> f : opening) {
      f.get(60, TimeUnit.SECONDS);
    }

    try (Connection c = PostgresServer.connect(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*), MAX(version) FROM schema_version")) {
      assertTrue(rs.next());
      int latest = Migrations.fromClasspath().latestVersion();
      assertEquals(latest, rs.getInt(1));
      assertEquals(latest, rs.getInt(2));
    }
  }

  @Test
  void databaseThatDoesNotSortInByteOrder_isRefusedAtOpen() throws SQLException {
    String name = "icu_collation";
    try (Connection c = PostgresServer.connect(server.url("postgres"));
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE DATABASE "
              + name
              + " TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"
              + " LC_COLLATE 'C' LC_CTYPE 'C'");
    }

    StoreException e =
        assertThrows(
            StoreException.class,
            () ->
                new JdbcMetadataStore(
                    server.url(name), PostgresServer.USER, PostgresServer.PASSWORD));

    assertTrue(e.getMessage().contains("LC_COLLATE 'C'"), e.getMessage());
  }

  @Test
  void wrongPassword_isRefused_withoutThePasswordOrUrlInAnyMessage() {
    String password = "not-the-password-hunter2";

    StoreException e =
        assertThrows(
            StoreException.class, () -> new JdbcMetadataStore(url, PostgresServer.USER, password));

    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      assertFalse(message.contains(password), message);
    }
    assertTrue(e.getMessage().contains("28P01"), e.getMessage());
  }

  private <T> Future<T> race(CyclicBarrier barrier, Callable<T> work) {
    return pool.submit(
        () -> {
          barrier.await(30, TimeUnit.SECONDS);
          return work.call();
        });
  }
}
