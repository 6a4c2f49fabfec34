package org.hsmkms.config;

import java.time.Duration;

/**
 * The {@code cluster} component: how often a node writes its heartbeat to the store, and how old a
 * heartbeat may be before the node counts as dead (its unfinished work is then repaired by another
 * node, and its leadership of the periodic work has ended with its database session).
 *
 * <p>The lease must be several heartbeats long: a node that misses one heartbeat (a pause, a slow
 * database) must not be taken for dead while it is still working.
 *
 * @param heartbeatSeconds default 1
 * @param leaseSeconds default 10; at least twice the heartbeat
 */
public record Cluster(Long heartbeatSeconds, Long leaseSeconds) {
  public Cluster {
    heartbeatSeconds = heartbeatSeconds == null ? 1L : heartbeatSeconds;
    leaseSeconds = leaseSeconds == null ? 10L : leaseSeconds;
    if (heartbeatSeconds < 1 || heartbeatSeconds > 60) {
      throw new IllegalArgumentException("cluster.heartbeatSeconds must be 1..60");
    }
    if (leaseSeconds < 2 * heartbeatSeconds || leaseSeconds > 3600) {
      throw new IllegalArgumentException(
          "cluster.leaseSeconds must be at least twice cluster.heartbeatSeconds, and at most 3600");
    }
  }

  public Duration heartbeat() {
    return Duration.ofSeconds(heartbeatSeconds);
  }

  public Duration lease() {
    return Duration.ofSeconds(leaseSeconds);
  }
}
