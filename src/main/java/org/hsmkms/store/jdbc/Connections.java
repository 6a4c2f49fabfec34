package org.hsmkms.store.jdbc;

import java.time.Duration;
import java.util.Optional;
import org.hsmkms.store.ClusterChanges;
import org.hsmkms.store.StoreException;

/**
 * How the store reaches its database: a unit of work runs either as one write transaction or as one
 * read. Two kinds, chosen by the JDBC URL: the embedded SQLite file ({@link SqliteConnections}: one
 * writer, a few readers, all kept open) and PostgreSQL ({@link PostgresConnections}: a validating
 * pool shared by several nodes).
 */
interface Connections extends AutoCloseable {

  /**
   * Runs {@code work} in one transaction. It may be run more than once (PostgreSQL retries a
   * transaction that lost a serialization conflict), so it must do nothing but SQL on the
   * connection it is given.
   *
   * @param operation names the operation in error messages; ids only, never data values
   */
  <T> T write(String operation, Jdbc.SqlWork<T> work);

  /**
   * As {@link #write}, for a write of rows that no node caches (usage counts): other nodes are not
   * told of it.
   */
  default <T> T writeUncached(String operation, Jdbc.SqlWork<T> work) {
    return write(operation, work);
  }

  /** How this node hears of other nodes' changes; empty when no other process writes (SQLite). */
  default Optional<ClusterChanges> clusterChanges() {
    return Optional.empty();
  }

  /**
   * Runs {@code work} in auto-commit mode; it should be a single query, which is then its own
   * consistent snapshot.
   */
  <T> T read(String operation, Jdbc.SqlWork<T> work);

  /**
   * Runs {@code SELECT 1} on a read connection.
   *
   * @throws StoreException if the database does not answer
   */
  default void checkReachable() {
    read(
        "checkReachable",
        c -> {
          try (var statement = c.createStatement();
              var rows = statement.executeQuery("SELECT 1")) {
            if (!rows.next()) {
              throw new StoreException("checkReachable failed: SELECT 1 returned no row");
            }
            return null;
          }
        });
  }

  /** Closes every connection; calls after this throw {@link StoreException}. Idempotent. */
  @Override
  void close();

  /**
   * Opens the database {@code url} names and brings its schema up to date.
   *
   * @param connections SQLite: read connections kept beside the writer; PostgreSQL: the pool's size
   * @param acquireTimeout how long a caller waits for a connection before the call fails
   * @throws StoreException if the URL is neither SQLite's nor PostgreSQL's (the message does not
   *     repeat the URL, which may hold a password), or the database cannot be opened or migrated
   */
  static Connections open(
      String url,
      String user,
      String password,
      int connections,
      Duration acquireTimeout,
      Migrations migrations) {
    if (url.startsWith(SqliteConnections.SQLITE_PREFIX)) {
      return SqliteConnections.open(url, connections, migrations);
    }
    if (url.startsWith(PostgresConnections.POSTGRESQL_PREFIX)) {
      return PostgresConnections.open(url, user, password, connections, acquireTimeout, migrations);
    }
    throw new StoreException(
        "unsupported metadata database URL: it must start with "
            + SqliteConnections.SQLITE_PREFIX
            + " or "
            + PostgresConnections.POSTGRESQL_PREFIX);
  }
}
