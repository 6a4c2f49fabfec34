package org.hsmkms;

import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Function;
import org.hsmkms.api.KmsApi;
import org.hsmkms.api.KmsHttpServer;
import org.hsmkms.api.WarmupTraffic;
import org.hsmkms.audit.AuditTrail;
import org.hsmkms.auth.Credential;
import org.hsmkms.auth.SigV4Authenticator;
import org.hsmkms.auth.SigV4Signer;
import org.hsmkms.authz.PolicyDocument;
import org.hsmkms.authz.PolicyKind;
import org.hsmkms.config.Config;
import org.hsmkms.config.Warmup;
import org.hsmkms.kms.KeyUsageTracker;
import org.hsmkms.kms.ServiceKeyRemoval;
import org.hsmkms.monitoring.ServiceMetrics;
import org.hsmkms.store.MetadataStore;
import org.hsmkms.work.WorkQueues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up warm-up (config {@code warmup}): before the KMS listener opens and before readiness
 * turns true, the service sends itself a few seconds of signed requests, so that the JIT compiler
 * has compiled the request path before clients come (on two cores it otherwise competes with them
 * for most of a minute; docs/performance.md, "Full speed from the start").
 *
 * <p>The requests go through a second {@link KmsHttpServer} on an ephemeral loopback port, over the
 * same code, HSM, store, key authorization and work queues as the public one, but with parts of its
 * own where a request would leave a trace: a trail that records nothing, meters that nobody
 * scrapes, request quotas of its own, and a key-usage tracker that is never written. The public
 * listener is not open yet, so no client shares it, and readiness still says {@code starting}.
 *
 * <p>Security: the caller is a non-admin principal of an account that no credential maps to (12
 * random digits, checked to have no key in the store: several nodes sharing one store and HSM never
 * see each other's warm-up keys). Its access key and secret are random and exist in memory only,
 * known to the warm-up listener's authenticator alone, and unreachable once that listener is closed
 * when the warm-up ends; the public listener's credentials never include it. Its one key is removed
 * afterwards: materials destroyed in the HSM, rows deleted. A failure is logged and the service
 * starts cold; a broken HSM is the start-up checks' to report.
 */
final class StartupWarmup {
  private static final Logger LOG = LoggerFactory.getLogger(StartupWarmup.class);

  /** How long the warm-up listener may take to finish its last requests. */
  private static final Duration DRAIN = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final WorkQueues work;
  private final Config config;
  private final Clock clock;
  private final int eventLoops;
  private final SecureRandom random = new SecureRandom();

  StartupWarmup(Vertx vertx, WorkQueues work, Config config, Clock clock, int eventLoops) {
    this.vertx = vertx;
    this.work = work;
    this.config = config;
    this.clock = clock;
    this.eventLoops = eventLoops;
  }

  /**
   * What the warm-up did, for the log and tests: how many requests succeeded and failed, how long
   * it took, when it ended ({@link System#nanoTime()}), the access key id it used (not secret), and
   * its failure if it failed.
   */
  record Outcome(
      long succeeded,
      long failed,
      long millis,
      long endedNanos,
      String accessKeyId,
      String error) {}

  /**
   * Runs the warm-up (when configured) and answers what it did; never throws.
   *
   * @param apis the KMS services over the service's open parts, given a key-usage tracker
   * @param removal removes the warm-up's key
   */
  Optional<Outcome> run(
      Function<KeyUsageTracker, KmsApi> apis, MetadataStore store, ServiceKeyRemoval removal) {
    Warmup w = config.warmup();
    if (!w.runs()) {
      return Optional.empty();
    }
    try {
      return Optional.of(warmUp(w, apis, store, removal));
    } catch (RuntimeException e) {
      LOG.warn("the warm-up failed, starting cold: {}", e.toString());
      return Optional.of(new Outcome(0, 0, 0, System.nanoTime(), null, e.toString()));
    }
  }

  private Outcome warmUp(
      Warmup w,
      Function<KeyUsageTracker, KmsApi> apis,
      MetadataStore store,
      ServiceKeyRemoval removal) {
    String account = freeAccount(store);
    String region = config.defaultRegion();
    String principal = "arn:aws:iam::" + account + ":user/hsm-kms-warm-up";
    String accessKeyId = "AKIDWARMUP" + HexFormat.of().withUpperCase().formatHex(bytes(10));
    byte[] secret = HexFormat.of().formatHex(bytes(32)).getBytes(StandardCharsets.US_ASCII);
    Credential credential = new Credential(accessKeyId, account, principal, secret);
    SigV4Signer signer = new SigV4Signer(accessKeyId, secret, region, "kms", true);
    Arrays.fill(secret, (byte) 0);
    // kms:GenerateRandom is decided by the identity policy alone, CreateKey too; every key action
    // comes from the key policy, as for a non-admin application principal.
    PolicyDocument identity =
        PolicyDocument.parse(
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                + "[\"kms:CreateKey\",\"kms:TagResource\",\"kms:GenerateRandom\"],"
                + "\"Resource\":\"*\"}]}",
            PolicyKind.IDENTITY_POLICY);
    ServiceMetrics unseen = new ServiceMetrics();
    KmsHttpServer http =
        new KmsHttpServer(
            vertx,
            work,
            new SigV4Authenticator(
                "kms", id -> accessKeyId.equals(id) ? credential : null, Clock.systemUTC()),
            p -> principal.equals(p) ? Optional.of(identity) : Optional.empty(),
            clock,
            apis.apply(new KeyUsageTracker(store, clock)),
            config.server().maxBodyBytes(),
            AuditTrail.disabled(),
            eventLoops,
            unseen,
            ConfiguredParts.requestQuotas(config.quotas()),
            config.connections());
    String keyId = null;
    String error = null;
    WarmupTraffic.Result result = null;
    long start = System.nanoTime();
    try {
      int port =
          http.listen("127.0.0.1", 0, null, null).toCompletionStage().toCompletableFuture().join();
      result =
          new WarmupTraffic(vertx, signer, port)
              .run(
                  WarmupTraffic.keyPolicy(account, principal),
                  w.maxMillis(),
                  w.maxRequests(),
                  w.concurrency());
      keyId = result.keyId();
    } catch (WarmupTraffic.KeyCreated e) {
      keyId = e.keyId();
      error = String.valueOf(e.getCause());
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      error = e.toString();
    } finally {
      try {
        http.drain(DRAIN);
      } catch (Exception e) {
        LOG.warn("the warm-up listener did not close cleanly: {}", e.toString());
      }
      unseen.close();
      // The listener is closed: nothing signs or verifies with the warm-up's secret any more.
      signer.destroy();
      credential.destroy();
    }
    if (keyId != null) {
      try {
        removal.remove(account, keyId);
      } catch (RuntimeException e) {
        LOG.warn(
            "the warm-up key {} of account {} could not be removed: {}",
            keyId,
            account,
            e.toString());
      }
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    Outcome outcome =
        new Outcome(
            result == null ? 0 : result.succeeded(),
            result == null ? 0 : result.failed(),
            millis,
            System.nanoTime(),
            accessKeyId,
            error);
    if (error != null) {
      LOG.warn("the warm-up failed, starting cold: {}", error);
    } else {
      LOG.info(
          "warmed up in {} ms: {} requests ({} failed)",
          millis,
          outcome.succeeded() + outcome.failed(),
          outcome.failed());
    }
    return outcome;
  }

  /** An account id of 12 random digits that has no key in the store. */
  private String freeAccount(MetadataStore store) {
    while (true) {
      StringBuilder id = new StringBuilder(12);
      for (int i = 0; i < 12; i++) {
        id.append((char) ('0' + random.nextInt(10)));
      }
      String account = id.toString();
      if (!account.equals(config.accountId())
          && store.countKeys(account, config.defaultRegion()) == 0) {
        return account;
      }
    }
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
