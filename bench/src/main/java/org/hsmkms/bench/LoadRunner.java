package org.hsmkms.bench;

import io.vertx.core.AsyncResult;
import io.vertx.core.Promise;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.hsmkms.bench.BenchOptions.Load;
import org.hsmkms.bench.BenchReport.OpResult;
import org.hsmkms.bench.Operations.Workload;
import org.hsmkms.bench.SignedClient.Answer;

/**
 * Drives one operation against a server for a warm-up and then a measured period, in one of two
 * ways:
 *
 * <ul>
 *   <li>closed loop: {@code concurrency} virtual users, each sending its next request when the
 *       previous answer arrives; this finds the throughput;
 *   <li>open loop: requests on a fixed schedule of {@code rate} a second whether or not answers
 *       keep up, each latency counted from the time the schedule meant it to be sent, so that a
 *       server falling behind shows as queueing instead of hiding it (no coordinated omission).
 * </ul>
 *
 * <p>A request belongs to the measurement if it was (meant to be) sent after the warm-up ended and
 * before the duration was up; throughput is those answered successfully divided by the duration, or
 * by the time from the end of the warm-up to the last of their answers if that is longer.
 * Everything runs on the client's event loop, so the counters need no locks.
 */
final class LoadRunner {
  /** An open loop stops sending (and counts the rest as errors) past this many requests waiting. */
  static final int MAX_IN_FLIGHT = 50_000;

  static final String BACKLOG_FULL = "NotSent(client backlog full)";

  private final SignedClient client;
  private final Load load;
  private final PrintStream progress;

  LoadRunner(SignedClient client, Load load, PrintStream progress) {
    this.client = client;
    this.load = load;
    this.progress = progress;
  }

  /** Runs {@code workload} for the warm-up and the duration, and returns what was measured. */
  OpResult run(Workload workload) {
    return run(workload, load.warmup(), load.duration());
  }

  /** Runs {@code workload} for the warm-up only, measuring nothing. */
  void warmUp(Workload workload) {
    run(workload, load.warmup(), Duration.ZERO);
  }

  private OpResult run(Workload workload, Duration warmup, Duration duration) {
    Promise<OpResult> result = Promise.promise();
    client
        .context()
        .runOnContext(v -> new Run(workload, warmup.toNanos(), duration.toNanos(), result).start());
    try {
      return result.future().toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("bench run of " + workload.name() + " failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The state of one run; touched only on the client's event loop. */
  private final class Run {
    private final Workload workload;
    private final Promise<OpResult> result;
    private final long warmupNanos;
    private final long durationNanos;
    private final LatencyRecorder latencies = new LatencyRecorder();
    private final Map<String, Long> errors = new TreeMap<>();
    private long start;
    private long measureFrom;
    private long end;
    private long lastAnswer;
    private int inFlight;
    private long sent;
    private int activeUsers;
    private long scheduled;
    private long maxLag;
    private long answeredThisSecond;
    private long slowestThisSecond;
    private long errorsSoFar;
    private long progressTimer;
    private long scheduleTimer = -1;

    Run(Workload workload, long warmupNanos, long durationNanos, Promise<OpResult> result) {
      this.workload = workload;
      this.warmupNanos = warmupNanos;
      this.durationNanos = durationNanos;
      this.result = result;
    }

    void start() {
      start = System.nanoTime();
      measureFrom = start + warmupNanos;
      end = measureFrom + durationNanos;
      lastAnswer = measureFrom;
      progressTimer = client.vertx().setPeriodic(1000, id -> printProgress());
      if (load.openLoop()) {
        scheduleTimer = client.vertx().setPeriodic(1, id -> sendDue());
        sendDue();
      } else {
        activeUsers = load.concurrency();
        for (int i = 0; i < load.concurrency(); i++) {
          nextOfUser();
        }
      }
    }

    // ---- closed loop: each user sends again when its answer is in

    private void nextOfUser() {
      long now = System.nanoTime();
      if (now >= end) {
        activeUsers--;
        finishIfDone();
        return;
      }
      send(now)
          .onComplete(
              ar -> {
                if (ar.succeeded()) {
                  nextOfUser();
                } else {
                  // A failure may complete at once: go round the event loop, not the stack.
                  client.context().runOnContext(v -> nextOfUser());
                }
              });
    }

    // ---- open loop: send whatever the schedule says is due by now

    private void sendDue() {
      long now = System.nanoTime();
      long total = (long) Math.floor(load.rate() * (end - start) / 1e9);
      while (scheduled < total) {
        long intended = start + (long) (scheduled * 1e9 / load.rate());
        if (intended > now) {
          return;
        }
        scheduled++;
        if (inFlight >= MAX_IN_FLIGHT) {
          countError(intended, BACKLOG_FULL);
          continue;
        }
        if (intended >= measureFrom) {
          maxLag = Math.max(maxLag, now - intended);
        }
        send(intended);
      }
      client.vertx().cancelTimer(scheduleTimer);
      scheduleTimer = -1;
      finishIfDone();
    }

    // ---- both

    /** Sends one request meant to go at {@code intended}; records its answer. */
    private io.vertx.core.Future<Answer> send(long intended) {
      inFlight++;
      return client
          .send(workload.action(), workload.body(sent++))
          .andThen(
              ar -> {
                inFlight--;
                answered(intended, ar);
                if (load.openLoop()) {
                  finishIfDone();
                }
              });
    }

    private void answered(long intended, AsyncResult<Answer> ar) {
      long now = System.nanoTime();
      answeredThisSecond++;
      slowestThisSecond = Math.max(slowestThisSecond, now - intended);
      if (ar.succeeded() && ar.result().ok()) {
        if (intended >= measureFrom && intended < end) {
          latencies.record(now - intended);
          lastAnswer = Math.max(lastAnswer, now);
        }
      } else {
        countError(
            intended,
            ar.succeeded() ? ar.result().errorType() : ar.cause().getClass().getSimpleName());
      }
    }

    private void countError(long intended, String type) {
      errorsSoFar++;
      if (intended >= measureFrom && intended < end) {
        errors.merge(type, 1L, Long::sum);
      }
    }

    private void finishIfDone() {
      boolean sending = load.openLoop() ? scheduleTimer != -1 : activeUsers > 0;
      if (sending || inFlight > 0 || result.future().isComplete()) {
        return;
      }
      client.vertx().cancelTimer(progressTimer);
      // The measured period, or longer if its last answers came after it ended.
      double seconds = Math.max(durationNanos, lastAnswer - measureFrom) / 1e9;
      int ok = latencies.count();
      result.complete(
          new OpResult(
              workload.name(),
              Math.round(seconds * 1000) / 1000.0,
              ok,
              seconds > 0 ? round(ok / seconds) : 0,
              latencies.summary(),
              Map.copyOf(errors),
              Math.round(maxLag / 1e3) / 1e3,
              null));
    }

    private void printProgress() {
      long now = System.nanoTime();
      long second = now - 500_000_000L; // the middle of the second this line reports
      String phase = second < measureFrom ? "warm-up" : second < end ? "run" : "drain";
      // The slowest answer of the second (from its intended send time in an open loop) shows when
      // in a run a stall happened, to be matched with the server's logs.
      progress.printf(
          "  %-34s %-7s %5.0fs %9d/s  slowest %7.1f ms  errors %d%n",
          workload.name(),
          phase,
          (now - start) / 1e9,
          answeredThisSecond,
          slowestThisSecond / 1e6,
          errorsSoFar);
      answeredThisSecond = 0;
      slowestThisSecond = 0;
    }
  }

  static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
