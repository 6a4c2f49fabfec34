package org.hsmkms.bench;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.hsmkms.DevCredentials;
import org.hsmkms.auth.SigV4Signer;

/**
 * {@code bench --startup --load}: how fast a fresh server serves from its first answer on. Each run
 * starts {@code hsm-kms dev} on a new data directory (its token is made first), and from its first
 * answer on keeps 128 signed GenerateDataKey requests in flight (closed loop, as wrk's 2 threads x
 * 64 connections); it prints start-to-first-answer, then req/s and p50/p99 for the seconds 0-10
 * after the first answer and for a warm window later (seconds 30-40 by default). The server opens
 * its KMS listener and turns ready in the same step, after its warm-up, so the first answer is also
 * when it became ready.
 */
final class StartupLoad {
  static final String FLAG = "--load";
  private static final String REGION = "us-east-1";

  /** What one start measured. */
  record Run(long firstAnswerMillis, Window first, Window warm, long errors) {
    Run withStart(long millis) {
      return new Run(millis, first, warm, errors);
    }
  }

  /** One window of seconds after the first answer: requests answered 200 a second, latencies. */
  record Window(int fromSecond, int toSecond, double perSecond, LatencyRecorder.Latency latency) {}

  /** Options: {@code --runs N}, {@code --connections C}, {@code --warm-from S}, then dev flags. */
  record Options(int runs, int connections, int warmFrom, List<String> devFlags, Path launcher) {}

  private StartupLoad() {}

  static boolean asked(String[] args) {
    return List.of(args).contains("--startup") && List.of(args).contains(FLAG);
  }

  static Options parse(String[] args, String launcherEnv) {
    int runs = 3;
    int connections = 128;
    int warmFrom = 30;
    List<String> dev = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--startup", FLAG -> {}
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--connections" -> connections = Integer.parseInt(args[++i]);
        case "--warm-from" -> warmFrom = Integer.parseInt(args[++i]);
        case "--dev-flag" -> dev.add(args[++i]);
        default -> throw new IllegalArgumentException("bench --startup --load: unknown " + args[i]);
      }
    }
    if (launcherEnv == null) {
      throw new IllegalArgumentException("bench --startup --load runs from ./hsm-kms bench");
    }
    if (runs < 1 || connections < 1 || warmFrom < 10) {
      throw new IllegalArgumentException("--runs and --connections >= 1, --warm-from >= 10");
    }
    return new Options(runs, connections, warmFrom, dev, Path.of(launcherEnv));
  }

  static int main(String[] args) throws IOException {
    Options o = parse(args, System.getenv(NoisyTenantOptions.LAUNCHER_ENV));
    Vertx vertx = Vertx.vertx();
    try {
      for (int r = 1; r <= o.runs(); r++) {
        System.out.println(line(r, once(vertx, o, System.err)));
      }
    } finally {
      vertx.close();
    }
    return 0;
  }

  static String line(int run, Run r) {
    return String.format(
        "start %d: first answer %d ms after launch; %s; %s%s",
        run,
        r.firstAnswerMillis(),
        window(r.first()),
        window(r.warm()),
        r.errors() == 0 ? "" : "; " + r.errors() + " errors");
  }

  private static String window(Window w) {
    return String.format(
        "%d-%d s: %.0f req/s p50 %.1f ms p99 %.1f ms",
        w.fromSecond(), w.toSecond(), w.perSecond(), w.latency().p50(), w.latency().p99());
  }

  private static Run once(Vertx vertx, Options o, PrintStream progress) throws IOException {
    long launched = System.nanoTime();
    try (DevServerProcess server =
        DevServerProcess.start(vertx, o.launcher(), o.devFlags(), REGION, progress)) {
      long answered = System.nanoTime();
      String[] pair =
          DevCredentials.readProfile(server.dataDir().resolve(DevCredentials.CLIENT_FILE));
      SigV4Signer signer =
          new SigV4Signer(pair[0], pair[1].getBytes(StandardCharsets.UTF_8), REGION, "kms", true);
      try (SignedClient client =
          new SignedClient(vertx, server.endpoint(), signer, o.connections())) {
        String keyId =
            client
                .call("CreateKey", Operations.json(Map.of()))
                .json()
                .path("KeyMetadata")
                .path("KeyId")
                .asText();
        byte[] body = Operations.json(Map.of("KeyId", keyId, "KeySpec", "AES_256"));
        return load(client, body, answered, o).withStart((answered - launched) / 1_000_000);
      }
    }
  }

  /** The closed loop, from {@code answered} to the end of the warm window. */
  private static Run load(SignedClient client, byte[] body, long answered, Options o)
      throws IOException {
    long firstEnd = answered + TimeUnit.SECONDS.toNanos(10);
    long warmStart = answered + TimeUnit.SECONDS.toNanos(o.warmFrom());
    long warmEnd = warmStart + TimeUnit.SECONDS.toNanos(10);
    LatencyRecorder first = new LatencyRecorder();
    LatencyRecorder warm = new LatencyRecorder();
    long[] errors = {0};
    int[] users = {o.connections()};
    Promise<Void> done = Promise.promise();
    Runnable[] next = new Runnable[1];
    next[0] =
        () -> {
          long sent = System.nanoTime();
          if (sent >= warmEnd) {
            if (--users[0] == 0) {
              done.complete();
            }
            return;
          }
          client
              .send(Operations.GENERATE_DATA_KEY, body)
              .onComplete(
                  a -> {
                    long now = System.nanoTime();
                    if (a.failed() || !a.result().ok()) {
                      errors[0]++;
                    } else if (now < firstEnd) {
                      first.record(now - sent);
                    } else if (now >= warmStart && now < warmEnd) {
                      warm.record(now - sent);
                    }
                    next[0].run();
                  });
        };
    client
        .context()
        .runOnContext(
            v -> {
              for (int i = 0; i < o.connections(); i++) {
                next[0].run();
              }
            });
    try {
      done.future()
          .toCompletionStage()
          .toCompletableFuture()
          .get(o.warmFrom() + 60L, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IOException("the startup load did not finish: " + e, e);
    }
    return new Run(
        0,
        new Window(0, 10, first.count() / 10.0, first.summary()),
        new Window(o.warmFrom(), o.warmFrom() + 10, warm.count() / 10.0, warm.summary()),
        errors[0]);
  }
}
