package org.hsmkms.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.hsmkms.bench.BenchOptions.Load;
import org.hsmkms.bench.BenchReport.OpResult;
import org.hsmkms.bench.Operations.Workload;
import org.hsmkms.config.DevDefaults;

/**
 * {@code hsm-kms bench --scenario noisy-tenant} (issue 16): one tenant abuses a dev server while
 * another uses it within its quota, then the second is measured alone.
 *
 * <ol>
 *   <li>A dev server on a fresh data directory ({@link DevServerProcess}); tenants {@code noisy}
 *       (account {@value NoisyTenantOptions#NOISY_ACCOUNT}) and {@code quiet} ({@value
 *       NoisyTenantOptions#QUIET_ACCOUNT}) added with {@code credentials add}, a CMK each.
 *   <li>For the duration, at once: noisy runs GenerateDataKeyPair RSA_4096 loops, GenerateDataKey
 *       loops as fast as they go, and slow connections ({@link SlowConnections}); quiet sends
 *       GenerateDataKey on a fixed schedule, each latency counted from its scheduled time ({@link
 *       LoadRunner}'s open loop), so a server that makes it queue cannot hide it.
 *   <li>When the server's CPU has settled, quiet alone in a closed loop, for its throughput.
 * </ol>
 *
 * <p>Each side has its own Vert.x instance, so the noisy side's event loop never delays the quiet
 * side's schedule: a late answer is the server's doing.
 */
final class NoisyTenant {
  static final String RSA_SPEC = "RSA_4096";

  /** The region a dev server answers in (it is started without --region). */
  private static final String REGION = DevDefaults.get().region();

  /** The single-tenant phase starts once the server uses less than this much CPU. */
  private static final double SETTLED_CORES = 0.3;

  /** Connections the quiet tenant opens before the noisy phase. */
  static final int QUIET_OPEN_CONNECTIONS = 8;

  private static final Duration MAX_SETTLE = Duration.ofSeconds(90);
  private static final Duration SINGLE_TENANT_WARMUP = Duration.ofSeconds(5);

  /**
   * Both tenants' GenerateDataKey at full speed before the noisy phase: the scenario measures a
   * running service's isolation, not its first seconds (a fresh JVM compiles the request path for
   * about ten seconds, which "bench --startup" measures).
   */
  private static final Duration SERVER_WARMUP = Duration.ofSeconds(10);

  private NoisyTenant() {}

  /** The command line: runs, prints the report, returns the exit code. */
  static int main(String[] args) throws IOException {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.println(NoisyTenantOptions.USAGE);
      return 0;
    }
    NoisyTenantOptions options =
        NoisyTenantOptions.parse(args, System.getenv(NoisyTenantOptions.LAUNCHER_ENV));
    NoisyTenantReport report = run(options, System.err);
    report.text(System.out);
    if (options.json() != null) {
      report.json(options.json());
      System.out.println("written to " + options.json());
    }
    return options.check() && !report.passed() ? 1 : 0;
  }

  static NoisyTenantReport run(NoisyTenantOptions options, PrintStream progress)
      throws IOException {
    Vertx noisyVertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    Vertx quietVertx =
        Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(1));
    List<String> notes = new ArrayList<>();
    try (DevServerProcess server =
        DevServerProcess.start(
            quietVertx, options.launcher(), options.serverArgs(), REGION, progress)) {
      MemorySampler memory = MemorySampler.start(server.pid());
      try {
        CredentialsTool tool = CredentialsTool.forDataDir(server.dataDir());
        progress.println("adding the tenants with 'hsm-kms credentials add'");
        ScenarioTenant noisy = ScenarioTenant.add(tool, "noisy", NoisyTenantOptions.NOISY_ACCOUNT);
        ScenarioTenant quiet = ScenarioTenant.add(tool, "quiet", NoisyTenantOptions.QUIET_ACCOUNT);
        return measure(
            options, server, noisyVertx, quietVertx, noisy, quiet, memory, notes, progress);
      } finally {
        memory.close();
      }
    } finally {
      noisyVertx.close().await();
      quietVertx.close().await();
    }
  }

  private static NoisyTenantReport measure(
      NoisyTenantOptions options,
      DevServerProcess server,
      Vertx noisyVertx,
      Vertx quietVertx,
      ScenarioTenant noisy,
      ScenarioTenant quiet,
      MemorySampler memory,
      List<String> notes,
      PrintStream progress)
      throws IOException {
    Duration d = options.duration();
    int quietConnections = options.singleTenantConcurrency();
    try (SignedClient rsaClient =
            new SignedClient(
                noisyVertx,
                server.endpoint(),
                noisy.signer(REGION),
                Math.max(1, options.rsaLoops()));
        SignedClient dataKeyClient =
            new SignedClient(
                noisyVertx,
                server.endpoint(),
                noisy.signer(REGION),
                Math.max(1, options.dataKeyLoops()));
        SignedClient quietClient =
            new SignedClient(
                quietVertx, server.endpoint(), quiet.signer(REGION), quietConnections)) {
      progress.println("waiting for the server to read the tenants' access keys");
      noisy.createKey(dataKeyClient);
      quiet.createKey(quietClient);
      // A running application holds its keep-alive connections before any attack starts: a
      // server's connection limit is then measured against newcomers, not against them.
      quietClient.callAllOk(
          Operations.GENERATE_DATA_KEY,
          java.util.Collections.nCopies(QUIET_OPEN_CONNECTIONS, quiet.generateDataKey()),
          QUIET_OPEN_CONNECTIONS);

      warmUp(options, noisy, quiet, dataKeyClient, quietClient, server, progress);

      Workload rsa =
          new Workload(
              "noisy GenerateDataKeyPair:" + RSA_SPEC,
              Operations.GENERATE_DATA_KEY_PAIR,
              new byte[][] {noisy.generateDataKeyPair(RSA_SPEC)});
      Workload noisyDataKey =
          new Workload(
              "noisy GenerateDataKey",
              Operations.GENERATE_DATA_KEY,
              new byte[][] {noisy.generateDataKey()});
      Workload quietDataKey =
          new Workload(
              "quiet GenerateDataKey",
              Operations.GENERATE_DATA_KEY,
              new byte[][] {quiet.generateDataKey()});

      progress.printf(
          "noisy phase, %s s: noisy %d RSA_4096 loops, %d GenerateDataKey loops, %d slow"
              + " connections; quiet %s req/s%n",
          NoisyTenantReport.number(d.toMillis() / 1000.0),
          options.rsaLoops(),
          options.dataKeyLoops(),
          options.slowConnections(),
          NoisyTenantReport.number(options.quietRate()));
      SlowConnections slow =
          new SlowConnections(
                  noisyVertx,
                  server.endpoint().getHost(),
                  server.endpoint().getPort(),
                  options.slowConnections())
              .start();
      OpResult rsaResult;
      OpResult noisyResult;
      OpResult quietResult;
      SlowConnections.Result slowResult;
      CpuClock noisyPhase = new CpuClock();
      ExecutorService threads = Executors.newFixedThreadPool(3);
      try {
        CompletableFuture<OpResult> r =
            closedLoop(threads, rsaClient, rsa, options.rsaLoops(), d, progress);
        CompletableFuture<OpResult> n =
            closedLoop(threads, dataKeyClient, noisyDataKey, options.dataKeyLoops(), d, progress);
        Load schedule = new Load(quietConnections, options.quietRate(), Duration.ZERO, d);
        CompletableFuture<OpResult> q =
            CompletableFuture.supplyAsync(
                () -> new LoadRunner(quietClient, schedule, progress).run(quietDataKey), threads);
        quietResult = q.join();
        noisyResult = n.join();
        rsaResult = r.join();
      } finally {
        slowResult = slow.stop();
        threads.shutdown();
      }

      double noisyPhaseCores = noisyPhase.cores();
      progress.println("single-tenant phase: waiting for the server's CPU to settle");
      double settled = ProcessCpu.awaitQuiet(server.pid(), SETTLED_CORES, MAX_SETTLE);
      if (settled >= MAX_SETTLE.toSeconds()) {
        notes.add(
            "the server still used more than "
                + SETTLED_CORES
                + " of a core "
                + MAX_SETTLE.toSeconds()
                + " s after the noisy phase; the single-tenant phase ran beside that work");
      }
      Load alone = new Load(quietConnections, null, SINGLE_TENANT_WARMUP, options.singleTenant());
      CpuClock singlePhase = new CpuClock();
      OpResult single =
          options.singleTenant().isZero()
              ? OpResult.skipped(quietDataKey.name(), "not run (--single-tenant-duration 0)")
              : new LoadRunner(quietClient, alone, progress).run(quietDataKey);
      double singlePhaseCores = singlePhase.cores();

      NoisyTenantReport.Quiet quietFigures =
          NoisyTenantReport.Quiet.of(options.quietRate(), quietResult);
      NoisyTenantReport.Noisy noisyFigures = NoisyTenantReport.Noisy.of(noisyResult, rsaResult);
      NoisyTenantReport.SingleTenant singleFigures =
          NoisyTenantReport.SingleTenant.of(quietConnections, single, settled);
      return new NoisyTenantReport(
          server.endpoint().toString(),
          options.serverArgs(),
          d.toMillis() / 1000.0,
          quietFigures,
          noisyFigures,
          slowResult,
          singleFigures,
          memory.result().maxMiB(),
          new NoisyTenantReport.GeneratorCpu(noisyPhaseCores, singlePhaseCores),
          NoisyTenantReport.checks(quietFigures, noisyFigures, singleFigures),
          notes);
    }
  }

  /** The load generator's own CPU use from its creation on, in cores (of this JVM). */
  private static final class CpuClock {
    private final long pid = ProcessHandle.current().pid();
    private final long startNanos = System.nanoTime();
    private final double startSeconds = cpuSeconds();

    double cores() {
      double wall = (System.nanoTime() - startNanos) / 1e9;
      return wall > 0 ? Math.round((cpuSeconds() - startSeconds) / wall * 100) / 100.0 : 0;
    }

    private double cpuSeconds() {
      try {
        return ProcessCpu.seconds(pid);
      } catch (IOException e) {
        return 0; // not Linux: reported as 0
      }
    }
  }

  /** {@link #SERVER_WARMUP} of both tenants' GenerateDataKey, then until the server is idle. */
  private static void warmUp(
      NoisyTenantOptions options,
      ScenarioTenant noisy,
      ScenarioTenant quiet,
      SignedClient noisyClient,
      SignedClient quietClient,
      DevServerProcess server,
      PrintStream progress)
      throws IOException {
    progress.printf("warming the server up: %d s of GenerateDataKey%n", SERVER_WARMUP.toSeconds());
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      CompletableFuture<OpResult> q =
          closedLoop(
              threads,
              quietClient,
              new Workload(
                  "warm-up quiet GenerateDataKey",
                  Operations.GENERATE_DATA_KEY,
                  new byte[][] {quiet.generateDataKey()}),
              options.singleTenantConcurrency(),
              SERVER_WARMUP,
              progress);
      CompletableFuture<OpResult> n =
          closedLoop(
              threads,
              noisyClient,
              new Workload(
                  "warm-up noisy GenerateDataKey",
                  Operations.GENERATE_DATA_KEY,
                  new byte[][] {noisy.generateDataKey()}),
              Math.max(1, options.dataKeyLoops()),
              SERVER_WARMUP,
              progress);
      q.join();
      n.join();
    } finally {
      threads.shutdown();
    }
    ProcessCpu.awaitQuiet(server.pid(), SETTLED_CORES, Duration.ofSeconds(15));
  }

  /** {@code loops} closed loops of {@code w} for {@code d} on a thread of {@code threads}. */
  private static CompletableFuture<OpResult> closedLoop(
      ExecutorService threads,
      SignedClient client,
      Workload w,
      int loops,
      Duration d,
      PrintStream progress) {
    if (loops == 0) {
      return CompletableFuture.completedFuture(OpResult.skipped(w.name(), "no loops"));
    }
    Load load = new Load(loops, null, Duration.ZERO, d);
    return CompletableFuture.supplyAsync(
        () -> new LoadRunner(client, load, progress).run(w), threads);
  }
}
