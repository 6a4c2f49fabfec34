package org.hsmkms.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hsmkms.DevCredentials;
import org.hsmkms.auth.SigV4Signer;
import org.hsmkms.bench.BenchOptions.Load;
import org.hsmkms.bench.BenchReport.CeilingResult;
import org.hsmkms.bench.BenchReport.OpResult;
import org.hsmkms.bench.Operations.Material;
import org.hsmkms.bench.Operations.Workload;
import org.hsmkms.bench.SignedClient.Answer;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;

/**
 * {@code hsm-kms bench}: measures a running server with signed requests, operation by operation,
 * then (when asked) the HSM's own ceiling for the same work and moto under the same load, and
 * reports all three side by side.
 */
public final class Bench {
  /** What a server answers for an operation it does not have. */
  private static final Set<String> UNSUPPORTED =
      Set.of("UnsupportedOperationException", "UnknownOperationException");

  private Bench() {}

  /** Opens the token the ceiling is measured on, with this many sessions. */
  @FunctionalInterface
  public interface HsmOpener {
    Pkcs11Hsm open(Path dataDir, Path config, int sessions) throws IOException;
  }

  /** The command line: runs, prints the report, returns the exit code. */
  public static int main(String[] args, HsmOpener opener) throws IOException {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.println(BenchOptions.USAGE);
      return 0;
    }
    BenchOptions options = BenchOptions.parse(args);
    BenchReport report = run(options, opener, System.err);
    ReportPrinter.text(report, System.out);
    if (options.json() != null) {
      System.out.println();
      System.out.println("written to " + options.json());
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
      try (SignedClient client =
          new SignedClient(vertx, options.endpoint(), signer, options.load().concurrency())) {
        progress.println("hsm-kms at " + options.endpoint() + ": " + options.load().describe());
        service =
            measure(
                client,
                options,
                options.operations(),
                options.keyId(),
                Target.SERVICE,
                notes,
                progress);
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

  /** What is being measured. */
  private enum Target {
    SERVICE,
    /** {@link HttpFloor}: one key is enough, as it keeps none. */
    FLOOR,
    /**
     * moto: one key; an operation whose first request fails in any way (not only with an
     * unsupported-operation error) is skipped; no first warm-up (no JIT to warm).
     */
    MOTO
  }

  /** Sets up a key (unless given), then measures each operation in turn. */
  private static List<OpResult> measure(
      SignedClient client,
      BenchOptions options,
      List<String> operations,
      String keyId,
      Target target,
      List<String> notes,
      PrintStream progress)
      throws IOException {
    boolean moto = target == Target.MOTO;
    boolean created = keyId == null;
    List<String> keyIds = new ArrayList<>();
    if (created) {
      int count = target == Target.SERVICE ? options.keys() : 1;
      if (count > 1) {
        progress.println("creating " + count + " CMKs");
      }
      byte[] body =
          Operations.json(
              Map.of("Description", "hsm-kms bench, scheduled for deletion when it ends"));
      for (JsonNode key :
          client.callAllOk(
              "CreateKey",
              java.util.Collections.nCopies(count, body),
              options.load().concurrency())) {
        keyIds.add(key.path("KeyMetadata").path("KeyId").asText());
      }
    } else {
      keyIds.add(keyId);
    }
    try {
      Material material = material(client, keyIds, options.load().concurrency());
      Map<String, String> skipped = new LinkedHashMap<>();
      Map<String, Workload> workloads = new LinkedHashMap<>();
      for (String name : operations) {
        Workload w = Operations.workload(name, material);
        Answer probe = client.call(w.action(), w.body());
        if (!probe.ok() && (moto || UNSUPPORTED.contains(probe.errorType()))) {
          String message = abbreviate(probe.message());
          skipped.put(name, probe.errorType() + (message.isEmpty() ? "" : ": " + message));
        } else {
          workloads.put(name, w);
        }
      }
      LoadRunner runner = new LoadRunner(client, options.load(), progress);
      progress.println(
          moto ? "measuring each operation" : "warming up every operation, then measuring each");
      // Both JVMs compile the code of every operation before the first one is measured; RSA key
      // pairs are left out, as they would only drain the server's pools.
      for (Workload w : workloads.values()) {
        if (!moto && !w.name().contains(":RSA_")) {
          runner.warmUp(w);
        }
      }
      List<OpResult> results = new ArrayList<>();
      for (String name : operations) {
        if (skipped.containsKey(name)) {
          results.add(OpResult.skipped(name, skipped.get(name)));
        } else {
          results.add(runner.run(workloads.get(name)));
        }
      }
      return results;
    } finally {
      if (created) {
        scheduleDeletion(client, keyIds, options.load().concurrency(), notes);
      }
    }
  }

  /**
   * For each key a ciphertext to decrypt (a data key, as envelope encryption decrypts), and 1 KiB
   * to encrypt.
   */
  private static Material material(SignedClient client, List<String> keyIds, int parallel)
      throws IOException {
    List<byte[]> requests = new ArrayList<>();
    for (String keyId : keyIds) {
      requests.add(Operations.json(Map.of("KeyId", keyId, "KeySpec", "AES_256")));
    }
    List<String> blobs = new ArrayList<>();
    for (JsonNode dataKey :
        client.callAllOk(Operations.GENERATE_DATA_KEY_WITHOUT_PLAINTEXT, requests, parallel)) {
      blobs.add(dataKey.path("CiphertextBlob").asText());
    }
    byte[] plaintext = new byte[Operations.ENCRYPT_BYTES];
    new SecureRandom().nextBytes(plaintext);
    return new Material(keyIds, blobs, plaintext);
  }

  private static void scheduleDeletion(
      SignedClient client, List<String> keyIds, int parallel, List<String> notes) {
    List<byte[]> requests = new ArrayList<>();
    for (String keyId : keyIds) {
      requests.add(Operations.json(Map.of("KeyId", keyId, "PendingWindowInDays", 7)));
    }
    try {
      client.callAllOk("ScheduleKeyDeletion", requests, parallel);
    } catch (IOException e) {
      notes.add(
          "could not schedule the deletion of the bench's "
              + keyIds.size()
              + " key(s): "
              + e.getMessage());
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
        Target.MOTO,
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
        Target.FLOOR,
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
      Target target,
      List<String> notes,
      PrintStream progress) {
    try (LocalServer server = starter.start();
        SignedClient client =
            new SignedClient(vertx, server.endpoint(), signer, options.load().concurrency())) {
      progress.println(name + " at " + server.endpoint() + ": " + options.load().describe());
      return measure(client, options, operations, null, target, notes, progress);
    } catch (IOException e) {
      notes.add(name + " not measured: " + e.getMessage());
      return List.of();
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }
}
