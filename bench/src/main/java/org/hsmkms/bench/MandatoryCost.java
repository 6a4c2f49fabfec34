package org.hsmkms.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.hsmkms.api.ModelValidator;
import org.hsmkms.audit.AuditRecord;
import org.hsmkms.audit.FileAuditTrail;
import org.hsmkms.auth.Credential;
import org.hsmkms.auth.SigV4Authenticator;
import org.hsmkms.auth.SigV4Signer;
import org.hsmkms.auth.SignedRequest;

/**
 * What the work every request must do beside HTTP and the HSM costs in CPU, measured in-process,
 * one step at a time, on one thread: the SigV4 verification of a signed GenerateDataKey (the
 * service's {@link SigV4Authenticator}), the request's JSON read and checked against the API model
 * and the answer written (the service's {@link ModelValidator}, Jackson), and its audit record
 * chained and appended to a trail file (the service's {@link FileAuditTrail}, {@code write(2)}
 * included, no fsync, as dev runs it). One key-level authorization decision is {@link
 * AuthorizationCost}'s.
 *
 * <p>These are lower bounds of what a request costs the service beyond what the HTTP floor and the
 * HSM ceiling measure: on one thread, with warm caches, no other thread, no hand-off between
 * threads. Against them stands what the bound leaves: at 90% of {@code 1 / (1/floor + 1/ceiling)}
 * the service may spend {@code (1/0.9 - 1) = 11.1%} of the bound's CPU per request, i.e. {@code
 * 0.111 * cores / bound} seconds. Run: {@code java -cp bench/target/hsm-kms-bench.jar
 * org.hsmkms.bench.MandatoryCost [seconds per step] [bound req/s] [cores]}.
 */
public final class MandatoryCost {
  private static final String AKID = "AKIDMANDATORYCOST01";
  private static final String ACCOUNT = "111122223333";
  private static final String KEY_ARN =
      "arn:aws:kms:us-east-1:" + ACCOUNT + ":key/8a1c1f2e-6b7d-4c3e-9f10-1234567890ab";
  private static final String REQUEST_ID = "0f5c2e7a-3b1d-4c8e-9a6f-2d4b8c1e7f30";
  private static final String BODY =
      "{\"KeyId\":\""
          + KEY_ARN
          + "\",\"KeySpec\":\"AES_256\",\"EncryptionContext\":{\"purpose\":\"bench\"}}";
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /** One measured step; must return something that depends on its work. */
  @FunctionalInterface
  interface Step {
    Object run() throws Exception;
  }

  private MandatoryCost() {}

  public static void main(String[] args) throws Exception {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : 4;
    double bound = args.length > 1 ? Double.parseDouble(args[1]) : 0;
    int cores = args.length > 2 ? Integer.parseInt(args[2]) : 2;

    byte[] secret = "mandatory-cost-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    Instant now = Instant.parse("2026-12-02T12:00:00Z");
    SigV4Signer signer = new SigV4Signer(AKID, secret, "us-east-1", "kms", true);
    Credential credential =
        new Credential(AKID, ACCOUNT, "arn:aws:iam::" + ACCOUNT + ":user/bench-app", secret);
    SigV4Authenticator verifier =
        new SigV4Authenticator(
            "kms", id -> AKID.equals(id) ? credential : null, Clock.fixed(now, ZoneOffset.UTC));
    byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
    SignedRequest request = signed(signer, body, now);

    ObjectMapper mapper = new ObjectMapper();
    ModelValidator model = ModelValidator.load(mapper);
    Map<String, Object> answer = new LinkedHashMap<>();
    byte[] blob = new byte[184];
    new SecureRandom().nextBytes(blob);
    answer.put("CiphertextBlob", blob);
    answer.put("KeyId", KEY_ARN);
    answer.put("Plaintext", new byte[32]);
    answer.put("KeyMaterialId", "a".repeat(64));

    Path dir = Files.createTempDirectory("hsm-kms-mandatory-cost");
    try (FileAuditTrail trail =
        new FileAuditTrail(
            dir.resolve("audit.log"),
            100L * 1024 * 1024,
            4,
            0,
            false,
            true,
            new MemoryChainKeys(),
            Clock.systemUTC())) {
      System.out.println(
          "work every signed GenerateDataKey needs beside HTTP and the HSM, one thread, "
              + seconds
              + " s per step (CPU time of the thread, bytes it allocated)");
      double sigv4 = report("SigV4 verification", seconds, () -> verifier.authenticate(request));
      double json =
          report(
              "JSON: read, checked against the model, answer written",
              seconds,
              () -> {
                JsonNode node = mapper.readTree(body);
                model.validate("GenerateDataKey", node);
                return mapper.writeValueAsBytes(answer);
              });
      double audit =
          report(
              "audit record: chained (HMAC-SHA256) and appended (write(2), no fsync)",
              seconds,
              () -> {
                trail.write(record());
                return trail;
              });
      double sum = sigv4 + json + audit;
      System.out.printf(Locale.ROOT, "  %-62s %7.2f us%n", "sum", sum);
      if (bound > 0) {
        double allowed = (1 / 0.9 - 1) * cores / bound * 1e6;
        System.out.printf(
            Locale.ROOT,
            "at 90%% of a bound of %.0f req/s on %d cores the service may add %.2f us of CPU per"
                + " request; these steps alone take %.2f us, so at most %.1f%% of the bound%n",
            bound,
            cores,
            allowed,
            sum,
            100 * (cores / bound * 1e6) / (cores / bound * 1e6 + sum));
      }
    } finally {
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  private static AuditRecord record() {
    return new AuditRecord(
        Instant.now(),
        // The service makes the request id on the event loop, before the audit step.
        REQUEST_ID,
        "GenerateDataKey",
        "arn:aws:iam::" + ACCOUNT + ":user/bench-app",
        ACCOUNT,
        AKID,
        "us-east-1",
        "127.0.0.1",
        List.of(KEY_ARN),
        List.of("purpose"),
        List.of("kms:GenerateDataKey " + KEY_ARN + " allow key-policy"),
        AuditRecord.SUCCESS,
        null,
        200,
        0);
  }

  /**
   * Microseconds of this thread's CPU per run of {@code step}, after as long a warm-up; printed
   * with the bytes it allocates per run.
   */
  private static double report(String name, long seconds, Step step) throws Exception {
    measure(step, seconds);
    long id = Thread.currentThread().getId();
    long allocated = THREADS.getThreadAllocatedBytes(id);
    long[] runs = new long[1];
    double us = measure(step, seconds, runs);
    double bytes = (double) (THREADS.getThreadAllocatedBytes(id) - allocated) / runs[0];
    System.out.printf(Locale.ROOT, "  %-62s %7.2f us %8.0f B%n", name, us, bytes);
    return us;
  }

  private static double measure(Step step, long seconds) throws Exception {
    return measure(step, seconds, new long[1]);
  }

  private static double measure(Step step, long seconds, long[] runs) throws Exception {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    long cpu = THREADS.getCurrentThreadCpuTime();
    long n = 0;
    int sink = 0;
    while (System.nanoTime() < end) {
      for (int i = 0; i < 256; i++) {
        sink += System.identityHashCode(step.run()) & 1;
      }
      n += 256;
    }
    long used = THREADS.getCurrentThreadCpuTime() - cpu;
    runs[0] = n;
    if (sink < 0) {
      System.out.println(sink);
    }
    return used / 1000.0 / n;
  }

  /** A request as the server sees it: the signer's headers, names in lower case. */
  private static SignedRequest signed(SigV4Signer signer, byte[] body, Instant at) {
    Map<String, String> kms = new LinkedHashMap<>();
    kms.put("Content-Type", "application/x-amz-json-1.1");
    kms.put("X-Amz-Target", "TrentService.GenerateDataKey");
    Map<String, String> sent = new LinkedHashMap<>(kms);
    sent.put("Host", "127.0.0.1:4599");
    sent.put("Content-Length", Integer.toString(body.length));
    sent.putAll(signer.sign("POST", "127.0.0.1:4599", "/", kms, body, at));
    Map<String, List<String>> headers = new LinkedHashMap<>();
    sent.forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.of(v)));
    return new SignedRequest("POST", "/", null, headers, body);
  }
}
