package org.hsmkms.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.hsmkms.config.DevDefaults;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;

/**
 * {@code bench --hsm-latency MS [--server-sessions N] [options...]}: the usual measurement, against
 * a dev server the bench starts under the latency model of a network HSM ({@link
 * Pkcs11Hsm#LATENCY_MICROS_PROPERTY}: every PKCS#11 call takes {@code MS} more), then stops.
 *
 * <p>The server's HSM sessions follow Little's law unless {@code --server-sessions} names them:
 * calls in flight = rate x calls per request x latency, here {@value #TARGET_RATE} GenerateDataKey
 * a second x {@value #CALLS_PER_REQUEST} calls ({@code C_EncryptInit}, {@code C_Encrypt}) x the
 * latency, with half as much again for bursts, plus one session each for the slow and the
 * background class of work (docs/operations.md, "Sizing for a network HSM").
 *
 * @param latencyMillis the delay per PKCS#11 call; 0: none (the server runs as usual)
 * @param serverSessions the server's {@code --sessions}, or null for {@link #sessionsFor}
 * @param launcher the {@code hsm-kms} launcher that starts the server
 * @param benchArgs the other options, for {@link BenchOptions#parse}
 */
record HsmLatencyRun(
    double latencyMillis, Integer serverSessions, Path launcher, List<String> benchArgs) {

  static final String OPTION = "--hsm-latency";
  static final int TARGET_RATE = 10_000;
  static final int CALLS_PER_REQUEST = 2;
  static final double HEADROOM = 1.5;

  /** Sessions of the classes other than fast: slow and background (config/Work.java). */
  static final int OTHER_CLASSES = 2;

  HsmLatencyRun {
    benchArgs = List.copyOf(benchArgs);
    if (!(latencyMillis >= 0) || latencyMillis > 1000) {
      throw new IllegalArgumentException(OPTION + " takes milliseconds from 0 to 1000");
    }
    if (serverSessions != null && serverSessions < 3) {
      throw new IllegalArgumentException("--server-sessions must be at least 3");
    }
    if (launcher == null) {
      throw new IllegalArgumentException(
          OPTION
              + " starts a dev server with the launcher: run it as './hsm-kms bench "
              + OPTION
              + " MS' (or give --launcher PATH)");
    }
    for (String own : List.of("--endpoint", "--data-dir", "--access-key-id", "--pid", "--config")) {
      if (benchArgs.contains(own)) {
        throw new IllegalArgumentException(
            OPTION + " measures the dev server it starts: " + own + " cannot be given");
      }
    }
    if (benchArgs.contains("--ceiling")) {
      throw new IllegalArgumentException(
          OPTION + ": --ceiling is not measured under the latency model (run it without)");
    }
  }

  /** True when {@code args} ask for a run under the latency model. */
  static boolean asked(String[] args) {
    return List.of(args).contains(OPTION);
  }

  /**
   * Parses the command line.
   *
   * @param launcherEnv the value of {@link NoisyTenantOptions#LAUNCHER_ENV}, or null
   */
  static HsmLatencyRun parse(String[] args, String launcherEnv) {
    Double latency = null;
    Integer sessions = null;
    Path launcher = launcherEnv == null || launcherEnv.isEmpty() ? null : Path.of(launcherEnv);
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case OPTION -> latency = Double.parseDouble(value(args, ++i));
        case "--server-sessions" -> sessions = Integer.parseInt(value(args, ++i));
        case "--launcher" -> launcher = Path.of(value(args, ++i));
        default -> rest.add(args[i]);
      }
    }
    if (latency == null) {
      throw new IllegalArgumentException(OPTION + " needs a value");
    }
    return new HsmLatencyRun(latency, sessions, launcher, rest);
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException(args[i - 1] + " needs a value");
    }
    return args[i];
  }

  /**
   * Little's law: the sessions that keep {@value #TARGET_RATE} GenerateDataKey a second in flight
   * when each of their calls takes {@code latencyMillis}, or null (the dev server's own default)
   * without latency.
   */
  static Integer sessionsFor(double latencyMillis) {
    if (latencyMillis == 0) {
      return null;
    }
    double inFlight = TARGET_RATE * CALLS_PER_REQUEST * latencyMillis / 1000.0;
    return (int) Math.ceil(inFlight * HEADROOM) + OTHER_CLASSES;
  }

  long latencyMicros() {
    return Math.round(latencyMillis * 1000);
  }

  /** The sessions the server gets: as given, or by {@link #sessionsFor}; null: its default. */
  Integer sessions() {
    return serverSessions != null ? serverSessions : sessionsFor(latencyMillis);
  }

  /** The flags of {@code hsm-kms dev}. */
  List<String> serverFlags() {
    Integer n = sessions();
    return n == null ? List.of() : List.of("--sessions", Integer.toString(n));
  }

  /** The server's extra JVM options: the model, after any the caller's environment has. */
  Map<String, String> serverEnvironment(String javaOptsBefore) {
    if (latencyMicros() == 0) {
      return Map.of();
    }
    String model = "-D" + Pkcs11Hsm.LATENCY_MICROS_PROPERTY + "=" + latencyMicros();
    String before = javaOptsBefore == null || javaOptsBefore.isBlank() ? "" : javaOptsBefore + " ";
    return Map.of("HSM_KMS_JAVA_OPTS", before + model);
  }

  /** The report's first line: the model and the sizing it ran with. */
  String describe() {
    Integer n = sessions();
    String sizing =
        n == null
            ? "the dev server's default sessions"
            : serverSessions != null
                ? n + " sessions (--server-sessions)"
                : String.format(
                    Locale.ROOT,
                    "%d sessions (Little's law: %,d req/s x %d calls x %s ms x %.1f + %d)",
                    n,
                    TARGET_RATE,
                    CALLS_PER_REQUEST,
                    millis(),
                    HEADROOM,
                    OTHER_CLASSES);
    return "HSM latency model: " + millis() + " ms per PKCS#11 call; server: " + sizing;
  }

  private String millis() {
    return latencyMillis == Math.rint(latencyMillis)
        ? Long.toString((long) latencyMillis)
        : Double.toString(latencyMillis);
  }

  /** The bench's arguments for the started server. */
  BenchOptions benchOptions(DevServerProcess server) {
    List<String> args = new ArrayList<>(benchArgs);
    args.addAll(
        List.of(
            "--endpoint",
            server.endpoint().toString(),
            "--data-dir",
            server.dataDir().toString(),
            "--pid",
            Long.toString(server.pid())));
    return BenchOptions.parse(args.toArray(String[]::new));
  }

  /** The command line: starts the server, measures, prints the report, stops the server. */
  static int main(String[] args, Bench.HsmOpener opener) throws IOException {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.println(USAGE);
      return 0;
    }
    HsmLatencyRun run = parse(args, System.getenv(NoisyTenantOptions.LAUNCHER_ENV));
    // Checked before the server starts: a wrong option costs no start.
    BenchOptions.parse(run.benchOptionsArgsForCheck().toArray(String[]::new));
    PrintStream progress = System.err;
    progress.println(run.describe());
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    try (DevServerProcess server =
        DevServerProcess.start(
            vertx,
            run.launcher(),
            run.serverFlags(),
            run.serverEnvironment(System.getenv("HSM_KMS_JAVA_OPTS")),
            DevDefaults.get().region(),
            progress)) {
      BenchOptions options = run.benchOptions(server);
      BenchReport report = Bench.run(options, opener, progress);
      System.out.println(run.describe());
      return Bench.printed(options, report);
    } finally {
      vertx.close().await();
    }
  }

  /** The bench arguments with a placeholder server, to check them before starting one. */
  List<String> benchOptionsArgsForCheck() {
    List<String> args = new ArrayList<>(benchArgs);
    args.addAll(List.of("--endpoint", "http://127.0.0.1:1", "--data-dir", "."));
    return args;
  }

  static final String USAGE =
      String.join(
          "\n",
          "usage: hsm-kms bench --hsm-latency MS [--server-sessions N] [--launcher PATH]"
              + " [options...]",
          "  Starts a dev server whose every PKCS#11 call takes MS more (the latency model of a",
          "  network HSM; for benchmarks only), measures it as 'hsm-kms bench' does with the",
          "  other options (not --endpoint, --data-dir, --config, --ceiling), and stops it.",
          "  The server's sessions follow Little's law for "
              + String.format(Locale.ROOT, "%,d", TARGET_RATE)
              + " GenerateDataKey/s unless --server-sessions N",
          "  names them. Give the load enough concurrency to keep that many calls in flight,",
          "  e.g. --concurrency 64. See docs/performance.md, \"Network HSMs\".");
}
