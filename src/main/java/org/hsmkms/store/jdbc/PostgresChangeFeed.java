package org.hsmkms.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.hsmkms.store.ClusterChanges;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ClusterChanges} of a PostgreSQL database: one thread, on a connection of its own, LISTENs
 * on {@link ClusterChangeRows#CHANNEL} and polls the change count every {@link #POLL_INTERVAL}.
 *
 * <p>How the one-second bound holds: a notification from another node empties the caches at once; a
 * lost one is caught by the next poll, whose count differs (counts only grow). A poll that started
 * at time t confirms the caches until t + {@link #CONFIRMATION}; a change committed before t is in
 * that poll's count, and one committed after it is in the next poll's, {@link #POLL_INTERVAL}
 * later, or, if that poll is late, the caches are no longer confirmed. So no cached row outlives a
 * commit by more than {@link #CONFIRMATION} (750 ms). When the connection fails the caches stop
 * being confirmed at once; a new connection LISTENs first, reads the count, then empties the caches
 * (everything cached before may be stale), and only then confirms them.
 *
 * <p>Security: a notification's text is a node id and a time, parsed defensively (any database user
 * may NOTIFY); one that does not parse still empties the caches. Nothing of a row is sent.
 */
final class PostgresChangeFeed implements ClusterChanges {
  static final Duration POLL_INTERVAL = Duration.ofMillis(250);
  static final Duration CONFIRMATION = Duration.ofMillis(750);

  /** The feed's connection's application_name, as pg_stat_activity shows it. */
  static final String APPLICATION_NAME = "hsm-kms-cluster-changes";

  private static final Logger LOG = LoggerFactory.getLogger(PostgresChangeFeed.class);
  private static final long MAX_BACKOFF_MILLIS = 2_000;

  private final HikariDataSource pool;
  private final String nodeId;
  private volatile boolean closed;
  private volatile boolean confirmed;
  private volatile long confirmedUntilNanos;
  private volatile boolean notificationsSuppressed;
  private Thread thread;
  private Listener listener;
  private Observer observer;

  /**
   * @param pool a pool of its own (one connection), closed with this feed
   * @param nodeId this node's id, as its own writes send it: its own notifications are skipped
   */
  PostgresChangeFeed(HikariDataSource pool, String nodeId) {
    this.pool = pool;
    this.nodeId = nodeId;
  }

  @Override
  public synchronized void start(Listener listener, Observer observer) {
    if (thread != null) {
      throw new IllegalStateException("the change feed is started already");
    }
    this.listener = Objects.requireNonNull(listener, "listener");
    this.observer = Objects.requireNonNull(observer, "observer");
    thread = new Thread(this::run, "hsm-kms-cluster-changes");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public boolean confirmsCache() {
    return confirmed && !closed && System.nanoTime() - confirmedUntilNanos < 0;
  }

  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      confirmed = false;
      t = thread;
    }
    if (t != null) {
      try {
        // The thread waits for notifications at most one poll interval at a time.
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    pool.close();
  }

  /** For tests: drops every notification, so that only the poll finds changes. */
  void suppressNotifications(boolean suppress) {
    notificationsSuppressed = suppress;
  }

  private void run() {
    long backoff = 100;
    while (!closed) {
      try (Connection c = pool.getConnection()) {
        follow(c);
      } catch (SQLException | RuntimeException e) {
        confirmed = false;
        if (closed) {
          break;
        }
        LOG.warn(
            "Following the other nodes' changes failed ({}); the caches are bypassed until the"
                + " connection is back",
            e instanceof SQLException s ? "SQLState " + s.getSQLState() : e.getClass().getName());
        if (!pause(backoff)) {
          break;
        }
        backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
        continue;
      }
      backoff = 100;
    }
    confirmed = false;
  }

  private void follow(Connection c) throws SQLException {
    c.setAutoCommit(true);
    PGConnection pg = c.unwrap(PGConnection.class);
    try (Statement s = c.createStatement()) {
      s.execute("LISTEN " + ClusterChangeRows.CHANNEL);
    }
    long pollStart = System.nanoTime();
    long seen = ClusterChangeRows.total(c);
    invalidate("reconnect");
    confirm(pollStart);
    long poll = POLL_INTERVAL.toNanos();
    while (!closed) {
      long waitMillis = Math.max(1, (pollStart + poll - System.nanoTime()) / 1_000_000);
      PGNotification[] notifications = pg.getNotifications((int) Math.min(waitMillis, 1_000));
      if (notifications != null
          && notifications.length > 0
          && !notificationsSuppressed
          && fromOtherNodes(notifications)) {
        // The count read first, then the caches emptied: the commits it includes are covered by
        // this invalidation, so the next poll does not empty them again for the same commits.
        long start = System.nanoTime();
        seen = ClusterChangeRows.total(c);
        invalidate("notification");
        confirm(start);
        pollStart = start;
      } else if (System.nanoTime() - pollStart >= poll) {
        long start = System.nanoTime();
        long total = ClusterChangeRows.total(c);
        if (total != seen) {
          seen = total;
          invalidate("poll");
        }
        confirm(start);
        pollStart = start;
      }
    }
  }

  /** Measures the lag of each notification; whether any came from another node. */
  private boolean fromOtherNodes(PGNotification[] notifications) {
    long now = System.currentTimeMillis();
    boolean fromOthers = false;
    for (PGNotification n : notifications) {
      String payload = n.getParameter();
      int space = payload == null ? -1 : payload.indexOf(' ');
      if (space > 0 && nodeId.equals(payload.substring(0, space))) {
        continue; // this node's own write: its caches were emptied by the write itself
      }
      fromOthers = true;
      Long committed = space > 0 ? parseMillis(payload.substring(space + 1)) : null;
      if (committed != null) {
        observer.changeReceived(Duration.ofMillis(Math.max(0, now - committed)));
      }
    }
    return fromOthers;
  }

  private static Long parseMillis(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private void invalidate(String cause) {
    listener.invalidateAll();
    observer.invalidated(cause);
  }

  private void confirm(long pollStartNanos) {
    confirmedUntilNanos = pollStartNanos + CONFIRMATION.toNanos();
    confirmed = true;
  }

  private static boolean pause(long millis) {
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
