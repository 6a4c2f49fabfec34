package org.hsmkms;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import org.hsmkms.config.Config;
import org.hsmkms.config.StorePassword;
import org.hsmkms.monitoring.ServiceMetrics;
import org.hsmkms.store.CachingMetadataStore;
import org.hsmkms.store.ClusterChanges;
import org.hsmkms.store.ClusterStore;
import org.hsmkms.store.MetadataStore;
import org.hsmkms.store.jdbc.JdbcMetadataStore;

/**
 * The composition root's part that opens the metadata store: the database (timed by the metrics)
 * and the row caches in front of it. On SQLite this process is the only writer; on PostgreSQL the
 * caches follow the other nodes' changes through the store's {@link ClusterChanges} feed.
 *
 * <p>Security: the database password is read into a char array, handed to the pool as the String
 * its driver takes, and the array zeroed.
 */
final class StoreOpening {
  private StoreOpening() {}

  /** The store the services use, and the cluster operations of the same database. */
  record Opened(MetadataStore store, ClusterStore cluster) {}

  static Opened open(Config.Store s, ServiceMetrics metrics) {
    char[] password;
    try {
      password = StorePassword.readFor(s);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read store.passwordFile", e);
    }
    JdbcMetadataStore jdbc;
    try {
      // The driver and the pool take a String; it is made here and kept by the pool only.
      jdbc =
          s.url().startsWith("jdbc:sqlite:")
              ? new JdbcMetadataStore(s.url())
              : new JdbcMetadataStore(
                  s.url(),
                  s.user(),
                  password == null ? null : new String(password),
                  s.poolSize(),
                  Duration.ofMillis(s.connectionTimeoutMillis()));
    } finally {
      if (password != null) {
        Arrays.fill(password, '\0');
      }
    }
    MetadataStore timed = metrics.timed(jdbc);
    MetadataStore cached =
        jdbc.clusterChanges()
            .map(
                feed ->
                    (MetadataStore)
                        CachingMetadataStore.following(timed, feed, metrics.clusterChanges()))
            // The embedded database has one writer, this process, so its rows can be cached as they
            // are.
            .orElseGet(() -> new CachingMetadataStore(timed));
    return new Opened(cached, jdbc.cluster());
  }
}
