package org.hsmkms.monitoring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.hsmkms.store.ClusterChanges;
import org.junit.jupiter.api.Test;

/**
 * The cluster change meters as {@code GET /metrics} shows them: the lag from another node's commit
 * to this node's notice, and the cache invalidations by cause.
 */
class ClusterChangeMetersTest {

  @Test
  void changesReceivedAndInvalidations_appearInThePrometheusText() {
    try (ServiceMetrics metrics = new ServiceMetrics()) {
      ClusterChanges.Observer observer = metrics.clusterChanges();

      observer.changeReceived(Duration.ofMillis(12));
      observer.changeReceived(Duration.ofMillis(30));
      observer.invalidated("notification");
      observer.invalidated("notification");
      observer.invalidated("poll");

      String text = metrics.scrape();
      assertTrue(text.contains("hsmkms_cluster_change_lag_seconds_count 2"), text);
      assertTrue(text.contains("hsmkms_cluster_change_lag_seconds_bucket{le=\"0.025\"} 1"), text);
      assertTrue(text.contains("hsmkms_cache_invalidations_total{cause=\"notification\"} 2"), text);
      assertTrue(text.contains("hsmkms_cache_invalidations_total{cause=\"poll\"} 1"), text);
    }
  }
}
