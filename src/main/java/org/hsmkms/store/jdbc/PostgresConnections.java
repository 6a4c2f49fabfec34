package org.hsmkms.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hsmkms.store.ClusterChanges;
import org.hsmkms.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL's connections: a HikariCP pool, shared by reads and writes, that several nodes of the
 * service may point at one database.
 *
 * <p>Writes run at SERIALIZABLE. The store's compound writes read and then write in one transaction
 * (a claim counts the rotations in progress before it adds one, a replica checks that its
 * multi-Region key exists, the tracking start inserts only when absent); on SQLite the single
 * writer makes them atomic, and across nodes only SERIALIZABLE does: at READ COMMITTED two nodes
 * could both count zero and both claim. A transaction that loses a serialization conflict (SQLState
 * 40001) or a deadlock (40P01) was rolled back by the server and is run again, a bounded number of
 * times with a random pause; that is why {@link Connections#write} asks for SQL-only work. Reads
 * are single statements in auto-commit at the pool's READ COMMITTED, each its own snapshot.
 *
 * <p>After a database restart the pool's connections are dead. The pool validates a connection
 * before handing it out (unless it was used within the last half second) and every 30 seconds while
 * it is idle, and discards one that failed with a connection error; a unit of work that failed with
 * a connection error (SQLState class 08, or 57P01..57P03 for a server shutting down or starting)
 * before its commit was sent is run again on a new connection. A failure of the commit itself is
 * not retried: the transaction may have been committed, and only the caller can tell.
 *
 * <p>Every {@link #write} also counts itself and notifies the other nodes in its transaction
 * ({@link ClusterChangeRows}), which hear of it through their {@link PostgresChangeFeed}; {@link
 * #writeUncached} does not.
 *
 * <p>Migrations run under a PostgreSQL advisory lock, so nodes starting at once apply each version
 * once. The database must sort text as SQLite does (byte order: collation {@code C}), so that
 * listings and their paging markers are the same on both; another collation is refused at start.
 *
 * <p>Security: the JDBC URL and password are not kept here and never appear in messages; the pool's
 * own logging masks the password.
 */
final class PostgresConnections implements Connections {

  static final String POSTGRESQL_PREFIX = "jdbc:postgresql:";

  private static final Logger LOG = LoggerFactory.getLogger(PostgresConnections.class);
  // Any constant unique to this application; pg_advisory_lock takes a bigint.
  private static final long MIGRATION_LOCK = 0x68736d2d6b6d73L; // "hsm-kms"
  private static final int MAX_ATTEMPTS = 10;
  private static final Set<String> RETRY_TRANSACTION = Set.of("40001", "40P01");
  private static final Set<String> SERVER_GONE = Set.of("57P01", "57P02", "57P03");
  private static final Set<String> BYTE_ORDER_COLLATIONS =
      Set.of("C", "POSIX", "C.UTF-8", "C.utf8");

  private final HikariDataSource pool;
  private final PostgresChangeFeed feed;
  private final String nodeId;
  private final AtomicBoolean closed = new AtomicBoolean();

  private PostgresConnections(HikariDataSource pool, HikariDataSource feedPool) {
    this.pool = pool;
    this.nodeId = UUID.randomUUID().toString().substring(0, 18);
    this.feed = new PostgresChangeFeed(feedPool, nodeId);
  }

  /** Starts the pool (one connection must be had now), checks the collation and migrates. */
  static PostgresConnections open(
      String url,
      String user,
      String password,
      int poolSize,
      Duration acquireTimeout,
      Migrations migrations) {
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config(url, user, password, poolSize, acquireTimeout));
    } catch (RuntimeException e) {
      throw new StoreException("open metadata database failed: " + describe(e), e);
    }
    HikariDataSource feedPool = null;
    try {
      // The change feed's connection, apart: it is held for as long as the feed runs.
      HikariConfig feedConfig = config(url, user, password, 1, acquireTimeout);
      feedConfig.setPoolName("hsm-kms-cluster-changes");
      feedConfig.setMinimumIdle(0);
      feedConfig.addDataSourceProperty("ApplicationName", PostgresChangeFeed.APPLICATION_NAME);
      feedPool = new HikariDataSource(feedConfig);
      PostgresConnections connections = new PostgresConnections(pool, feedPool);
      connections.prepare(migrations);
      return connections;
    } catch (RuntimeException e) {
      pool.close();
      if (feedPool != null) {
        feedPool.close();
      }
      throw e instanceof StoreException
          ? e
          : new StoreException("open metadata database failed: " + describe(e), e);
    }
  }

  private static HikariConfig config(
      String url, String user, String password, int poolSize, Duration acquireTimeout) {
    HikariConfig c = new HikariConfig();
    c.setPoolName("hsm-kms-store");
    c.setDriverClassName("org.postgresql.Driver");
    c.setJdbcUrl(url);
    if (user != null) {
      c.setUsername(user);
    }
    if (password != null) {
      c.setPassword(password);
    }
    c.setMaximumPoolSize(poolSize);
    c.setConnectionTimeout(acquireTimeout.toMillis());
    // Idle connections are checked this often, so that a restarted database is noticed before a
    // request borrows a dead connection.
    c.setKeepaliveTime(30_000);
    c.setAutoCommit(true);
    c.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    c.addDataSourceProperty("ApplicationName", "hsm-kms");
    c.addDataSourceProperty("tcpKeepAlive", "true");
    c.addDataSourceProperty(
        "connectTimeout", Long.toString(Math.max(1, acquireTimeout.toSeconds())));
    // A database that stops answering on an open connection (a network partition) fails the call
    // after a minute instead of holding a worker thread for ever.
    c.addDataSourceProperty("socketTimeout", "60");
    return c;
  }

  /** {@inheritDoc} Every other node hears of it: see {@link ClusterChangeRows}. */
  @Override
  public <T> T write(String operation, Jdbc.SqlWork<T> work) {
    return write(operation, work, true);
  }

  @Override
  public <T> T writeUncached(String operation, Jdbc.SqlWork<T> work) {
    return write(operation, work, false);
  }

  @Override
  public Optional<ClusterChanges> clusterChanges() {
    return Optional.of(feed);
  }

  private <T> T write(String operation, Jdbc.SqlWork<T> work, boolean announce) {
    for (int attempt = 1; ; attempt++) {
      try {
        return transaction(operation, work, announce);
      } catch (Retryable e) {
        if (attempt >= MAX_ATTEMPTS) {
          throw Jdbc.failure(operation + " (after " + attempt + " attempts)", e.cause);
        }
        pause(operation, attempt, e.cause);
      }
    }
  }

  @Override
  public <T> T read(String operation, Jdbc.SqlWork<T> work) {
    for (int attempt = 1; ; attempt++) {
      Connection c = borrow(operation);
      try {
        return work.run(c);
      } catch (SQLException e) {
        // A read changes nothing, so it may be run again after any connection failure.
        if (attempt >= MAX_ATTEMPTS || !connectionLost(e)) {
          throw Jdbc.failure(operation, e);
        }
        pause(operation, attempt, e);
      } finally {
        giveBack(c);
      }
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      feed.close();
      pool.close();
    }
  }

  private <T> T transaction(String operation, Jdbc.SqlWork<T> work, boolean announce)
      throws Retryable {
    Connection c = borrow(operation);
    try {
      T result;
      try {
        c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
        c.setAutoCommit(false);
        result = work.run(c);
        if (announce) {
          ClusterChangeRows.record(c, nodeId);
        }
      } catch (SQLException e) {
        rollback(c, e);
        if (RETRY_TRANSACTION.contains(e.getSQLState()) || connectionLost(e)) {
          throw new Retryable(e);
        }
        throw Jdbc.failure(operation, e);
      } catch (RuntimeException | Error e) {
        rollback(c, e);
        SQLException cause = sqlCause(e);
        if (cause != null && RETRY_TRANSACTION.contains(cause.getSQLState())) {
          throw new Retryable(cause);
        }
        throw e;
      }
      try {
        c.commit();
      } catch (SQLException e) {
        rollback(c, e);
        // A serialization failure at commit is a definite rollback; a lost connection is not.
        if (RETRY_TRANSACTION.contains(e.getSQLState())) {
          throw new Retryable(e);
        }
        throw Jdbc.failure(operation + " (commit outcome unknown if the connection failed)", e);
      }
      return result;
    } finally {
      // The pool restores auto-commit and the isolation level when the connection goes back.
      giveBack(c);
    }
  }

  private Connection borrow(String operation) {
    if (closed.get()) {
      throw new StoreException("metadata store is closed");
    }
    try {
      // Waits up to the pool's connection timeout; not retried here, the pool has retried.
      return pool.getConnection();
    } catch (SQLException e) {
      throw Jdbc.failure(operation + " (no database connection)", e);
    }
  }

  /**
   * A new connection outside the pool, with the pool's settings, for a session-level lock that must
   * last exactly as long as its connection (the pool would recycle it). The caller closes it.
   */
  Connection dedicated() throws SQLException {
    if (closed.get()) {
      throw new StoreException("metadata store is closed");
    }
    java.util.Properties p = new java.util.Properties();
    p.putAll(pool.getDataSourceProperties());
    if (pool.getUsername() != null) {
      p.setProperty("user", pool.getUsername());
    }
    if (pool.getPassword() != null) {
      p.setProperty("password", pool.getPassword());
    }
    return java.sql.DriverManager.getConnection(pool.getJdbcUrl(), p);
  }

  // A failure to give a connection back says nothing about the caller's work, which is done.
  private static void giveBack(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      LOG.warn("Returning a metadata database connection to the pool failed", e);
    }
  }

  private void prepare(Migrations migrations) {
    try (Connection c = pool.getConnection()) {
      requireByteOrderCollation(c);
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")");
        try {
          migrations.apply(c);
        } finally {
          s.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
        }
      }
    } catch (SQLException e) {
      throw Jdbc.failure("open metadata database", e);
    }
  }

  private static void requireByteOrderCollation(Connection c) throws SQLException {
    // SELECT *: datlocprovider (libc or ICU) exists from PostgreSQL 15 on.
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT * FROM pg_database WHERE datname = current_database()")) {
      String collation = rs.next() ? rs.getString("datcollate") : null;
      String provider = column(rs, "datlocprovider");
      if (!BYTE_ORDER_COLLATIONS.contains(collation)
          || (provider != null && !"c".equals(provider))) {
        throw new StoreException(
            "the metadata database does not sort text in byte order (collation "
                + collation
                + (provider == null ? "" : ", provider " + provider)
                + "); create it with TEMPLATE template0 LOCALE_PROVIDER libc"
                + " LC_COLLATE 'C' LC_CTYPE 'C' (see docs/operations.md)");
      }
    }
  }

  private static String column(ResultSet rs, String name) throws SQLException {
    var meta = rs.getMetaData();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      if (name.equals(meta.getColumnName(i))) {
        return rs.getString(i);
      }
    }
    return null;
  }

  static boolean connectionLost(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("08") || SERVER_GONE.contains(state));
  }

  private static SQLException sqlCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) {
        return s;
      }
    }
    return null;
  }

  private static void rollback(Connection c, Throwable original) {
    try {
      c.rollback();
    } catch (SQLException e) {
      original.addSuppressed(e);
    }
  }

  private static void pause(String operation, int attempt, SQLException cause) {
    // Up to 10, 20, 40 ... 500 ms, at random so that two nodes that collided do not collide again.
    long bound = Math.min(500, 10L << Math.min(attempt, 6));
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(1, bound + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Jdbc.failure(operation + " interrupted before a retry", cause);
    }
  }

  // The driver's and pool's text names hosts and users, never the password; only the class is
  // given here all the same, as Jdbc.failure gives only codes.
  private static String describe(RuntimeException e) {
    SQLException s = sqlCause(e);
    return s != null
        ? "SQLState " + s.getSQLState() + ", error " + s.getErrorCode()
        : e.getClass().getSimpleName();
  }

  /** A unit of work that may be run again; carries what failed it. */
  private static final class Retryable extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient SQLException cause;

    Retryable(SQLException cause) {
      super(null, null, false, false);
      this.cause = cause;
    }
  }
}
