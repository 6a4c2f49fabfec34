package org.hsmkms.hsm.pkcs11;

import java.util.function.LongSupplier;
import org.hsmkms.hsm.AsymmetricDecryption;
import org.hsmkms.hsm.DataKeyPairSource;
import org.hsmkms.hsm.HsmStatus;
import org.hsmkms.hsm.KeyAgreement;
import org.hsmkms.hsm.KeyImport;
import org.hsmkms.hsm.KeyInventory;
import org.hsmkms.hsm.Mac;
import org.hsmkms.hsm.PublicKeys;
import org.hsmkms.hsm.RandomSource;
import org.hsmkms.hsm.ServiceKeys;
import org.hsmkms.hsm.Signing;
import org.hsmkms.hsm.SymmetricEncryption;
import org.hsmkms.hsm.pkcs11.KeyHandles.Owner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.PKCS11Module;

/**
 * A PKCS#11 token opened for the service, through the IAIK wrapper: the loaded module, the token
 * and its login, a bounded session pool run by a {@link SessionExecutor}, and one room per
 * operation family, each handed to its client as a small role interface ({@link
 * SymmetricEncryption}, {@link Signing}, {@link KeyInventory}, ...). Nothing above this package
 * sees sessions, handles or Cryptoki constants.
 *
 * <p>Security: CMKs are generated as {@code CKA_TOKEN}, {@code CKA_SENSITIVE}, {@code CKA_PRIVATE},
 * never {@code CKA_EXTRACTABLE}, with {@code CKA_ALLOWED_MECHANISMS} where the token knows it.
 * Objects are found by id and label together. The PIN is held only to log in again and zeroed on
 * close; it and key values are never logged.
 */
public final class Pkcs11Hsm implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Pkcs11Hsm.class);

  /** Set to "false" to keep AES-GCM on the IAIK wrapper (tests compare both layers). */
  public static final String JDK_GCM_PROPERTY = "hsmkms.pkcs11.jdkGcm";

  /** Benchmarks only: microseconds added to every PKCS#11 call ({@link CallLatency}). */
  public static final String LATENCY_MICROS_PROPERTY = "hsmkms.bench.pkcs11LatencyMicros";

  private final PKCS11Module module;
  private final LoggedInToken token;
  private final SessionExecutor executor;
  private final WorkingCopies copies;
  private final WorkingCopyCheck copyCheck;
  private final TokenRandom random;
  private final GcmLayer gcm;
  private final Pkcs11AesGcm symmetric;
  private final Pkcs11Signatures signatures;
  private final Pkcs11RsaDecryption rsa;
  private final Pkcs11KeyAgreement keyAgreement;
  private final Pkcs11Mac mac;
  private final Pkcs11KeyInventory inventory;
  private final Pkcs11ServiceKeys serviceKeys;
  private final DataKeyPairKeeper dataKeyPairs;
  private final Pkcs11Diagnostics diagnostics;
  private final Pkcs11KeyImport keyImport;
  private final Pkcs11Status status;

  private Pkcs11Hsm(
      PKCS11Module module,
      LoggedInToken token,
      Pkcs11Settings settings,
      GcmLayer chosenGcm,
      LongSupplier ticker) {
    this.module = module;
    this.token = token;
    KeyHandles handles = new KeyHandles();
    this.executor =
        new SessionExecutor(
            token,
            new SessionPool(
                token.token(), settings.sessions(), settings.sessionWaitMillis(), token.latency()),
            handles);
    this.copies = new WorkingCopies(token::openLoggedIn, settings.workingCopies(), ticker);
    this.copyCheck = new WorkingCopyCheck(copies, executor, handles);
    this.gcm = token.latency().gcm(chosenGcm);
    this.random = new TokenRandom(executor);
    this.symmetric = new Pkcs11AesGcm(executor, handles, copies, random, gcm, Owner.CMK);
    this.signatures = new Pkcs11Signatures(executor, handles);
    this.rsa = new Pkcs11RsaDecryption(executor, handles);
    this.keyAgreement = new Pkcs11KeyAgreement(executor, handles);
    this.mac = new Pkcs11Mac(executor, handles, Owner.CMK);
    this.inventory = new Pkcs11KeyInventory(executor, handles, copies);
    this.serviceKeys =
        new Pkcs11ServiceKeys(
            inventory,
            new Pkcs11AesGcm(executor, handles, null, random, gcm, Owner.SERVICE),
            new Pkcs11Mac(executor, handles, Owner.SERVICE));
    this.dataKeyPairs = new DataKeyPairKeeper(executor, token);
    this.diagnostics = new Pkcs11Diagnostics(executor, handles, copies, gcm);
    this.keyImport = new Pkcs11KeyImport(executor, handles);
    this.status = new Pkcs11Status(executor, copies);
  }

  /**
   * The layer for AES-GCM, chosen by trying it ({@link GcmLayerChoice}); stops start-up when the
   * token cannot do AES-GCM as the service needs.
   */
  private static GcmLayer aesGcmLayer(LoggedInToken token, String modulePath) {
    JdkGcm jdk =
        "false".equals(System.getProperty(JDK_GCM_PROPERTY)) ? null : JdkGcm.load(modulePath);
    return GcmLayerChoice.choose(token, modulePath, jdk);
  }

  /**
   * Loads the module, finds the token by label, chooses the AES-GCM layer by trying it and checks
   * the token's mechanisms (stopping with a message that names what is missing), and logs in.
   */
  public static Pkcs11Hsm open(Pkcs11Settings settings) {
    return open(settings, System::nanoTime);
  }

  /**
   * Like {@link #open(Pkcs11Settings)}, with the time source of the working copies' eviction (tests
   * move it instead of sleeping).
   */
  public static Pkcs11Hsm open(Pkcs11Settings settings, LongSupplier nanoTicker) {
    WrapperLogger.install();
    PKCS11Module module = LoadedModules.acquire(settings.modulePath());
    LoggedInToken token = null;
    Pkcs11Hsm hsm = null;
    try {
      token =
          LoggedInToken.find(
              module, settings.tokenLabel(), settings.userPin(), CallLatency.fromSystemProperty());
      GcmLayer gcm = aesGcmLayer(token, settings.modulePath());
      MechanismCheck.check(token.token(), settings.modulePath());
      hsm = new Pkcs11Hsm(module, token, settings, gcm, nanoTicker);
      LoggedInToken t = token;
      hsm.executor.call(
          "C_Login",
          s -> {
            t.login(s);
            return null;
          });
      hsm.copyCheck.start();
      LOG.info(
          "HSM ready: token '{}' through {} (AES-GCM through the {} layer)",
          settings.tokenLabel(),
          settings.modulePath(),
          gcm.name());
      return hsm;
    } catch (RuntimeException e) {
      if (hsm != null) {
        hsm.close(); // closes the token and gives the module back
      } else {
        if (token != null) {
          token.close();
        }
        LoadedModules.release(module);
      }
      throw e;
    }
  }

  /** AES-GCM under CMKs. */
  public SymmetricEncryption symmetric() {
    return symmetric;
  }

  /** The token's RNG. */
  public RandomSource random() {
    return random;
  }

  public Signing signing() {
    return signatures;
  }

  public PublicKeys publicKeys() {
    return signatures;
  }

  public AsymmetricDecryption asymmetricDecryption() {
    return rsa;
  }

  public KeyAgreement keyAgreement() {
    return keyAgreement;
  }

  public Mac mac() {
    return mac;
  }

  public KeyInventory inventory() {
    return inventory;
  }

  /** Wrapping keys and the unwrapping of imported key material. */
  public KeyImport keyImport() {
    return keyImport;
  }

  public ServiceKeys serviceKeys() {
    return serviceKeys;
  }

  public DataKeyPairSource dataKeyPairs() {
    return dataKeyPairs;
  }

  /** Readiness and the numbers of the session pool and working copies, for monitoring. */
  public HsmStatus status() {
    return status;
  }

  /** For tests and operators' tools only; the service never uses it. */
  public Pkcs11Diagnostics diagnostics() {
    return diagnostics;
  }

  /**
   * Stops the background check, drops pregenerated pairs and working copies, waits for sessions
   * still in use, zeroes the PIN and gives the module back (the last user finalizes it).
   */
  @Override
  public void close() {
    dataKeyPairs.close();
    copyCheck.close();
    copies.close();
    random.close();
    executor.close();
    token.close();
    LoadedModules.release(module);
  }
}
