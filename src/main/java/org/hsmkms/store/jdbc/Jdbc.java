package org.hsmkms.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import org.hsmkms.store.StoreException;

/** Transaction and error plumbing shared by the store and the migration runner. */
final class Jdbc {

  /** A unit of work on one connection. */
  @FunctionalInterface
  interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }

  private Jdbc() {}

  /** Checks the page size of a listing call. */
  static void requirePositive(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
  }

  /**
   * Runs {@code work} in one transaction on a connection that is in auto-commit mode, and leaves it
   * in auto-commit mode again.
   *
   * <p>Auto-commit is switched off only for the duration of the work because sqlite-jdbc begins the
   * next transaction eagerly on commit; a connection left in manual mode would hold a (with {@code
   * transaction_mode=IMMEDIATE}, write-locked) transaction open between calls.
   *
   * @param operation names the operation in error messages; ids only, never data values
   */
  static <T> T inTransaction(Connection connection, String operation, SqlWork<T> work) {
    try {
      connection.setAutoCommit(false);
    } catch (SQLException e) {
      throw failure(operation, e);
    }
    T result;
    try {
      result = work.run(connection);
      connection.commit();
    } catch (SQLException e) {
      abort(connection, e);
      throw failure(operation, e);
    } catch (RuntimeException | Error e) {
      abort(connection, e);
      throw e;
    }
    try {
      connection.setAutoCommit(true);
    } catch (SQLException e) {
      throw failure(operation, e);
    }
    return result;
  }

  /**
   * Wraps a driver exception. The message carries the operation (with ids) and the SQLState and
   * vendor code, which classify the error without copying the driver's text.
   */
  static StoreException failure(String operation, SQLException e) {
    return new StoreException(
        operation + " failed (SQLState " + e.getSQLState() + ", error " + e.getErrorCode() + ")",
        e);
  }

  // Failures while undoing are attached to the original error rather than replacing it.
  private static void abort(Connection connection, Throwable original) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      original.addSuppressed(e);
    }
    try {
      connection.setAutoCommit(true);
    } catch (SQLException e) {
      original.addSuppressed(e);
    }
  }
}
