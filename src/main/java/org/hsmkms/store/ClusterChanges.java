package org.hsmkms.store;

import java.time.Duration;

/**
 * Tells one node when rows it caches may have been changed by another node sharing its database, so
 * that {@link CachingMetadataStore} can be used on a database several processes write.
 *
 * <p>The contract a cache relies on: while {@link #confirmsCache()} is true, every change committed
 * by any node more than {@link #STALENESS_BOUND} ago has been reported through {@link
 * Listener#invalidateAll()}. When it is false (not yet connected, connection lost, a check
 * overdue), the cache must neither answer from memory nor fill itself.
 *
 * <p>Security: what passes is a node id and a commit time; never a row's content.
 */
public interface ClusterChanges extends AutoCloseable {

  /** The longest a change by another node can stay unseen by a cache that trusts this feed. */
  Duration STALENESS_BOUND = Duration.ofSeconds(1);

  /** What a node does when the feed reports a possible change. */
  interface Listener {
    /** Any cached row may be stale: drop them all. */
    void invalidateAll();
  }

  /** Numbers for the metrics; called on the feed's own thread, so they must be quick. */
  interface Observer {
    /** A notification of another node's commit arrived {@code lag} after that commit. */
    void changeReceived(Duration lag);

    /** The caches were emptied, for {@code cause}: notification, poll or reconnect. */
    void invalidated(String cause);

    Observer NONE =
        new Observer() {
          @Override
          public void changeReceived(Duration lag) {}

          @Override
          public void invalidated(String cause) {}
        };
  }

  /**
   * Starts following the database's changes (a thread of the feed's own); {@code listener} is
   * called for each possible change from then on. Call once.
   */
  void start(Listener listener, Observer observer);

  /** Whether a cache may answer from memory now (see the class comment). */
  boolean confirmsCache();

  /** Stops following; {@link #confirmsCache()} is false afterwards. Idempotent. */
  @Override
  void close();
}
