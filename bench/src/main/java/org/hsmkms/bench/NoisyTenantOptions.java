package org.hsmkms.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code hsm-kms bench --scenario noisy-tenant} does (issue 16): how long, how hard each
 * tenant pushes, and which flags the dev server it starts gets.
 *
 * @param duration the noisy phase: both tenants at once
 * @param singleTenant the phase after it: the quiet tenant alone (measured after a warm-up)
 * @param quietRate the quiet tenant's GenerateDataKey requests a second (open loop)
 * @param rsaLoops the noisy tenant's parallel GenerateDataKeyPair RSA_4096 loops
 * @param dataKeyLoops the noisy tenant's parallel GenerateDataKey loops, as fast as they go
 * @param slowConnections the noisy tenant's slow connections: half trickle a request's headers a
 *     byte a second, half send nothing
 * @param singleTenantConcurrency the quiet tenant's connections when alone
 * @param serverArgs flags for {@code hsm-kms dev}: {@link #DEFAULT_SERVER_ARGS}, then those given
 *     with {@code --server-arg} (a server that does not know a flag ignores it)
 * @param launcher the {@code hsm-kms} launcher that starts the dev server
 * @param json where to write the report as JSON too, or null
 * @param check a target missed makes the exit status 1 (else it is 0: a measurement)
 */
record NoisyTenantOptions(
    Duration duration,
    Duration singleTenant,
    double quietRate,
    int rsaLoops,
    int dataKeyLoops,
    int slowConnections,
    int singleTenantConcurrency,
    List<String> serverArgs,
    Path launcher,
    Path json,
    boolean check) {

  static final String NAME = "noisy-tenant";

  static final String NOISY_ACCOUNT = "111111111111";
  static final String QUIET_ACCOUNT = "222222222222";

  /**
   * The noisy account's symmetric quota far below what its loops send, the quiet account's far
   * above its single-tenant target, so that the quota is not what limits that phase.
   */
  static final List<String> DEFAULT_SERVER_ARGS =
      List.of(
          "--quota",
          NOISY_ACCOUNT + ":symmetric=2000",
          "--quota",
          QUIET_ACCOUNT + ":symmetric=50000");

  /** Where the launcher names itself when it runs the bench jar. */
  static final String LAUNCHER_ENV = "HSM_KMS_LAUNCHER";

  NoisyTenantOptions {
    serverArgs = List.copyOf(serverArgs);
    if (duration.isZero() || duration.isNegative() || singleTenant.isNegative()) {
      throw new IllegalArgumentException(
          "--duration must be positive, --single-tenant-duration not negative");
    }
    if (!(quietRate > 0)) {
      throw new IllegalArgumentException("--quiet-rate must be positive");
    }
    if (rsaLoops < 0 || dataKeyLoops < 0 || slowConnections < 0) {
      throw new IllegalArgumentException(
          "--rsa-loops, --data-key-loops and --slow-connections must not be negative");
    }
    if (singleTenantConcurrency < 1) {
      throw new IllegalArgumentException("--single-tenant-concurrency must be at least 1");
    }
    if (launcher == null) {
      throw new IllegalArgumentException(
          "--scenario "
              + NAME
              + " starts a dev server with the launcher: run it as './hsm-kms bench --scenario "
              + NAME
              + "' (or give --launcher PATH)");
    }
  }

  /** True when {@code args} ask for a scenario instead of the usual measurement. */
  static boolean asked(String[] args) {
    return List.of(args).contains("--scenario");
  }

  /**
   * Parses {@code --scenario noisy-tenant [options]}.
   *
   * @param launcherEnv the value of {@link #LAUNCHER_ENV}, or null
   */
  static NoisyTenantOptions parse(String[] args, String launcherEnv) {
    String scenario = null;
    Duration duration = Duration.ofSeconds(20);
    Duration single = Duration.ofSeconds(10);
    double rate = 20;
    int rsa = 16;
    int dataKey = 16;
    int slow = 300;
    int singleConcurrency = 64;
    List<String> serverArgs = new ArrayList<>(DEFAULT_SERVER_ARGS);
    Path launcher = launcherEnv == null || launcherEnv.isEmpty() ? null : Path.of(launcherEnv);
    Path json = null;
    boolean check = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--scenario" -> scenario = value(args, ++i, a);
        case "--duration" -> duration = seconds(value(args, ++i, a));
        case "--single-tenant-duration" -> single = seconds(value(args, ++i, a));
        case "--quiet-rate" -> rate = Double.parseDouble(value(args, ++i, a));
        case "--rsa-loops" -> rsa = Integer.parseInt(value(args, ++i, a));
        case "--data-key-loops" -> dataKey = Integer.parseInt(value(args, ++i, a));
        case "--slow-connections" -> slow = Integer.parseInt(value(args, ++i, a));
        case "--single-tenant-concurrency" ->
            singleConcurrency = Integer.parseInt(value(args, ++i, a));
        case "--server-arg" -> serverArgs.add(value(args, ++i, a));
        case "--launcher" -> launcher = Path.of(value(args, ++i, a));
        case "--json" -> json = Path.of(value(args, ++i, a));
        case "--check" -> check = true;
        default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
      }
    }
    if (!NAME.equals(scenario)) {
      throw new IllegalArgumentException(
          "unknown scenario " + scenario + " (known: " + NAME + ")\n" + USAGE);
    }
    return new NoisyTenantOptions(
        duration,
        single,
        rate,
        rsa,
        dataKey,
        slow,
        singleConcurrency,
        serverArgs,
        launcher,
        json,
        check);
  }

  static final String USAGE =
      String.join(
          "\n",
          "usage: hsm-kms bench --scenario noisy-tenant [--duration S] [--json FILE] [--check]",
          "         [--server-arg ARG]... [--single-tenant-duration S] [--quiet-rate REQ_PER_S]",
          "         [--rsa-loops N] [--data-key-loops N] [--slow-connections N]"
              + " [--single-tenant-concurrency N]",
          "Starts a dev server on a fresh data directory (flags: "
              + String.join(" ", DEFAULT_SERVER_ARGS)
              + ", then each --server-arg),",
          "adds a noisy tenant (account "
              + NOISY_ACCOUNT
              + ") and a quiet one ("
              + QUIET_ACCOUNT
              + ") with 'credentials add', runs both,",
          "then the quiet one alone, and prints PASS/FAIL per target (docs/performance.md);"
              + " --check: exit status 1 on a FAIL.");

  private static Duration seconds(String s) {
    return Duration.ofNanos(Math.round(Double.parseDouble(s) * 1e9));
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }
}
