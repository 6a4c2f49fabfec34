package org.hsmkms;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.hsmkms.api.KmsHttpServer;
import org.hsmkms.auth.CredentialScopeAuthenticator;
import org.hsmkms.config.Config;
import org.hsmkms.hsm.Hsm;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.hsm.pkcs11.Pkcs11Settings;
import org.hsmkms.kms.Aliases;
import org.hsmkms.kms.CryptoOperations;
import org.hsmkms.kms.KeyManagement;
import org.hsmkms.kms.Keys;
import org.hsmkms.kms.Reconciler;
import org.hsmkms.store.MetadataStore;
import org.hsmkms.store.jdbc.JdbcMetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The assembled service: HSM, store, KMS services and HTTP endpoint. Start-up reconciles the store
 * with the token before the first request is served.
 */
public final class Application implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Application.class);

  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final Hsm hsm;
  private final MetadataStore store;
  private final Reconciler reconciler;
  private final KmsHttpServer http;
  private final int port;
  private final long deletionTimer;

  private Application(Config config, Hsm hsm, MetadataStore store, Clock clock) {
    this.hsm = hsm;
    this.store = store;
    Keys keys = new Keys(store);
    this.reconciler = new Reconciler(hsm, store, keys, clock);
    reconciler.reconcile();
    reconciler.deleteDueKeys();
    int sessions = config.hsm().sessions();
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(
        Math.max(2, Runtime.getRuntime().availableProcessors())));
    // The worker pool is as large as the HSM session pool: a larger one would only queue on it.
    this.workers = vertx.createSharedWorkerExecutor("hsm-kms-worker", sessions, 60,
        TimeUnit.SECONDS);
    this.http = new KmsHttpServer(vertx, workers,
        new CredentialScopeAuthenticator(config.accountId(), config.defaultRegion()),
        new KeyManagement(hsm, store, keys, clock), new Aliases(store, keys, clock),
        new CryptoOperations(hsm, store, keys), config.server().maxBodyBytes());
    this.port = http.listen(config.server().host(), config.server().port())
        .toCompletionStage().toCompletableFuture().join();
    long intervalMs = Math.max(1, config.deletion().checkIntervalSeconds()) * 1000;
    this.deletionTimer = vertx.setPeriodic(intervalMs, id -> workers.executeBlocking(
        reconciler::deleteDueKeys, false).onFailure(t -> LOG.error("deletion sweep failed", t)));
  }

  /**
   * Opens the HSM and the store and starts serving.
   *
   * @param pin the token user PIN; zeroed by this method
   */
  public static Application start(Config config, char[] pin, Clock clock) {
    Hsm hsm = null;
    MetadataStore store = null;
    try {
      Config.Hsm h = config.hsm();
      hsm = Pkcs11Hsm.open(new Pkcs11Settings(h.module(), h.tokenLabel(), pin, h.sessions(),
          h.sessionWaitMillis()));
      store = new JdbcMetadataStore(config.store().url());
      return new Application(config, hsm, store, clock);
    } catch (RuntimeException e) {
      if (store != null) {
        store.close();
      }
      if (hsm != null) {
        hsm.close();
      }
      throw e;
    } finally {
      Arrays.fill(pin, '\0');
    }
  }

  public int port() {
    return port;
  }

  /** The HSM adapter, for operators' tools and tests. */
  public Hsm hsm() {
    return hsm;
  }

  public MetadataStore store() {
    return store;
  }

  public Reconciler reconciler() {
    return reconciler;
  }

  @Override
  public void close() {
    vertx.cancelTimer(deletionTimer);
    try {
      http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      workers.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.warn("shutdown of the HTTP side did not finish cleanly: {}", e.toString());
    } finally {
      store.close();
      hsm.close();
    }
  }
}
