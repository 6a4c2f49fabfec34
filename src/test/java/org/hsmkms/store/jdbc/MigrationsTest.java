package org.hsmkms.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.hsmkms.store.StoreException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Runs the migration runner against a real SQLite file and a real PostgreSQL database. */
@ParameterizedClass(name = "{0}")
@EnumSource(StoreBackend.class)
class MigrationsTest {

  @Parameter StoreBackend backend;
  @TempDir Path dir;
  private String url;

  @BeforeEach
  void newDatabase() {
    url = backend.newDatabase(dir);
  }

  private Connection connect() throws SQLException {
    return backend.connect(url);
  }

  private static Migrations testMigrations(String name) {
    return Migrations.fromClasspath("migrations/" + name, MigrationsTest.class.getClassLoader());
  }

  private static List<List<Object>> rows(Connection c, String sql) throws SQLException {
    List<List<Object>> rows = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          row.add(rs.getObject(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  private static boolean tableExists(Connection c, String table) throws SQLException {
    try (ResultSet rs = c.getMetaData().getTables(null, null, table, new String[] {"TABLE"})) {
      return rs.next();
    }
  }

  @Test
  void openingStore_appliesEveryServiceMigrationOnce() throws SQLException {
    backend.open(url).close();

    int latest = Migrations.fromClasspath().latestVersion();
    try (Connection c = connect()) {
      assertEquals(latest, Migrations.currentVersion(c));
      assertEquals(latest, rows(c, "SELECT version FROM schema_version").size());
      for (String table : List.of("keys", "key_materials", "aliases", "tags")) {
        assertTrue(tableExists(c, table), table);
      }
    }
  }

  @Test
  void reopeningStore_appliesNothingAgain() throws SQLException {
    backend.open(url).close();
    List<List<Object>> before;
    try (Connection c = connect()) {
      before = rows(c, "SELECT version, name, applied_at FROM schema_version ORDER BY version");
      assertEquals(0, Migrations.fromClasspath().apply(c));
    }

    backend.open(url).close();

    try (Connection c = connect()) {
      assertEquals(
          before, rows(c, "SELECT version, name, applied_at FROM schema_version ORDER BY version"));
    }
  }

  @Test
  void databaseWithNewerSchemaVersion_isRefused() throws SQLException {
    backend.open(url).close();
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO schema_version VALUES (999, 'V999__future.sql', 0)");
    }

    StoreException e = assertThrows(StoreException.class, () -> backend.open(url));

    assertTrue(e.getMessage().contains("999"), e.getMessage());
  }

  @Test
  void apply_runsOnlyMissingVersionsInOrder() throws SQLException {
    try (Connection c = connect()) {
      assertEquals(2, testMigrations("two").apply(c));
      assertEquals(2, Migrations.currentVersion(c));

      assertEquals(1, testMigrations("three").apply(c));

      assertEquals(3, Migrations.currentVersion(c));
      assertEquals(List.of(List.of("from-v3")), rows(c, "SELECT id FROM second_table"));
      assertEquals(0, testMigrations("three").apply(c));
      assertTrue(c.getAutoCommit());
    }
  }

  @Test
  void apply_withFailingScript_rollsThatVersionBackAndKeepsEarlierOnes() throws SQLException {
    try (Connection c = connect()) {
      Migrations failing = testMigrations("failing");

      StoreException e = assertThrows(StoreException.class, () -> failing.apply(c));

      assertTrue(e.getMessage().contains("V2__broken.sql"), e.getMessage());
      assertEquals(1, Migrations.currentVersion(c));
      assertTrue(tableExists(c, "first_table"));
      assertFalse(tableExists(c, "half_done"));
      assertTrue(c.getAutoCommit());
    }
  }

  @Test
  void fromClasspath_withGapInIndex_isRefused() {
    assertThrows(StoreException.class, () -> testMigrations("gap"));
  }

  @Test
  void fromClasspath_withMissingIndex_isRefused() {
    assertThrows(StoreException.class, () -> testMigrations("absent"));
  }

  @Test
  void statements_skipCommentLinesAndSplitOnSemicolons() {
    assertEquals(
        List.of("CREATE TABLE a (x TEXT)", "CREATE INDEX b ON a (x)"),
        Migrations.statements(
            "-- note; here\nCREATE TABLE a (x TEXT);\n\nCREATE INDEX b ON a (x);\n"));
  }

  @Test
  void index_listsEveryServiceMigrationFile() throws IOException, URISyntaxException {
    assertEquals(serviceScripts().size(), Migrations.fromClasspath().latestVersion());
  }

  @Test
  void serviceMigrations_useNoSqliteOnlySyntax() throws IOException, URISyntaxException {
    // PostgreSQL must be able to run the same scripts.
    List<String> sqliteOnly =
        List.of("AUTOINCREMENT", "WITHOUT ROWID", "PRAGMA", "INSERT OR ", "REPLACE INTO");
    for (Path script : serviceScripts()) {
      String sql =
          String.join("\n", Migrations.statements(Files.readString(script)))
              .toUpperCase(Locale.ROOT);
      for (String syntax : sqliteOnly) {
        assertFalse(sql.contains(syntax), script.getFileName() + " uses " + syntax);
      }
    }
  }

  // Tests run from target/classes, so the service's migration directory can be listed here.
  private static List<Path> serviceScripts() throws IOException, URISyntaxException {
    Path location =
        Path.of(
                MigrationsTest.class
                    .getClassLoader()
                    .getResource(Migrations.DEFAULT_LOCATION + "/index.txt")
                    .toURI())
            .getParent();
    try (Stream<Path> files = Files.list(location)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".sql")).toList();
    }
  }
}
