package org.hsmkms.store.jdbc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.hsmkms.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded SQLite database's connections: one writer behind a lock, and a fixed set of readers
 * handed out from a queue. Writes are serialised in the process anyway (SQLite allows one writer at
 * a time), while reads run concurrently: in WAL mode readers neither block nor are blocked by the
 * writer.
 *
 * <p>All connections are opened at start-up and kept; none is reopened. That suits an embedded
 * file, which does not go away under the process; the networked database has {@link
 * PostgresConnections}, a validating pool.
 *
 * <p>Security: the JDBC URL is not kept and never appears in messages.
 */
final class SqliteConnections implements Connections {

  private static final Logger LOG = LoggerFactory.getLogger(SqliteConnections.class);
  static final String SQLITE_PREFIX = "jdbc:sqlite:";
  private static final int BUSY_TIMEOUT_MILLIS = 5_000;
  private static final int SQLITE_BUSY = 5;
  // Longer than the busy timeout, so that a wait here means a stuck caller rather than load.
  private static final long ACQUIRE_TIMEOUT_MILLIS = 30_000;

  private final ReentrantLock writeLock = new ReentrantLock();
  private final Connection writer;
  private final BlockingQueue<Connection> idleReaders;
  private final boolean hasReaders;
  private final AtomicBoolean closed = new AtomicBoolean();

  private SqliteConnections(Connection writer, List<Connection> readers) {
    this.writer = writer;
    this.hasReaders = !readers.isEmpty();
    this.idleReaders = new ArrayBlockingQueue<>(Math.max(1, readers.size()), false, readers);
  }

  /**
   * Opens the writer, brings the schema up to date on it, then opens the readers.
   *
   * @param readerCount read connections to keep; ignored (0) for an in-memory SQLite database,
   *     where every connection would see a separate database
   */
  static SqliteConnections open(String url, int readerCount, Migrations migrations) {
    createParentDirectories(url);
    boolean memory = isSqliteMemory(url);
    List<Connection> opened = new ArrayList<>();
    try {
      Connection writer = connect(url, false);
      opened.add(writer);
      configureSqlite(writer, memory, false);
      migrations.apply(writer);
      List<Connection> readers = new ArrayList<>();
      for (int i = 0; i < (memory ? 0 : readerCount); i++) {
        Connection reader = connect(url, true);
        opened.add(reader);
        readers.add(reader);
        configureSqlite(reader, memory, true);
      }
      return new SqliteConnections(writer, readers);
    } catch (SQLException | RuntimeException e) {
      for (Connection c : opened) {
        try {
          c.close();
        } catch (SQLException closeFailure) {
          e.addSuppressed(closeFailure);
        }
      }
      if (e instanceof SQLException s) {
        throw Jdbc.failure("open metadata database", s);
      }
      throw (RuntimeException) e;
    }
  }

  /** Runs {@code work} in one transaction on the writer. */
  @Override
  public <T> T write(String operation, Jdbc.SqlWork<T> work) {
    try {
      if (!writeLock.tryLock(ACQUIRE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
        throw new StoreException(operation + " timed out waiting for the database writer");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(operation + " interrupted waiting for the database writer", e);
    }
    try {
      checkOpen();
      return Jdbc.inTransaction(writer, operation, work);
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Runs {@code work} on a reader in auto-commit mode; it should be a single query, which is then
   * its own consistent snapshot.
   */
  @Override
  public <T> T read(String operation, Jdbc.SqlWork<T> work) {
    if (!hasReaders) {
      return write(operation, work);
    }
    Connection reader = borrowReader(operation);
    try {
      return work.run(reader);
    } catch (SQLException e) {
      throw Jdbc.failure(operation, e);
    } finally {
      returnReader(reader);
    }
  }

  /** Closes idle readers now, busy readers when they come back, and the writer once it is free. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    StoreException failure = new StoreException("closing the metadata database failed");
    closeIdleReaders(failure);
    writeLock.lock();
    try {
      writer.close();
    } catch (SQLException e) {
      failure.addSuppressed(e);
    } finally {
      writeLock.unlock();
    }
    if (failure.getSuppressed().length > 0) {
      throw failure;
    }
  }

  private Connection borrowReader(String operation) {
    checkOpen();
    Connection reader;
    try {
      reader = idleReaders.poll(ACQUIRE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(operation + " interrupted waiting for a database connection", e);
    }
    if (reader == null) {
      throw new StoreException(operation + " timed out waiting for a database connection");
    }
    if (closed.get()) {
      returnReader(reader);
      throw new StoreException("metadata store is closed");
    }
    return reader;
  }

  private void returnReader(Connection reader) {
    idleReaders.add(reader);
    // Checked after the add: close() may have drained the queue while this reader was out.
    if (closed.get()) {
      StoreException failure = new StoreException("closing a metadata database reader failed");
      closeIdleReaders(failure);
      if (failure.getSuppressed().length > 0) {
        // The caller's own operation succeeded; a late close failure is reported, not thrown.
        LOG.warn("Closing a metadata database reader after close() failed", failure);
      }
    }
  }

  private void closeIdleReaders(StoreException failure) {
    Connection reader;
    while ((reader = idleReaders.poll()) != null) {
      try {
        reader.close();
      } catch (SQLException e) {
        failure.addSuppressed(e);
      }
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new StoreException("metadata store is closed");
    }
  }

  private static Connection connect(String url, boolean reader) throws SQLException {
    Properties properties = new Properties();
    // From the moment the file is opened, not only after the first PRAGMA.
    properties.setProperty("busy_timeout", Integer.toString(BUSY_TIMEOUT_MILLIS));
    if (!reader) {
      // Take the write lock at BEGIN, so that waiting for another process's writer goes through
      // busy_timeout instead of failing at the first write with SQLITE_BUSY.
      properties.setProperty("transaction_mode", "IMMEDIATE");
    }
    // Not DriverManager.getConnection: its "No suitable driver found for <url>" would copy the
    // URL into the exception.
    Connection connection = DriverManager.getDriver(url).connect(url, properties);
    if (connection == null) {
      throw new SQLException("the JDBC driver does not accept this URL");
    }
    return connection;
  }

  // Run in auto-commit mode: foreign_keys is a no-op inside a transaction.
  private static void configureSqlite(Connection c, boolean memory, boolean reader)
      throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MILLIS);
      s.execute("PRAGMA foreign_keys = ON");
      if (reader) {
        // Defence in depth: a read path that tried to write would bypass the writer's lock.
        s.execute("PRAGMA query_only = ON");
      } else {
        String mode = walMode(s);
        // journal_mode persists in the file; readers inherit it.
        if (!memory && !"wal".equals(mode.toLowerCase(Locale.ROOT))) {
          throw new StoreException("could not put the metadata database in WAL journal mode");
        }
        // FULL rather than NORMAL: the service commits metadata and then acts on the HSM, so a
        // commit lost to a power failure could leave token objects and metadata disagreeing
        // (invariant 6). Writes are control-plane operations; one fsync each is affordable.
        s.execute("PRAGMA synchronous = FULL");
      }
      if (!"1".equals(queryString(s, "PRAGMA foreign_keys"))) {
        throw new StoreException("SQLite foreign key enforcement is unavailable");
      }
    }
  }

  /**
   * Switches a database to WAL. Two processes creating one new file at the same instant can both
   * try to switch it; SQLite answers the loser SQLITE_BUSY (5) at once, without its busy handler,
   * so the switch is retried for up to the busy timeout.
   */
  private static String walMode(Statement s) throws SQLException {
    long deadline = System.nanoTime() + BUSY_TIMEOUT_MILLIS * 1_000_000L;
    while (true) {
      try {
        return queryString(s, "PRAGMA journal_mode = WAL");
      } catch (SQLException e) {
        if ((e.getErrorCode() & 0xFF) != SQLITE_BUSY || System.nanoTime() > deadline) {
          throw e;
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private static String queryString(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? String.valueOf(rs.getString(1)) : "";
    }
  }

  private static boolean isSqliteMemory(String url) {
    String rest = url.substring(SQLITE_PREFIX.length());
    return rest.isEmpty()
        || rest.startsWith(":memory:")
        || rest.startsWith("file::memory:")
        || rest.contains("mode=memory");
  }

  private static void createParentDirectories(String url) {
    String path = url.substring(SQLITE_PREFIX.length());
    int query = path.indexOf('?');
    if (query >= 0) {
      path = path.substring(0, query);
    }
    if (path.startsWith("file:")) {
      path = path.substring("file:".length());
      if (path.startsWith("//")) {
        path = path.substring(2);
      }
    }
    if (path.isEmpty() || path.startsWith(":")) {
      return; // in memory, or a special name such as ":resource:"
    }
    Path parent = Path.of(path).toAbsolutePath().getParent();
    if (parent == null) {
      return;
    }
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new StoreException("cannot create the directory of the metadata database", e);
    }
  }
}
