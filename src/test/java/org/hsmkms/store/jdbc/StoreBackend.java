package org.hsmkms.store.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.hsmkms.testing.PostgresServer;

/**
 * The databases the store's test suite runs against: the embedded SQLite file and a real PostgreSQL
 * server started by the tests ({@link PostgresServer}). Each test gets a new, empty database of its
 * own.
 */
enum StoreBackend {
  SQLITE {
    @Override
    String newDatabase(Path dir) {
      return "jdbc:sqlite:" + dir.resolve("metadata.db");
    }

    @Override
    Connection connect(String url) throws SQLException {
      return DriverManager.getConnection(url);
    }

    @Override
    JdbcMetadataStore open(String url) {
      return new JdbcMetadataStore(url);
    }
  },

  POSTGRESQL {
    @Override
    String newDatabase(Path dir) {
      return PostgresServer.get().createDatabase();
    }

    @Override
    Connection connect(String url) throws SQLException {
      return PostgresServer.connect(url);
    }

    @Override
    JdbcMetadataStore open(String url) {
      return new JdbcMetadataStore(url, PostgresServer.USER, PostgresServer.PASSWORD);
    }
  };

  /** The JDBC URL of a new, empty database; {@code dir} is the test's own temporary directory. */
  abstract String newDatabase(Path dir);

  /** A plain JDBC connection to the database, for a test's direct look at or change to a table. */
  abstract Connection connect(String url) throws SQLException;

  /** The store on the database, as the service opens it. */
  abstract JdbcMetadataStore open(String url);
}
