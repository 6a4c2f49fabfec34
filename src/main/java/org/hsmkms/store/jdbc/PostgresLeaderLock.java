package org.hsmkms.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.hsmkms.store.ClusterStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership as a session-level PostgreSQL advisory lock ({@code pg_try_advisory_lock}) held on a
 * connection of its own, outside the pool. The server releases the lock when that session ends, so
 * a leader that dies, or whose connection dies, stops leading without anyone's help; the node that
 * notices its connection gone stops leading at once, and every node tries again on each heartbeat.
 *
 * <p>Two leaders for a moment are possible (a partitioned leader learns of it only when its
 * connection fails); the periodic work therefore keeps each change a compare-and-set in the
 * database.
 */
final class PostgresLeaderLock implements ClusterStore.LeaderLock {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresLeaderLock.class);
  // Unique to this use; the migration lock is another constant. "hsm-lead".
  static final long LEADER_LOCK = 0x68736d2d6c656164L;
  private static final int VALID_SECONDS = 2;

  @FunctionalInterface
  interface Opener {
    Connection open() throws SQLException;
  }

  private final Opener opener;
  private Connection connection;
  private volatile boolean leading;
  private boolean closed;

  PostgresLeaderLock(Opener opener) {
    this.opener = opener;
  }

  @Override
  public synchronized boolean tryLead() {
    if (closed) {
      return false;
    }
    if (connection != null && !alive()) {
      if (leading) {
        LOG.warn("the leader lock's database connection is gone: this node no longer leads");
      }
      leading = false;
      closeConnection();
    }
    if (leading) {
      return true;
    }
    try {
      if (connection == null) {
        connection = opener.open();
      }
      try (PreparedStatement ps = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
        ps.setLong(1, LEADER_LOCK);
        try (ResultSet rs = ps.executeQuery()) {
          leading = rs.next() && rs.getBoolean(1);
        }
      }
      if (leading) {
        LOG.info("this node leads the periodic work of the cluster");
      }
    } catch (SQLException e) {
      LOG.warn("cannot try the leader lock (SQLState {})", e.getSQLState());
      leading = false;
      closeConnection();
    }
    return leading;
  }

  private boolean alive() {
    try {
      return connection.isValid(VALID_SECONDS);
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public boolean leading() {
    return leading;
  }

  @Override
  public synchronized void close() {
    closed = true;
    leading = false;
    // Closing the session releases the lock.
    closeConnection();
  }

  private void closeConnection() {
    if (connection == null) {
      return;
    }
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.debug("closing the leader lock's connection failed (SQLState {})", e.getSQLState());
    }
    connection = null;
  }
}
