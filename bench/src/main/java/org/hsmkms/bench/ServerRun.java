package org.hsmkms.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hsmkms.bench.BenchReport.OpResult;
import org.hsmkms.bench.Operations.Material;
import org.hsmkms.bench.Operations.Workload;
import org.hsmkms.bench.SignedClient.Answer;

/**
 * One server's part of a bench run: its keys made (unless given), a request of each operation
 * tried, every operation warmed up and then measured in turn, and the keys it made scheduled for
 * deletion.
 */
final class ServerRun {
  /** What a server answers for an operation it does not have. */
  private static final Set<String> UNSUPPORTED =
      Set.of("UnsupportedOperationException", "UnknownOperationException");

  /** The description of every key the bench creates. */
  static final String KEY_DESCRIPTION = "hsm-kms bench, scheduled for deletion when it ends";

  private ServerRun() {}

  /** What is being measured. */
  enum Target {
    SERVICE,
    /** {@link HttpFloor}: one key is enough, as it keeps none. */
    FLOOR,
    /**
     * moto: one key; an operation whose first request fails in any way (not only with an
     * unsupported-operation error) is skipped; no first warm-up (no JIT to warm).
     */
    MOTO
  }

  /**
   * How the keys of a run are made and what its requests carry.
   *
   * @param createKey the CreateKey request
   * @param encryptionContext sent with every request that takes one; empty for none
   * @param strict a request that fails before the run (for any reason but an operation the server
   *     does not have) ends the run, instead of being measured with its errors
   */
  record Setup(byte[] createKey, Map<String, String> encryptionContext, boolean strict) {
    static final Setup PLAIN =
        new Setup(Operations.json(Map.of("Description", KEY_DESCRIPTION)), Map.of(), false);

    /** The requests of {@code --policies} on keys without a policy: moto's and the floor's. */
    static Setup sameRequests(BenchOptions options) {
      return options.policies()
          ? new Setup(PLAIN.createKey, BenchPolicy.ENCRYPTION_CONTEXT, false)
          : PLAIN;
    }
  }

  /**
   * Sets up a key (unless given) with {@code admin}, then measures each operation in turn with
   * {@code client}; {@code admin} also schedules the deletion of the keys it made.
   */
  static List<OpResult> measure(
      SignedClient admin,
      SignedClient client,
      BenchOptions options,
      List<String> operations,
      String keyId,
      Target target,
      Setup setup,
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
      for (JsonNode key :
          admin.callAllOk(
              "CreateKey",
              java.util.Collections.nCopies(count, setup.createKey()),
              options.load().concurrency())) {
        keyIds.add(key.path("KeyMetadata").path("KeyId").asText());
      }
    } else {
      keyIds.add(keyId);
    }
    try {
      Material material =
          material(client, keyIds, setup.encryptionContext(), options.load().concurrency());
      Map<String, String> skipped = new LinkedHashMap<>();
      Map<String, Workload> workloads = new LinkedHashMap<>();
      for (String name : operations) {
        Workload w = Operations.workload(name, material);
        Answer probe = client.call(w.action(), w.body());
        if (!probe.ok() && setup.strict() && !UNSUPPORTED.contains(probe.errorType())) {
          throw new IOException(
              name
                  + " failed before the run, which is not measured: "
                  + probe.errorType()
                  + ": "
                  + probe.message());
        }
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
        scheduleDeletion(admin, keyIds, options.load().concurrency(), notes);
      }
    }
  }

  /**
   * For each key a ciphertext to decrypt (a data key, as envelope encryption decrypts), and 1 KiB
   * to encrypt.
   */
  private static Material material(
      SignedClient client, List<String> keyIds, Map<String, String> context, int parallel)
      throws IOException {
    List<byte[]> requests = new ArrayList<>();
    for (String keyId : keyIds) {
      Map<String, Object> request = new LinkedHashMap<>();
      request.put("KeyId", keyId);
      request.put("KeySpec", "AES_256");
      if (!context.isEmpty()) {
        request.put("EncryptionContext", context);
      }
      requests.add(Operations.json(request));
    }
    List<String> blobs = new ArrayList<>();
    for (JsonNode dataKey :
        client.callAllOk(Operations.GENERATE_DATA_KEY_WITHOUT_PLAINTEXT, requests, parallel)) {
      blobs.add(dataKey.path("CiphertextBlob").asText());
    }
    byte[] plaintext = new byte[Operations.ENCRYPT_BYTES];
    new SecureRandom().nextBytes(plaintext);
    return new Material(keyIds, blobs, plaintext, context);
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

  private static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }
}
