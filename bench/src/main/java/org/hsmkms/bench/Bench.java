package org.hsmkms.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hsmkms.DevCredentials;
import org.hsmkms.auth.SigV4Signer;
import org.hsmkms.bench.BenchOptions.Load;
import org.hsmkms.bench.BenchReport.CeilingResult;
import org.hsmkms.bench.BenchReport.OpResult;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;

/**
 * {@code hsm-kms bench}: measures a running server with signed requests, operation by operation,
 * then (when asked) the HSM's own ceiling for the same work and moto under the same load, and
 * reports all three side by side.
 */
public final class Bench {
  /**
   * How long {@code --policies} waits for the server to accept its new principal: several of its
   * credentials reloads (every 5 s by default).
   */
  private static final Duration PRINCIPAL_TIMEOUT = Duration.ofSeconds(30);

  private Bench() {}

  /** Opens the token the ceiling is measured on, with this many sessions. */
  @FunctionalInterface
  public interface HsmOpener {
    Pkcs11Hsm open(Path dataDir, Path config, int sessions) throws IOException;
  }

  /** The command line: runs, prints the report, returns the exit code. */
  public static int main(String[] args, HsmOpener opener) throws IOException {
    if (NoisyTenantOptions.asked(args)) {
      return NoisyTenant.main(args);
    }
    if (StartupLoad.asked(args)) {
      return StartupLoad.main(args);
    }
    if (HsmLatencyRun.asked(args)) {
      return HsmLatencyRun.main(args, opener);
    }
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.println(BenchOptions.USAGE);
      return 0;
    }
    BenchOptions options = BenchOptions.parse(args);
    return printed(options, run(options, opener, System.err));
  }

  /**
   * Prints the report and answers the exit status: 1 when {@code --policies} requests failed
   * (requests refused by a wrong policy must not pass for fast answers), else 0.
   */
  static int printed(BenchOptions options, BenchReport report) {
    ReportPrinter.text(report, System.out);
    if (options.json() != null) {
      System.out.println();
      System.out.println("written to " + options.json());
    }
    if (options.policies() && !report.failures().isEmpty()) {
      System.err.println(
          "hsm-kms: --policies: requests failed, the run is no measurement: "
              + String.join("; ", report.failures()));
      return 1;
    }
    return 0;
  }

  /**
   * Runs everything {@code options} ask for, and writes the JSON report if they name a file.
   *
   * @param progress where a line a second goes while it runs
   */
  public static BenchReport run(BenchOptions options, HsmOpener opener, PrintStream progress)
      throws IOException {
    String[] credentials = credentials(options);
    List<String> notes = new ArrayList<>();
    // Opened first, so that a token that cannot be reached fails the run before it starts.
    Pkcs11Hsm hsm =
        options.ceiling()
            ? opener.open(options.dataDir(), options.config(), options.load().concurrency())
            : null;
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    MemorySampler memory = options.pid() == null ? null : MemorySampler.start(options.pid());
    try {
      List<OpResult> service;
      SigV4Signer signer =
          new SigV4Signer(
              credentials[0],
              credentials[1].getBytes(StandardCharsets.UTF_8),
              options.region(),
              "kms",
              true);
      String[] authorization = {
        BenchReport.WITHOUT_POLICIES
            + (options.context()
                ? "; requests with the encryption context of --policies (--context)"
                : "")
      };
      try (SignedClient client =
          new SignedClient(vertx, options.endpoint(), signer, options.load().concurrency())) {
        progress.println("hsm-kms at " + options.endpoint() + ": " + options.load().describe());
        if (options.policies()) {
          service =
              measureWithPolicies(client, credentials[0], options, authorization, notes, progress);
        } else {
          service =
              ServerRun.measure(
                  client,
                  client,
                  options,
                  options.operations(),
                  options.keyId(),
                  ServerRun.Target.SERVICE,
                  options.context()
                      ? new ServerRun.Setup(
                          ServerRun.Setup.PLAIN.createKey(), BenchPolicy.ENCRYPTION_CONTEXT, false)
                      : ServerRun.Setup.PLAIN,
                  notes,
                  progress);
        }
      }
      List<CeilingResult> ceiling =
          hsm == null ? List.of() : ceiling(hsm, options.load(), service, progress);
      List<OpResult> floor =
          options.floor() ? floor(vertx, signer, options, notes, progress) : List.of();
      List<OpResult> moto = options.moto() ? moto(vertx, options, notes, progress) : List.of();
      BenchReport report =
          new BenchReport(
              options.endpoint().toString(),
              options.load().describe(),
              options.load().concurrency(),
              options.load().rate(),
              options.load().warmup().toMillis() / 1000.0,
              options.load().duration().toMillis() / 1000.0,
              options.keys(),
              options.policies(),
              authorization[0],
              memory == null ? null : memory.result(),
              service,
              ceiling,
              floor,
              moto,
              BenchReport.compare(service, ceiling, floor, moto),
              notes);
      if (options.json() != null) {
        ReportPrinter.json(report, options.json());
      }
      return report;
    } finally {
      if (memory != null) {
        memory.close();
      }
      vertx.close().await();
      if (hsm != null) {
        hsm.close();
      }
    }
  }

  private static String[] credentials(BenchOptions options) throws IOException {
    if (options.accessKeyId() != null) {
      return new String[] {options.accessKeyId(), options.secretAccessKey()};
    }
    Path file = options.dataDir().resolve(DevCredentials.CLIENT_FILE);
    String[] pair = DevCredentials.readProfile(file);
    if (pair == null) {
      throw new IllegalArgumentException(
          "no profile '"
              + DevCredentials.PROFILE
              + "' in "
              + file
              + " (start ./hsm-kms dev first)");
    }
    return pair;
  }

  /**
   * {@code --policies}: adds the bench principal, creates the keys with their policy (signed by
   * {@code admin}), and measures with requests signed by the principal; removes it at the end.
   */
  private static List<OpResult> measureWithPolicies(
      SignedClient admin,
      String adminAccessKeyId,
      BenchOptions options,
      String[] authorization,
      List<String> notes,
      PrintStream progress)
      throws IOException {
    progress.println(
        "--policies: adding the principal "
            + BenchPolicy.USER_NAME
            + " with 'hsm-kms credentials add', then waiting for the server to reload it");
    BenchPrincipal principal = BenchPrincipal.add(CredentialsTool.of(options), adminAccessKeyId);
    try (SignedClient client =
        new SignedClient(
            admin.vertx(),
            options.endpoint(),
            principal.signer(options.region()),
            options.load().concurrency())) {
      principal.awaitAuthenticated(client, PRINCIPAL_TIMEOUT);
      String policy =
          BenchPolicy.keyPolicy(principal.account(), principal.keyAdministrator(), principal.arn());
      authorization[0] =
          "policies on: requests signed by "
              + principal.arn()
              + " (identity policy: kms:GenerateRandom only), keys with a key policy of "
              + BenchPolicy.STATEMENTS
              + " statements (administrator "
              + principal.keyAdministrator()
              + "; encryption-context and tag conditions), tagged "
              + BenchPolicy.TAG_KEY
              + "="
              + BenchPolicy.TAG_VALUE;
      ServerRun.Setup setup =
          new ServerRun.Setup(
              BenchPolicy.createKeyRequest(policy), BenchPolicy.ENCRYPTION_CONTEXT, true);
      return ServerRun.measure(
          admin,
          client,
          options,
          options.operations(),
          null,
          ServerRun.Target.SERVICE,
          setup,
          notes,
          progress);
    } finally {
      principal.remove(notes);
    }
  }

  private static List<CeilingResult> ceiling(
      Pkcs11Hsm hsm, Load load, List<OpResult> service, PrintStream progress) {
    int threads = load.concurrency();
    progress.println("HSM ceiling: direct PKCS#11 calls, " + threads + " threads");
    List<CeilingResult> results = new ArrayList<>();
    try (HsmCeiling ceiling = HsmCeiling.create(hsm)) {
      for (OpResult s : service) {
        if (!s.ran()) {
          continue;
        }
        Optional<Runnable> work = ceiling.work(s.operation());
        if (work.isPresent()) {
          results.add(
              HsmCeiling.measure(
                  s.operation(), work.get(), threads, load.warmup(), load.duration(), progress));
        }
      }
    }
    return results;
  }

  private static List<OpResult> moto(
      Vertx vertx, BenchOptions options, List<String> notes, PrintStream progress) {
    // moto accepts any credentials.
    SigV4Signer signer =
        new SigV4Signer(
            "AKIDBENCHMOTO",
            "bench".getBytes(StandardCharsets.UTF_8),
            options.region(),
            "kms",
            true);
    return measureLocal(
        "moto",
        MotoServer::start,
        vertx,
        signer,
        options,
        options.operations(),
        ServerRun.Target.MOTO,
        notes,
        progress);
  }

  /**
   * The HTTP floor under the same load, for the operations whose cost is not the HSM's alone (key
   * pairs are left out: their generation, not HTTP, sets their pace).
   */
  private static List<OpResult> floor(
      Vertx vertx,
      SigV4Signer signer,
      BenchOptions options,
      List<String> notes,
      PrintStream progress) {
    List<String> operations =
        options.operations().stream().filter(op -> !op.startsWith("GenerateDataKeyPair")).toList();
    if (operations.isEmpty()) {
      return List.of();
    }
    return measureLocal(
        "HTTP floor",
        HttpFloor::start,
        vertx,
        signer,
        options,
        operations,
        ServerRun.Target.FLOOR,
        notes,
        progress);
  }

  /**
   * Starts a server beside the service, measures {@code operations} on it under the same load and
   * stops it; one that cannot be started or measured leaves a note instead of results.
   */
  private static List<OpResult> measureLocal(
      String name,
      LocalServer.Starter starter,
      Vertx vertx,
      SigV4Signer signer,
      BenchOptions options,
      List<String> operations,
      ServerRun.Target target,
      List<String> notes,
      PrintStream progress) {
    try (LocalServer server = starter.start();
        SignedClient client =
            new SignedClient(vertx, server.endpoint(), signer, options.load().concurrency())) {
      progress.println(name + " at " + server.endpoint() + ": " + options.load().describe());
      return ServerRun.measure(
          client,
          client,
          options,
          operations,
          null,
          target,
          ServerRun.Setup.sameRequests(options),
          notes,
          progress);
    } catch (IOException e) {
      notes.add(name + " not measured: " + e.getMessage());
      return List.of();
    }
  }
}
