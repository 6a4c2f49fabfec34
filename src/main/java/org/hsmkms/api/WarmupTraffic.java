package org.hsmkms.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.hsmkms.auth.SigV4Signer;

/**
 * The requests of the start-up warm-up: real HTTP requests, SigV4-signed, over keep-alive
 * connections to a listener of the service on loopback, so that every link of the request path
 * (Netty, the handlers, SigV4, JSON, validation, authorization with a key policy, the work queues,
 * the HSM, the audit recorder) runs as it will for clients. First a key (with a key policy and a
 * tag condition, as a realistic one has), then a closed loop of a mix of operations on it until a
 * time or a count is reached.
 *
 * <p>Each distinct request is signed once and sent again as it is (the server accepts a replay
 * while its signature is fresh), so that the CPU goes to the server's code, not to the signing.
 *
 * <p>Security: the caller gives the signer of a credential that exists only in memory for the
 * warm-up; the bodies hold no secret (the data keys in the answers are dropped unread).
 */
public final class WarmupTraffic {
  /** The tag the key policy asks of the key (aws:ResourceTag), as the bench's policy does. */
  static final String TAG_KEY = "purpose";

  static final String TAG_VALUE = "warm-up";

  /** The encryption context the key policy asks (kms:EncryptionContext). */
  private static final String CONTEXT = "{\"purpose\":\"warm-up\"}";

  private final Vertx vertx;
  private final SigV4Signer signer;
  private final int port;

  /**
   * @param port the port of the warm-up listener on 127.0.0.1
   */
  public WarmupTraffic(Vertx vertx, SigV4Signer signer, int port) {
    this.vertx = vertx;
    this.signer = signer;
    this.port = port;
  }

  /** What the warm-up did: the key it created (null if none) and how many requests went well. */
  public record Result(String keyId, long succeeded, long failed, long millis) {}

  /**
   * The key policy of the warm-up key: the account root administers it; {@code user} may use it for
   * cryptography with the warm-up's encryption context on a key with the warm-up tag; a Deny
   * statement is evaluated and never applies.
   */
  public static String keyPolicy(String account, String user) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":["
        + "{\"Sid\":\"Enable IAM User Permissions\",\"Effect\":\"Allow\","
        + "\"Principal\":{\"AWS\":\"arn:aws:iam::"
        + account
        + ":root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"},"
        + "{\"Sid\":\"Allow use of the key\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
        + user
        + "\"},\"Action\":[\"kms:Encrypt\",\"kms:Decrypt\",\"kms:GenerateDataKey*\"],"
        + "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{"
        + "\"kms:EncryptionContext:purpose\":\"warm-up\","
        + "\"aws:ResourceTag/"
        + TAG_KEY
        + "\":\""
        + TAG_VALUE
        + "\"}}},"
        + "{\"Sid\":\"Deny another context\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},"
        + "\"Action\":\"kms:Decrypt\",\"Resource\":\"*\",\"Condition\":{\"Null\":{"
        + "\"kms:EncryptionContext:forbidden\":\"false\"}}}]}";
  }

  /**
   * Creates the key with {@code keyPolicy}, then sends the mix with {@code concurrency} requests in
   * flight until {@code maxMillis} have passed since the mix began or {@code maxRequests} were
   * sent. Blocks; call it off the event loop.
   *
   * @throws IllegalStateException if the key cannot be created or used at all (the warm-up failed)
   */
  public Result run(String keyPolicy, int maxMillis, int maxRequests, int concurrency)
      throws Exception {
    HttpClientAgent client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(port)
                .setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(concurrency));
    long start = System.nanoTime();
    try {
      String createKey =
          "{\"Policy\":"
              + Json.MAPPER.writeValueAsString(keyPolicy)
              + ",\"BypassPolicyLockoutSafetyCheck\":true,\"Tags\":[{\"TagKey\":\""
              + TAG_KEY
              + "\",\"TagValue\":\""
              + TAG_VALUE
              + "\"}]}";
      String keyId =
          await(send(client, signed("CreateKey", createKey)))
              .path("KeyMetadata")
              .path("KeyId")
              .asText(null);
      if (keyId == null) {
        throw new IllegalStateException("the warm-up key was not created");
      }
      try {
        String key = "\"KeyId\":\"" + keyId + "\"";
        String ctx = "\"EncryptionContext\":" + CONTEXT;
        JsonNode dataKey =
            await(
                send(
                    client,
                    signed(
                        "GenerateDataKey", "{" + key + ",\"KeySpec\":\"AES_256\"," + ctx + "}")));
        String blob = dataKey.path("CiphertextBlob").asText(null);
        if (blob == null) {
          throw new IllegalStateException("the warm-up key could not be used");
        }
        List<Signed> mix = mix(key, ctx, blob);
        // The bound is the loop's: the first requests of a cold process take what they take.
        long[] counts = loop(client, mix, System.nanoTime(), maxMillis, maxRequests, concurrency);
        return new Result(
            keyId, counts[0], counts[1], TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      } catch (Exception e) {
        // The caller removes the key: it learns its id from this exception.
        throw new KeyCreated(keyId, e);
      }
    } finally {
      client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** A failure after the warm-up key was created: the caller still removes it. */
  public static final class KeyCreated extends Exception {
    private static final long serialVersionUID = 1L;
    private final String keyId;

    KeyCreated(String keyId, Exception cause) {
      super("the warm-up failed after it created its key " + keyId, cause);
      this.keyId = keyId;
    }

    public String keyId() {
      return keyId;
    }
  }

  /** Half GenerateDataKey, a quarter Decrypt, and the others, as a typical envelope load. */
  private List<Signed> mix(String key, String ctx, String blob) {
    Signed generate =
        signed("GenerateDataKey", "{" + key + ",\"KeySpec\":\"AES_256\"," + ctx + "}");
    Signed decrypt =
        signed("Decrypt", "{" + key + ",\"CiphertextBlob\":\"" + blob + "\"," + ctx + "}");
    Signed encrypt = signed("Encrypt", "{" + key + ",\"Plaintext\":\"d2FybS11cA==\"," + ctx + "}");
    Signed withoutPlaintext =
        signed("GenerateDataKeyWithoutPlaintext", "{" + key + ",\"NumberOfBytes\":32," + ctx + "}");
    Signed random = signed("GenerateRandom", "{\"NumberOfBytes\":32}");
    List<Signed> mix = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      mix.add(generate);
    }
    for (int i = 0; i < 5; i++) {
      mix.add(decrypt);
    }
    mix.add(encrypt);
    mix.add(encrypt);
    mix.add(withoutPlaintext);
    mix.add(withoutPlaintext);
    mix.add(random);
    return mix;
  }

  /** Keeps {@code concurrency} requests in flight until a bound is reached; {succeeded, failed}. */
  private long[] loop(
      HttpClientAgent client,
      List<Signed> mix,
      long start,
      int maxMillis,
      int maxRequests,
      int concurrency)
      throws Exception {
    long deadline = start + TimeUnit.MILLISECONDS.toNanos(maxMillis);
    AtomicInteger sent = new AtomicInteger();
    AtomicLong succeeded = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicInteger running = new AtomicInteger(concurrency);
    Promise<Void> done = Promise.promise();
    for (int i = 0; i < concurrency; i++) {
      next(client, mix, deadline, maxRequests, sent, succeeded, failed, running, done);
    }
    done.future()
        .toCompletionStage()
        .toCompletableFuture()
        .get(maxMillis + 30_000L, TimeUnit.MILLISECONDS);
    return new long[] {succeeded.get(), failed.get()};
  }

  private void next(
      HttpClientAgent client,
      List<Signed> mix,
      long deadline,
      int maxRequests,
      AtomicInteger sent,
      AtomicLong succeeded,
      AtomicLong failed,
      AtomicInteger running,
      Promise<Void> done) {
    int n = sent.getAndIncrement();
    if (n >= maxRequests || System.nanoTime() - deadline >= 0) {
      if (running.decrementAndGet() == 0) {
        done.tryComplete();
      }
      return;
    }
    status(client, mix.get(n % mix.size()))
        .onComplete(
            answer -> {
              (answer.succeeded() && answer.result() == 200 ? succeeded : failed).incrementAndGet();
              next(client, mix, deadline, maxRequests, sent, succeeded, failed, running, done);
            });
  }

  /** One request, signed once, with the headers to send it with. */
  private record Signed(String target, Buffer body, Map<String, String> headers) {}

  private Signed signed(String operation, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/x-amz-json-1.1");
    headers.put("X-Amz-Target", "TrentService." + operation);
    headers.putAll(signer.sign("POST", "127.0.0.1:" + port, "/", headers, bytes, Instant.now()));
    return new Signed(operation, Buffer.buffer(bytes), headers);
  }

  /** Sends one request of the loop: its answer's status, the body read and dropped. */
  private static Future<Integer> status(HttpClientAgent client, Signed request) {
    return client
        .request(options(request))
        .compose(r -> r.send(request.body()))
        .compose(response -> response.body().map(body -> response.statusCode()));
  }

  private static RequestOptions options(Signed request) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI("/");
    request.headers().forEach(options::addHeader);
    return options;
  }

  /** Sends one request and reads its answer; fails unless the answer is HTTP 200. */
  private static Future<JsonNode> send(HttpClientAgent client, Signed request) {
    return client
        .request(options(request))
        .compose(r -> r.send(request.body()))
        .compose(
            response ->
                response
                    .body()
                    .map(
                        body -> {
                          if (response.statusCode() != 200) {
                            throw new IllegalStateException(
                                request.target() + " answered HTTP " + response.statusCode());
                          }
                          try {
                            return Json.MAPPER.readTree(body.getBytes());
                          } catch (java.io.IOException e) {
                            throw new IllegalStateException(request.target() + ": not JSON", e);
                          }
                        }));
  }

  private static JsonNode await(Future<JsonNode> answer) throws Exception {
    return answer.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
