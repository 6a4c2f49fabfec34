package org.hsmkms;

import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import org.hsmkms.config.Config;
import org.hsmkms.kms.ImportSweep;
import org.hsmkms.kms.MaterialRotation;
import org.hsmkms.kms.Reconciler;
import org.hsmkms.kms.UsageLimits;
import org.hsmkms.kms.cluster.ClusterNode;
import org.hsmkms.work.WorkQueues;

/**
 * The timers of the periodic work, each run on the background class of work (never behind client
 * requests), each job queued under its own name so that one job's backlog never delays another:
 * deletions when due, the rotation sweep, the imported key material sweep (expiry and
 * import-parameter cleanup), and the reconciliation of what dead nodes left. Each runs on the
 * leader only (the node holding the leader lock, checked right before the run), so once across the
 * cluster; the changes they make are compare-and-sets in the database besides, so that two leaders
 * for a moment still act once.
 *
 * <p>A rotation asked for by a material at its usage limit is carried out by the node whose counter
 * asked, leader or not: the request lives in that node's memory, and claiming a rotation is
 * exclusive in the database.
 */
final class PeriodicWork {
  private final Vertx vertx;
  private final WorkQueues work;
  private final OpenParts parts;
  private final ClusterNode node;

  private PeriodicWork(Vertx vertx, WorkQueues work, OpenParts parts, ClusterNode node) {
    this.vertx = vertx;
    this.work = work;
    this.parts = parts;
    this.node = node;
  }

  static void start(
      Vertx vertx,
      WorkQueues work,
      OpenParts parts,
      ClusterNode node,
      Config config,
      Reconciler reconciler,
      MaterialRotation rotation,
      UsageLimits usage,
      ImportSweep importSweep) {
    PeriodicWork w = new PeriodicWork(vertx, work, parts, node);
    long deletionSeconds = Math.max(1, config.deletion().checkIntervalSeconds());
    w.everyLeader("the deletion sweep", deletionSeconds, reconciler::deleteDueKeys);
    w.everyLeader(
        "the rotation sweep",
        Math.max(1, config.rotation().checkIntervalSeconds()),
        rotation::sweep);
    w.everyLeader("the imported key material sweep", deletionSeconds, importSweep::sweep);
    // Imports first: the reconciler then forgets the dead nodes, and with them their leases.
    w.everyLeader(
        "the reconciliation of abandoned work",
        config.cluster().leaseSeconds(),
        () -> {
          importSweep.reconcileAbandoned();
          return reconciler.reconcileAbandoned();
        });
    // A material at its usage limit has its key rotated at once, not at the next sweep.
    usage.onRotationWanted(() -> work.background("the rotation sweep", rotation::sweep));
  }

  private void everyLeader(String name, long seconds, Callable<?> job) {
    long timer =
        vertx.setPeriodic(
            seconds * 1000,
            id -> work.background(name, () -> node.confirmLeading() ? job.call() : null));
    parts.add(name, () -> vertx.cancelTimer(timer));
  }
}
