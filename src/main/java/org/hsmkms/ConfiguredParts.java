package org.hsmkms;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import org.hsmkms.audit.AuditTrail;
import org.hsmkms.audit.FileAuditTrail;
import org.hsmkms.audit.HsmChainKeys;
import org.hsmkms.auth.CredentialStore;
import org.hsmkms.auth.SecretSealer;
import org.hsmkms.config.Audit;
import org.hsmkms.config.Config;
import org.hsmkms.config.Quotas;
import org.hsmkms.config.Work;
import org.hsmkms.hsm.KeyPairType;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.kms.KeySpec;
import org.hsmkms.kms.ResourceQuotas;
import org.hsmkms.quota.RequestQuotas;
import org.hsmkms.work.WorkQueues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root's parts made from one section of the configuration each: the check of the
 * KMS listener's address, the access keys, the audit trail and the sizes of the data key pair
 * pools, which {@link Application#start} uses as it opens the service.
 *
 * <p>Security: plain HTTP is refused off loopback unless configured in so many words; the access
 * keys' secrets in the credentials file are sealed under the HSM's credentials service key.
 */
final class ConfiguredParts {
  // Application's logger: operators' logging configuration names the composition root.
  private static final Logger LOG = LoggerFactory.getLogger(Application.class);

  private ConfiguredParts() {}

  /**
   * Plain HTTP only on loopback, unless the configuration says otherwise in so many words: SigV4
   * protects integrity but not confidentiality, and plaintext data keys travel in the answers.
   */
  static void checkListener(Config.Server server) {
    if (server.tls() != null || server.allowPlainHttp()) {
      return;
    }
    boolean loopback;
    try {
      loopback = InetAddress.getByName(server.host()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("server.host " + server.host() + " does not resolve");
    }
    if (!loopback) {
      throw new IllegalArgumentException(
          "refusing plain HTTP on "
              + server.host()
              + ", which is not a loopback address: configure server.tls (certificateFile,"
              + " privateKeyFile), or set server.allowPlainHttp: true if a TLS proxy in front of"
              + " the service protects the traffic");
    }
  }

  /** The access keys, loaded; null (every request refused) when no file is configured. */
  static CredentialStore credentialStore(Config config, Pkcs11Hsm hsm) {
    if (config.credentials() == null) {
      LOG.warn("no credentials file configured: every request is refused");
      return null;
    }
    CredentialStore c =
        new CredentialStore(
            Path.of(config.credentials().file()), new SecretSealer(hsm.serviceKeys()));
    c.load();
    return c;
  }

  /**
   * The audit trail the configuration asks for, or the disabled one. Its MAC chain is keyed by the
   * HSM's audit service key, made on first use.
   */
  static AuditTrail auditTrail(Config config, Pkcs11Hsm hsm) {
    Audit a = config.audit();
    if (a == null || !a.enabled()) {
      LOG.warn("audit trail disabled by configuration");
      return AuditTrail.disabled();
    }
    return new FileAuditTrail(
        Path.of(a.file()),
        a.maxFileBytes(),
        a.maxFiles(),
        a.maxAgeDays(),
        a.fsync(),
        a.failClosed(),
        HsmChainKeys.open(hsm.serviceKeys()),
        Clock.systemUTC());
  }

  /** The pool size of each key pair type, from the configured KeyPairSpec names. */
  /**
   * The executors of the classes of work, with the shares of the HSM sessions and the queue bounds
   * the configuration gives (config/Work.java).
   */
  static WorkQueues workQueues(Config config) {
    Work w = config.work();
    Work.Shares shares =
        w.shares(config.hsm().sessions(), Runtime.getRuntime().availableProcessors());
    LOG.info(
        "work classes: fast {} threads, slow {}, background {} (of {} HSM sessions)",
        shares.fast(),
        shares.slow(),
        shares.background(),
        config.hsm().sessions());
    if (shares.oversubscribed()) {
      LOG.warn(
          "hsm.sessions ({}) is too small to give each class of work its own sessions; "
              + "give at least {} for isolation",
          config.hsm().sessions(),
          shares.fast() + shares.slow() + shares.background());
    }
    return new WorkQueues(
        new WorkQueues.Bounds(shares.fast(), w.fastQueuePerAccount(), w.fastQueueBound()),
        new WorkQueues.Bounds(shares.slow(), w.slowQueuePerAccount(), w.slowQueueBound()),
        shares.background());
  }

  static Map<KeyPairType, Integer> poolSizes(Config.DataKeyPairs config) {
    Map<KeyPairType, Integer> sizes = new EnumMap<>(KeyPairType.class);
    config
        .poolSizes()
        .forEach(
            (spec, size) ->
                KeySpec.of(spec)
                    .filter(KeySpec::isAsymmetric)
                    .ifPresent(s -> sizes.put(s.keyPairType(), size)));
    return sizes;
  }

  /** The resource quotas ({@code quotas}). */
  static ResourceQuotas resourceQuotas(Quotas q) {
    return new ResourceQuotas(
        q.keysPerAccount(),
        q.aliasesPerKey(),
        q.grantsPerKey(),
        q.tagsPerKey(),
        q.keyPolicyBytes());
  }

  /** The request quotas ({@code quotas}), or null when they are off. */
  static RequestQuotas requestQuotas(Quotas q) {
    return q.enabled() ? new RequestQuotas(q.scale(), q.perAccessKey(), q.accounts()) : null;
  }
}
