package org.hsmkms.store.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.hsmkms.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned schema migrations: SQL scripts {@code V1__name.sql}, {@code V2__name.sql}, ... on the
 * classpath, listed in order in an {@code index.txt} beside them (a directory inside a shaded jar
 * cannot be listed). Applied versions are recorded in a {@code schema_version} table.
 *
 * <p>{@link #apply} brings a database up to {@link #latestVersion()}, each version in its own
 * transaction that also re-reads the current version, so two processes starting at once do not
 * apply a script twice (SQLite serialises the transactions; on PostgreSQL the loser fails on the
 * {@code schema_version} primary key and can be restarted). A database whose version is newer than
 * this build knows is refused: running old code on a newer schema could silently drop or misread
 * columns.
 *
 * <p>Scripts hold portable SQL only. Statements are separated by a {@code ;} and lines starting
 * with {@code --} are comments; a {@code ;} inside a string literal is not supported.
 */
public final class Migrations {

  /** Where the service's own migrations live on the classpath. */
  public static final String DEFAULT_LOCATION = "db/migration";

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
  private static final Pattern SCRIPT_NAME = Pattern.compile("V([1-9][0-9]*)__[A-Za-z0-9_]+\\.sql");

  private final List<Script> scripts;

  private record Script(int version, String name, String sql) {}

  private Migrations(List<Script> scripts) {
    this.scripts = List.copyOf(scripts);
  }

  /** The service's migrations from {@link #DEFAULT_LOCATION}. */
  public static Migrations fromClasspath() {
    return fromClasspath(DEFAULT_LOCATION, Migrations.class.getClassLoader());
  }

  /**
   * Loads {@code location/index.txt} and every script it names.
   *
   * @throws StoreException if the index or a script is missing, or line N of the index does not
   *     name version N
   */
  public static Migrations fromClasspath(String location, ClassLoader loader) {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(loader, "loader");
    String index = readResource(loader, location + "/index.txt");
    List<Script> scripts = new ArrayList<>();
    for (String line : index.split("\n")) {
      String name = line.strip();
      if (name.isEmpty() || name.startsWith("#")) {
        continue;
      }
      var matcher = SCRIPT_NAME.matcher(name);
      int expected = scripts.size() + 1;
      if (!matcher.matches() || Integer.parseInt(matcher.group(1)) != expected) {
        throw new StoreException(
            "migration index " + location + " must list V" + expected + "__<name>.sql next");
      }
      scripts.add(new Script(expected, name, readResource(loader, location + "/" + name)));
    }
    if (scripts.isEmpty()) {
      throw new StoreException("migration index " + location + " lists no scripts");
    }
    return new Migrations(scripts);
  }

  /** The highest schema version these migrations produce. */
  public int latestVersion() {
    return scripts.size();
  }

  /**
   * Applies every missing version in order. The connection must be in auto-commit mode and is left
   * in it.
   *
   * @return how many versions were applied (0 when the schema was current)
   * @throws StoreException if the database is newer than {@link #latestVersion()} or a script fails
   *     (that version is rolled back; earlier ones stay applied)
   */
  public int apply(Connection connection) {
    Jdbc.inTransaction(
        connection,
        "create schema_version table",
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                    + "version INTEGER NOT NULL PRIMARY KEY, "
                    + "name TEXT NOT NULL, "
                    + "applied_at BIGINT NOT NULL)");
          }
          return null;
        });
    int applied = 0;
    while (true) {
      Script next = Jdbc.inTransaction(connection, "schema migration", this::applyNext);
      if (next == null) {
        return applied;
      }
      applied++;
      LOG.info("Applied schema migration {}", next.name());
    }
  }

  /** The highest version recorded in an existing {@code schema_version} table; 0 if it is empty. */
  static int currentVersion(Connection connection) throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  // Returns the script it applied, or null when the schema is already current.
  private Script applyNext(Connection c) throws SQLException {
    int current = currentVersion(c);
    if (current > latestVersion()) {
      throw new StoreException(
          "database schema version "
              + current
              + " is newer than this build supports ("
              + latestVersion()
              + "); refusing to start");
    }
    if (current == latestVersion()) {
      return null;
    }
    Script script = scripts.get(current);
    try (Statement s = c.createStatement()) {
      for (String sql : statements(script.sql())) {
        s.execute(sql);
      }
    } catch (SQLException e) {
      throw Jdbc.failure("schema migration " + script.name(), e);
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)")) {
      ps.setInt(1, script.version());
      ps.setString(2, script.name());
      ps.setLong(3, System.currentTimeMillis());
      ps.executeUpdate();
    }
    return script;
  }

  static List<String> statements(String script) {
    StringBuilder withoutComments = new StringBuilder();
    for (String line : script.split("\n")) {
      if (!line.strip().startsWith("--")) {
        withoutComments.append(line).append('\n');
      }
    }
    List<String> statements = new ArrayList<>();
    for (String statement : withoutComments.toString().split(";")) {
      if (!statement.isBlank()) {
        statements.add(statement.strip());
      }
    }
    return statements;
  }

  private static String readResource(ClassLoader loader, String name) {
    try (InputStream in = loader.getResourceAsStream(name)) {
      if (in == null) {
        throw new StoreException("migration resource not found: " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
    } catch (IOException e) {
      throw new StoreException("cannot read migration resource " + name, e);
    }
  }
}
