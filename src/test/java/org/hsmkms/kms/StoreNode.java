package org.hsmkms.kms;

import java.time.Duration;
import org.hsmkms.kms.cluster.ClusterNode;
import org.hsmkms.store.jdbc.JdbcMetadataStore;
import org.hsmkms.testing.PostgresServer;

/**
 * One node of a cluster test inside one JVM: a store of its own on a shared PostgreSQL database,
 * registered as a node (heartbeat and lease as given), with its {@link Keys}. Tests add the
 * services they exercise in a subclass.
 */
class StoreNode implements AutoCloseable {
  final JdbcMetadataStore store;
  final ClusterNode cluster;
  final Keys keys;
  private boolean dead;

  StoreNode(String url, Duration heartbeat, Duration lease) {
    store = new JdbcMetadataStore(url, PostgresServer.USER, PostgresServer.PASSWORD);
    cluster = new ClusterNode(store.cluster(), heartbeat, lease);
    keys = new Keys(store);
    cluster.start(false);
  }

  /** The process stops without a clean stop: no heartbeat, no removal of its row. */
  void die() {
    dead = true;
    store.close();
  }

  @Override
  public void close() {
    if (!dead) {
      cluster.close();
      store.close();
    }
  }
}
