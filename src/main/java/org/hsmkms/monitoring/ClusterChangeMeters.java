package org.hsmkms.monitoring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.hsmkms.store.ClusterChanges;

/**
 * How quickly this node hears of other nodes' changes: {@code hsmkms_cluster_change_lag_seconds}
 * (from a writer's commit, by its clock, to the notification's arrival here) and {@code
 * hsmkms_cache_invalidations_total} by cause (notification, poll, reconnect). A poll count that
 * keeps rising beside few notifications says notifications are being lost.
 *
 * <p>Security: labels are the three fixed causes only.
 */
final class ClusterChangeMeters implements ClusterChanges.Observer {
  private static final Duration[] LAG_BUCKETS = {
    Duration.ofMillis(1),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(5)
  };

  private final MeterRegistry registry;
  private final Timer lag;
  private final Map<String, Counter> invalidations = new ConcurrentHashMap<>();

  ClusterChangeMeters(MeterRegistry registry) {
    this.registry = registry;
    this.lag =
        Timer.builder("hsmkms.cluster.change.lag")
            .description(
                "From another node's commit (its clock) to this node's receipt of its notification")
            .serviceLevelObjectives(LAG_BUCKETS)
            .register(registry);
  }

  @Override
  public void changeReceived(Duration lagFromCommit) {
    lag.record(lagFromCommit);
  }

  @Override
  public void invalidated(String cause) {
    invalidations
        .computeIfAbsent(
            cause,
            c ->
                Counter.builder("hsmkms.cache.invalidations")
                    .description("Times this node emptied its row caches for other nodes' changes")
                    .tag("cause", c)
                    .register(registry))
        .increment();
  }
}
