package org.hsmkms;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.hsmkms.api.ManagementServer;
import org.hsmkms.audit.AuditTrail;
import org.hsmkms.config.Config;
import org.hsmkms.hsm.HsmStatus;
import org.hsmkms.kms.DataKeyPairPool;
import org.hsmkms.kms.KeySpec;
import org.hsmkms.monitoring.Readiness;
import org.hsmkms.monitoring.ServiceMetrics;
import org.hsmkms.store.MetadataStore;
import org.hsmkms.work.FairWorkQueue;
import org.hsmkms.work.WorkClass;
import org.hsmkms.work.WorkQueues;

/**
 * The composition root's part for health and metrics: the meters, the readiness checks and the
 * management listener, wired to the parts they watch as {@link Application} opens them.
 */
final class Monitoring {
  final ServiceMetrics metrics = new ServiceMetrics();
  final Readiness readiness = new Readiness();
  private int port = Config.Server.NO_MANAGEMENT;

  /**
   * Starts the management listener (when configured), first of the listeners: while the service
   * starts it answers live, and not ready ({@code starting}).
   */
  void listen(Vertx vertx, Config.Server server, OpenParts parts) throws Exception {
    if (!server.hasManagement()) {
      return;
    }
    ManagementServer management = new ManagementServer(vertx, readiness, metrics);
    parts.add("the management listener", () -> wait(management.close()));
    port =
        management
            .listen(server.managementHost(), server.managementPort())
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
  }

  /** The readiness checks and gauges of the open parts, in the order they are checked. */
  void watch(HsmStatus hsm, MetadataStore store, AuditTrail audit) {
    readiness.add("hsm", hsm::checkReady);
    readiness.add("store", store::checkReachable);
    // A trail that fails open serves unaudited requests by the operator's choice, so only a trail
    // that fails closed makes the service unready (its gauge shows either).
    readiness.add(
        "audit",
        () -> {
          if (audit.failClosed() && !audit.available()) {
            throw new IllegalStateException("the audit trail's last write failed");
          }
        });
    metrics.hsm(hsm);
    metrics.audit(audit);
  }

  /** The gauges of each configured data key pair pool. */
  /** The depth, running tasks and refusals of each class of work. */
  void watch(WorkQueues work) {
    for (WorkClass c : WorkClass.values()) {
      metrics.workClass(
          c.label(),
          work.of(c),
          FairWorkQueue::waiting,
          FairWorkQueue::running,
          FairWorkQueue::refused);
    }
  }

  void watch(DataKeyPairPool pool, Config.DataKeyPairs config) {
    for (String spec : config.poolSizes().keySet()) {
      KeySpec.of(spec)
          .filter(KeySpec::isAsymmetric)
          .map(KeySpec::keyPairType)
          .ifPresent(
              type ->
                  metrics.dataKeyPairPool(spec, () -> pool.ready(type), () -> pool.capacity(type)));
    }
  }

  /** The management listener's port; -1 when there is none. */
  int port() {
    return port;
  }

  private static void wait(io.vertx.core.Future<Void> closing) throws Exception {
    closing.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
