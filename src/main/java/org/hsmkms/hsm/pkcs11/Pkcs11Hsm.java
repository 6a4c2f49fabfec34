package org.hsmkms.hsm.pkcs11;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EXTRACTABLE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_ID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_LABEL;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_NEVER_EXTRACTABLE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_SENSITIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_TOKEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_VALUE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKD_NULL;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKG_MGF1_SHA1;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKG_MGF1_SHA256;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKG_MGF1_SHA384;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKG_MGF1_SHA512;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_GENERIC_SECRET;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_GCM;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_KEY_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_ECDH1_DERIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_ECDSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_EDDSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_GENERIC_SECRET_KEY_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS_OAEP;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS_PSS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_X_509;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA224_HMAC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA256;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA256_HMAC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA384;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA384_HMAC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA512;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA512_HMAC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA_1;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_PRIVATE_KEY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_PUBLIC_KEY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_SECRET_KEY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_AEAD_DECRYPT_FAILED;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_ARGUMENTS_BAD;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_CRYPTOKI_ALREADY_INITIALIZED;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_DATA_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_DATA_LEN_RANGE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_DEVICE_ERROR;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_DEVICE_REMOVED;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_ENCRYPTED_DATA_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_ENCRYPTED_DATA_LEN_RANGE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_GENERAL_ERROR;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_KEY_HANDLE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_MECHANISM_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_MECHANISM_PARAM_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_OBJECT_HANDLE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_SESSION_CLOSED;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_SESSION_HANDLE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_SIGNATURE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_SIGNATURE_LEN_RANGE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_TOKEN_NOT_PRESENT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_USER_ALREADY_LOGGED_IN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_USER_NOT_LOGGED_IN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKU_USER;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKZ_DATA_SPECIFIED;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.hsmkms.crypto.EcdsaSignatures;
import org.hsmkms.crypto.RsaOaep;
import org.hsmkms.hsm.ExportedKeyPair;
import org.hsmkms.hsm.Hsm;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.HsmException.Kind;
import org.hsmkms.hsm.KeyPairType;
import org.hsmkms.hsm.KeyPairUsage;
import org.hsmkms.hsm.MacScheme;
import org.hsmkms.hsm.PregeneratedKeyPair;
import org.hsmkms.hsm.SignatureScheme;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.KeyPairTemplate;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11KeyPair;
import org.xipki.pkcs11.wrapper.PKCS11Module;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.Slot;
import org.xipki.pkcs11.wrapper.Token;
import org.xipki.pkcs11.wrapper.params.ECDH1_DERIVE_PARAMS;
import org.xipki.pkcs11.wrapper.params.GCM_PARAMS;
import org.xipki.pkcs11.wrapper.params.RSA_PKCS_OAEP_PARAMS;
import org.xipki.pkcs11.wrapper.params.RSA_PKCS_PSS_PARAMS;

/**
 * {@link Hsm} over a PKCS#11 module through the IAIK wrapper.
 *
 * <p>Recovery is decided by {@code CKR_*} code: {@code USER_NOT_LOGGED_IN} logs in again; a dead
 * session ({@code SESSION_HANDLE_INVALID}, {@code SESSION_CLOSED}, {@code DEVICE_*}) is discarded
 * and the call retried once on a fresh one; a stale object handle is looked up again. Every other
 * failure is reported.
 *
 * <p>Security: CMKs are generated as {@code CKA_TOKEN}, {@code CKA_SENSITIVE}, {@code CKA_PRIVATE}
 * and never {@code CKA_EXTRACTABLE}. The PIN is held only to log in again and zeroed on close; it
 * and key values are never logged. Mechanisms are logged by name.
 */
public final class Pkcs11Hsm implements Hsm {
  private static final Logger LOG = LoggerFactory.getLogger(Pkcs11Hsm.class);

  /** Labels of our objects start with this, so reconciliation ignores foreign objects. */
  public static final String LABEL_PREFIX = "hsm-kms:";

  /** Labels of service keys (not CMKs, so not listed by {@link #listKeyIds()}). */
  public static final String SERVICE_LABEL_PREFIX = "hsm-kms-service:";

  private static final int GCM_IV_BYTES = 12;
  private static final int GCM_TAG_BITS = 128;

  private final PKCS11Module module;
  private final SessionPool pool;
  private final char[] pin;
  private final Map<String, Long> handles = new ConcurrentHashMap<>();

  /** Key pair types by material id: immutable for an id, so cached. */
  private final Map<String, KeyPairType> types = new ConcurrentHashMap<>();

  private final Object loginLock = new Object();
  private final Token token;

  /** Holds pregenerated data key pairs; used only under {@link #keeperLock}. */
  private final Object keeperLock = new Object();

  private Session keeperSession;
  private volatile long keeperEpoch;

  /** Session-object copies of AES keys, used for encryption and decryption. */
  private final WorkingCopies copies;

  /** IVs and symmetric data keys, a block from the token's RNG at a time. */
  private final RandomBuffer random = new RandomBuffer(RANDOM_BLOCK_BYTES);

  private static final int RANDOM_BLOCK_BYTES = 4096;

  /** AES-GCM through the JDK's PKCS#11 layer, or null for the IAIK wrapper (see {@link JdkGcm}). */
  private final JdkGcm gcm;

  /** Set to "false" to keep AES-GCM on the IAIK wrapper (tests compare both layers). */
  public static final String JDK_GCM_PROPERTY = "hsmkms.pkcs11.jdkGcm";

  /** Cleared once the token refuses CKM_RSA_PKCS_OAEP with SHA-256. */
  private volatile boolean nativeOaepSha256 = true;

  private static final String DATA_KEY_PAIR_LABEL = LABEL_PREFIX + "data-key-pair";
  private static final Object SERVICE_KEY_LOCK = new Object();

  private Pkcs11Hsm(PKCS11Module module, Token token, Pkcs11Settings settings) {
    this.module = module;
    this.token = token;
    this.pin = settings.userPin().clone();
    this.pool = new SessionPool(token, settings.sessions(), settings.sessionWaitMillis());
    this.copies = new WorkingCopies(this::openLoggedIn, settings.workingCopies());
    this.gcm =
        "false".equals(System.getProperty(JDK_GCM_PROPERTY))
            ? null
            : JdkGcm.load(settings.modulePath());
    if (copies.enabled()) {
      orphanCheck.scheduleWithFixedDelay(
          this::dropOrphanedCopies, ORPHAN_CHECK_MILLIS, ORPHAN_CHECK_MILLIS, MILLISECONDS);
    }
  }

  /** How often working copies are checked against their token objects. */
  public static final long ORPHAN_CHECK_MILLIS = 1000;

  private final java.util.concurrent.ScheduledExecutorService orphanCheck =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "hsm-kms-working-copy-check");
            t.setDaemon(true);
            return t;
          });

  /** Destroys working copies whose token object has been destroyed outside this service. */
  private void dropOrphanedCopies() {
    try {
      copies.dropOrphans(
          (id, tokenObject) ->
              call(
                  "C_GetAttributeValue(working copy original)",
                  s -> {
                    boolean same;
                    try {
                      AttributeVector a = s.getAttrValues(tokenObject, CKA_ID);
                      same = Arrays.equals(a.id(), HexFormat.of().parseHex(id));
                    } catch (PKCS11Exception e) {
                      long code = e.getErrorCode();
                      if (code != CKR_OBJECT_HANDLE_INVALID && code != CKR_KEY_HANDLE_INVALID) {
                        throw e;
                      }
                      same = false;
                    }
                    if (!same) {
                      // The cached handle names nothing, or another object: look the key up
                      // again on its next use.
                      handles.remove(id);
                    }
                    return same;
                  }));
    } catch (RuntimeException e) {
      LOG.debug("working copy check: {}", e.toString());
    }
  }

  /** Which JNI layer does AES-GCM: "jdk" or "iaik". */
  public String aesGcmLayer() {
    return gcm == null ? "iaik" : "jdk";
  }

  private Session openLoggedIn() throws PKCS11Exception {
    Session s = token.openSession(true);
    try {
      login(s);
    } catch (PKCS11Exception e) {
      closeQuietly(s);
      throw e;
    }
    return s;
  }

  /** Loads the module, finds the token by label and logs in. */
  public static Pkcs11Hsm open(Pkcs11Settings settings) {
    WrapperLogger.install();
    PKCS11Module module = acquire(settings.modulePath());
    try {
      Token token = findToken(module, settings.tokenLabel());
      Pkcs11Hsm hsm = new Pkcs11Hsm(module, token, settings);
      hsm.call(
          "C_Login",
          s -> {
            hsm.login(s);
            return null;
          });
      LOG.info("HSM ready: token '{}' through {}", settings.tokenLabel(), settings.modulePath());
      return hsm;
    } catch (RuntimeException e) {
      release(module);
      throw e;
    }
  }

  /**
   * One initialised module per library path in this process, counted, because Cryptoki is
   * initialised once per process and C_Finalize would end every other user's sessions.
   */
  private static final Map<String, PKCS11Module> MODULES = new java.util.HashMap<>();

  private static final Map<PKCS11Module, Integer> USERS = new java.util.IdentityHashMap<>();

  private static synchronized PKCS11Module acquire(String path) {
    PKCS11Module module = MODULES.get(path);
    if (module == null) {
      try {
        module = PKCS11Module.getInstance(path);
      } catch (IOException e) {
        throw new HsmException(Kind.UNAVAILABLE, "cannot load PKCS#11 module " + path, -1, e);
      }
      try {
        module.initialize();
      } catch (PKCS11Exception e) {
        if (e.getErrorCode() != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
          throw fail(Kind.UNAVAILABLE, "C_Initialize", e);
        }
      }
      MODULES.put(path, module);
    }
    USERS.merge(module, 1, Integer::sum);
    return module;
  }

  private static synchronized void release(PKCS11Module module) {
    int left = USERS.merge(module, -1, Integer::sum);
    if (left > 0) {
      return;
    }
    USERS.remove(module);
    MODULES.values().remove(module);
    try {
      module.finalize(null);
    } catch (PKCS11Exception e) {
      LOG.debug("C_Finalize: {}", e.getErrorName());
    }
  }

  private static Token findToken(PKCS11Module module, String label) {
    try {
      for (Slot slot : module.getSlotList(true)) {
        Token token = slot.getToken();
        if (label.equals(token.getTokenInfo().getLabel().trim())) {
          return token;
        }
      }
    } catch (PKCS11Exception e) {
      throw fail(Kind.UNAVAILABLE, "C_GetSlotList", e);
    }
    throw new HsmException(Kind.UNAVAILABLE, "no token labelled '" + label + "'");
  }

  private void login(Session s) throws PKCS11Exception {
    synchronized (loginLock) {
      try {
        s.login(CKU_USER, pin);
      } catch (PKCS11Exception e) {
        if (e.getErrorCode() != CKR_USER_ALREADY_LOGGED_IN) {
          throw e;
        }
      }
    }
  }

  @Override
  public void generateAesKey(byte[] materialId, String label) {
    generatePersistentAesKey(materialId, LABEL_PREFIX + label);
  }

  /**
   * An AES-256 token object for encryption and decryption only: private, sensitive, never
   * extractable. CMKs and the service's own keys are both made this way.
   *
   * <p>It is left modifiable ({@code CKA_MODIFIABLE=true}) so that the token can make a working
   * copy of it as a session object ({@link WorkingCopies}): a token copies no object that is not
   * modifiable. That gives nothing away: PKCS#11 lets {@code CKA_SENSITIVE} only be set and {@code
   * CKA_EXTRACTABLE} only be cleared, and the value of a sensitive key can never be set or read
   * (WorkingCopiesIT checks that the token refuses each change).
   */
  private void generatePersistentAesKey(byte[] id, String fullLabel) {
    AttributeVector template =
        AttributeVector.newAESSecretKey()
            .valueLen(32)
            .token(true)
            .private_(true)
            .sensitive(true)
            .extractable(false)
            .modifiable(true)
            .encrypt(true)
            .decrypt(true)
            .wrap(false)
            .unwrap(false)
            .sign(false)
            .verify(false)
            .derive(false)
            .id(id.clone())
            .label(fullLabel);
    call(
        "C_GenerateKey(CKM_AES_KEY_GEN)",
        s -> {
          handles.put(hex(id), s.generateKey(new Mechanism(CKM_AES_KEY_GEN), template));
          return null;
        });
  }

  @Override
  public boolean ensureServiceKey(byte[] keyId, String label) {
    // Serialised in this process (across instances) so that two callers cannot both create it.
    synchronized (SERVICE_KEY_LOCK) {
      if (keyExists(keyId)) {
        return false;
      }
      generatePersistentAesKey(keyId, SERVICE_LABEL_PREFIX + label);
      LOG.info("generated service key '{}{}' in the token", SERVICE_LABEL_PREFIX, label);
      return true;
    }
  }

  @Override
  public boolean keyExists(byte[] materialId) {
    return call(
        "C_FindObjects",
        s ->
            find(s, materialId, CKO_SECRET_KEY) != null
                || find(s, materialId, CKO_PRIVATE_KEY) != null);
  }

  @Override
  public List<byte[]> listKeyIds() {
    return call(
        "C_FindObjects",
        s -> {
          List<byte[]> ids = new ArrayList<>();
          for (long objectClass : new long[] {CKO_SECRET_KEY, CKO_PRIVATE_KEY}) {
            AttributeVector template = new AttributeVector().class_(objectClass).token(true);
            for (long h : s.findAllObjectsSingle(template)) {
              AttributeVector attrs = s.getAttrValues(h, CKA_ID, CKA_LABEL);
              String label = attrs.label();
              if (attrs.id() != null && label != null && label.startsWith(LABEL_PREFIX)) {
                ids.add(attrs.id());
              }
            }
          }
          return ids;
        });
  }

  @Override
  public void destroyKey(byte[] materialId) {
    call(
        "C_DestroyObject",
        s -> {
          for (long objectClass : new long[] {CKO_SECRET_KEY, CKO_PRIVATE_KEY, CKO_PUBLIC_KEY}) {
            Long h = find(s, materialId, objectClass);
            if (h != null) {
              s.destroyObject(h);
            }
          }
          copies.destroy(hex(materialId));
          handles.remove(hex(materialId));
          handles.remove("public:" + hex(materialId));
          types.remove(hex(materialId));
          return null;
        });
  }

  @Override
  public byte[] encryptAesGcm(byte[] materialId, byte[] plaintext, byte[] aad) {
    return call(
        "C_Encrypt(CKM_AES_GCM)",
        s -> {
          byte[] iv = random.take(s, GCM_IV_BYTES);
          byte[] ct =
              copies.use(
                  hex(materialId),
                  () -> handle(s, materialId),
                  key ->
                      gcm == null
                          ? s.encryptSingle(gcmMechanism(iv, aad), key, plaintext)
                          : gcm.encrypt(s.getSessionHandle(), key, iv, aad, plaintext));
          byte[] out = Arrays.copyOf(iv, GCM_IV_BYTES + ct.length);
          System.arraycopy(ct, 0, out, GCM_IV_BYTES, ct.length);
          return out;
        });
  }

  @Override
  public byte[] decryptAesGcm(byte[] materialId, byte[] iv, byte[] ciphertextAndTag, byte[] aad) {
    return call(
        "C_Decrypt(CKM_AES_GCM)",
        s -> {
          try {
            return copies.use(
                hex(materialId),
                () -> handle(s, materialId),
                key ->
                    gcm == null
                        ? s.decryptSingle(gcmMechanism(iv, aad), key, ciphertextAndTag)
                        : gcm.decrypt(s.getSessionHandle(), key, iv, aad, ciphertextAndTag));
          } catch (PKCS11Exception e) {
            long code = e.getErrorCode();
            // SoftHSM2 reports a failed tag check as CKR_GENERAL_ERROR; others use the specific
            // codes.
            if (code == CKR_ENCRYPTED_DATA_INVALID
                || code == CKR_ENCRYPTED_DATA_LEN_RANGE
                || code == CKR_AEAD_DECRYPT_FAILED
                || code == CKR_GENERAL_ERROR) {
              throw new HsmException(Kind.AUTHENTICATION_FAILED, "decryption failed", code, null);
            }
            throw e;
          }
        });
  }

  private static Mechanism gcmMechanism(byte[] iv, byte[] aad) {
    return new Mechanism(CKM_AES_GCM, new GCM_PARAMS(iv, aad, GCM_TAG_BITS));
  }

  @Override
  public byte[] generateRandom(int n) {
    return call("C_GenerateRandom", s -> random.take(s, n));
  }

  // ---- Asymmetric and HMAC CMKs -------------------------------------------------------------

  @Override
  public void generateKeyPair(
      byte[] materialId, KeyPairType type, KeyPairUsage usage, String label) {
    KeyPairTemplate template =
        KeyPairObjects.cmkTemplate(type, usage, materialId, LABEL_PREFIX + label);
    call(
        "C_GenerateKeyPair(" + type + ")",
        s -> {
          PKCS11KeyPair pair =
              s.generateKeyPair(KeyPairObjects.generationMechanism(type), template);
          handles.put(hex(materialId), pair.getPrivateKey());
          handles.put("public:" + hex(materialId), pair.getPublicKey());
          types.put(hex(materialId), type);
          return null;
        });
  }

  @Override
  public void generateHmacKey(byte[] materialId, int lengthBytes, String label) {
    AttributeVector template =
        KeyPairObjects.hmacKeyTemplate(lengthBytes, materialId, LABEL_PREFIX + label);
    call(
        "C_GenerateKey(CKM_GENERIC_SECRET_KEY_GEN)",
        s -> {
          handles.put(
              hex(materialId), s.generateKey(new Mechanism(CKM_GENERIC_SECRET_KEY_GEN), template));
          return null;
        });
  }

  @Override
  public byte[] publicKey(byte[] materialId) {
    return call(
        "C_GetAttributeValue(public key)",
        s -> {
          long pub = publicHandle(s, materialId);
          return KeyPairObjects.publicKeyInfo(s, type(s, materialId), pub);
        });
  }

  private KeyPairType type(Session s, byte[] materialId) throws PKCS11Exception {
    KeyPairType t = types.get(hex(materialId));
    if (t == null) {
      t = KeyPairObjects.typeOf(s, publicHandle(s, materialId));
      types.put(hex(materialId), t);
    }
    return t;
  }

  @Override
  public byte[] sign(byte[] materialId, SignatureScheme scheme, byte[] input) {
    return call(
        "C_Sign(" + scheme + ")",
        s -> {
          long key = handle(s, materialId);
          if (scheme == SignatureScheme.ECDSA) {
            byte[] rs = s.signSingle(new Mechanism(CKM_ECDSA), key, input);
            return EcdsaSignatures.toDer(rs);
          }
          if (scheme.digestInfoPrefix() != null) {
            byte[] digestInfo = concat(scheme.digestInfoPrefix(), input);
            return s.signSingle(new Mechanism(CKM_RSA_PKCS), key, digestInfo);
          }
          return s.signSingle(signatureMechanism(scheme), key, input);
        });
  }

  @Override
  public boolean verify(byte[] materialId, SignatureScheme scheme, byte[] input, byte[] signature) {
    return call(
        "C_Verify(" + scheme + ")",
        s -> {
          long key = publicHandle(s, materialId);
          Mechanism mech;
          byte[] data = input;
          byte[] sig = signature;
          if (scheme == SignatureScheme.ECDSA) {
            Optional<byte[]> rs = EcdsaSignatures.fromDer(signature, type(s, materialId).size());
            if (rs.isEmpty()) {
              return false;
            }
            sig = rs.get();
            mech = new Mechanism(CKM_ECDSA);
          } else if (scheme.digestInfoPrefix() != null) {
            data = concat(scheme.digestInfoPrefix(), input);
            mech = new Mechanism(CKM_RSA_PKCS);
          } else {
            mech = signatureMechanism(scheme);
          }
          try {
            s.verifySingle(mech, key, data, sig);
            return true;
          } catch (PKCS11Exception e) {
            if (e.getErrorCode() == CKR_SIGNATURE_INVALID
                || e.getErrorCode() == CKR_SIGNATURE_LEN_RANGE) {
              return false;
            }
            throw e;
          }
        });
  }

  private static Mechanism signatureMechanism(SignatureScheme scheme) {
    return switch (scheme) {
      case RSA_PSS_SHA256 -> pss(CKM_SHA256, CKG_MGF1_SHA256, 32);
      case RSA_PSS_SHA384 -> pss(CKM_SHA384, CKG_MGF1_SHA384, 48);
      case RSA_PSS_SHA512 -> pss(CKM_SHA512, CKG_MGF1_SHA512, 64);
      case EDDSA -> new Mechanism(CKM_EDDSA);
      default -> throw new IllegalArgumentException(scheme + " has no direct mechanism");
    };
  }

  private static Mechanism pss(long hash, long mgf, int saltLength) {
    return new Mechanism(CKM_RSA_PKCS_PSS, new RSA_PKCS_PSS_PARAMS(hash, mgf, saltLength));
  }

  @Override
  public byte[] decryptRsaOaep(byte[] materialId, RsaOaep.Hash hash, byte[] ciphertext) {
    if (hash == RsaOaep.Hash.SHA_256 && !nativeOaepSha256) {
      return decryptRawOaep(materialId, hash, ciphertext);
    }
    long mgf = hash == RsaOaep.Hash.SHA_1 ? CKG_MGF1_SHA1 : CKG_MGF1_SHA256;
    long digest = hash == RsaOaep.Hash.SHA_1 ? CKM_SHA_1 : CKM_SHA256;
    Mechanism mech =
        new Mechanism(
            CKM_RSA_PKCS_OAEP, new RSA_PKCS_OAEP_PARAMS(digest, mgf, CKZ_DATA_SPECIFIED, null));
    try {
      return call(
          "C_Decrypt(CKM_RSA_PKCS_OAEP " + hash + ")",
          s -> {
            try {
              return s.decryptSingle(mech, handle(s, materialId), ciphertext);
            } catch (PKCS11Exception e) {
              if (isBadCiphertext(e.getErrorCode())) {
                throw new HsmException(
                    Kind.AUTHENTICATION_FAILED, "decryption failed", e.getErrorCode(), null);
              }
              throw e;
            }
          });
    } catch (HsmException e) {
      long code = e.ckr();
      if (hash == RsaOaep.Hash.SHA_256
          && (code == CKR_ARGUMENTS_BAD
              || code == CKR_MECHANISM_PARAM_INVALID
              || code == CKR_MECHANISM_INVALID)) {
        // The token has no OAEP with SHA-256 (SoftHSM2): from now on the HSM does only the raw
        // RSA private-key operation and the OAEP padding is checked here.
        LOG.info(
            "token lacks CKM_RSA_PKCS_OAEP with SHA-256 ({}); using CKM_RSA_X_509", e.getMessage());
        nativeOaepSha256 = false;
        return decryptRawOaep(materialId, hash, ciphertext);
      }
      throw e;
    }
  }

  /** Raw RSA ({@code CKM_RSA_X_509}) in the HSM, EME-OAEP decoding here in constant time. */
  private byte[] decryptRawOaep(byte[] materialId, RsaOaep.Hash hash, byte[] ciphertext) {
    return call(
        "C_Decrypt(CKM_RSA_X_509)",
        s -> {
          long key = handle(s, materialId);
          int k = type(s, materialId).size();
          if (ciphertext.length != k) {
            throw new HsmException(Kind.AUTHENTICATION_FAILED, "decryption failed");
          }
          byte[] raw;
          try {
            raw = s.decryptSingle(new Mechanism(CKM_RSA_X_509), key, ciphertext);
          } catch (PKCS11Exception e) {
            if (isBadCiphertext(e.getErrorCode())) {
              throw new HsmException(
                  Kind.AUTHENTICATION_FAILED, "decryption failed", e.getErrorCode(), null);
            }
            throw e;
          }
          byte[] em = raw.length == k ? raw : new byte[k];
          try {
            if (raw.length > k) {
              throw new HsmException(Kind.AUTHENTICATION_FAILED, "decryption failed");
            }
            if (em != raw) {
              // Some tokens strip the leading zero bytes of the raw result.
              System.arraycopy(raw, 0, em, k - raw.length, raw.length);
            }
            return RsaOaep.decode(em, k, hash)
                .orElseThrow(
                    () -> new HsmException(Kind.AUTHENTICATION_FAILED, "decryption failed"));
          } finally {
            Arrays.fill(raw, (byte) 0);
            Arrays.fill(em, (byte) 0);
          }
        });
  }

  private static boolean isBadCiphertext(long code) {
    return code == CKR_ENCRYPTED_DATA_INVALID
        || code == CKR_ENCRYPTED_DATA_LEN_RANGE
        || code == CKR_DATA_INVALID
        || code == CKR_DATA_LEN_RANGE
        || code == CKR_GENERAL_ERROR;
  }

  @Override
  public byte[] deriveSharedSecret(byte[] materialId, byte[] peerPoint) {
    return call(
        "C_DeriveKey(CKM_ECDH1_DERIVE)",
        s -> {
          long key = handle(s, materialId);
          int size = type(s, materialId).size();
          AttributeVector template =
              AttributeVector.newSecretKey(CKK_GENERIC_SECRET)
                  .token(false)
                  .private_(true)
                  .sensitive(false)
                  .extractable(true)
                  .valueLen(size)
                  .encrypt(false)
                  .decrypt(false)
                  .sign(false)
                  .verify(false)
                  .wrap(false)
                  .unwrap(false)
                  .derive(false)
                  .label(LABEL_PREFIX + "shared-secret");
          Mechanism mech =
              new Mechanism(
                  CKM_ECDH1_DERIVE, new ECDH1_DERIVE_PARAMS(CKD_NULL, null, peerPoint.clone()));
          long secret = s.deriveKey(mech, key, template);
          try {
            return s.getAttrValues(secret, CKA_VALUE).getByteArrayAttrValue(CKA_VALUE);
          } finally {
            s.destroyObject(secret);
          }
        });
  }

  @Override
  public byte[] mac(byte[] materialId, MacScheme scheme, byte[] message) {
    return call(
        "C_Sign(" + scheme + ")",
        s -> s.signSingle(new Mechanism(macMechanism(scheme)), handle(s, materialId), message));
  }

  @Override
  public boolean verifyMac(byte[] materialId, MacScheme scheme, byte[] message, byte[] tag) {
    return call(
        "C_Verify(" + scheme + ")",
        s -> {
          try {
            s.verifySingle(
                new Mechanism(macMechanism(scheme)), handle(s, materialId), message, tag);
            return true;
          } catch (PKCS11Exception e) {
            if (e.getErrorCode() == CKR_SIGNATURE_INVALID
                || e.getErrorCode() == CKR_SIGNATURE_LEN_RANGE) {
              return false;
            }
            throw e;
          }
        });
  }

  private static long macMechanism(MacScheme scheme) {
    return switch (scheme) {
      case HMAC_SHA224 -> CKM_SHA224_HMAC;
      case HMAC_SHA256 -> CKM_SHA256_HMAC;
      case HMAC_SHA384 -> CKM_SHA384_HMAC;
      case HMAC_SHA512 -> CKM_SHA512_HMAC;
    };
  }

  // ---- Data key pairs -----------------------------------------------------------------------
  //
  // Getting the private key out: the pair is generated as SESSION objects with the private key
  // non-sensitive and extractable, and its attributes are read and encoded as PKCS#8 here. The
  // alternative, C_WrapKey with CKM_AES_KEY_WRAP_PAD under a session AES key and unwrapping in
  // software, was not chosen: the wrapping key would have to be known to this process, so it
  // protects nothing that reading the attributes exposes; KWP cannot wrap Ed25519 keys on
  // SoftHSM2; and its output (a token-specific PKCS#8, zero-padded to 8 bytes) would need parsing
  // and trimming. The plaintext must reach this process anyway: it is the answer, and C_WrapKey
  // cannot use AES-GCM to seal it under the CMK. CMKs are never generated this way.

  @Override
  public ExportedKeyPair generateDataKeyPair(KeyPairType type) {
    return call(
        "C_GenerateKeyPair(" + type + ", data key pair)",
        s -> {
          byte[] id = s.generateRandom(16);
          PKCS11KeyPair pair =
              s.generateKeyPair(
                  KeyPairObjects.generationMechanism(type),
                  KeyPairObjects.dataKeyPairTemplate(type, id, DATA_KEY_PAIR_LABEL));
          return exportAndDestroy(s, type, pair.getPrivateKey(), pair.getPublicKey());
        });
  }

  /** Reads a pair out and destroys both objects, also when reading fails. */
  private static ExportedKeyPair exportAndDestroy(
      Session s, KeyPairType type, long privateKey, long publicKey) throws PKCS11Exception {
    ExportedKeyPair out = null;
    try {
      out = KeyPairObjects.export(s, type, privateKey, publicKey);
    } finally {
      PKCS11Exception failed = null;
      for (long h : new long[] {privateKey, publicKey}) {
        try {
          s.destroyObject(h);
        } catch (PKCS11Exception e) {
          failed = e;
        }
      }
      if (failed != null && out != null) {
        out.close();
        throw failed;
      }
    }
    return out;
  }

  /** A pair waiting in the keeper session; valid only while that session (epoch) lives. */
  private record Pregenerated(
      KeyPairType type, long privateKey, long publicKey, byte[] id, long epoch, Pkcs11Hsm owner)
      implements PregeneratedKeyPair {
    @Override
    public String toString() {
      return "PregeneratedKeyPair[" + type + "]";
    }
  }

  @Override
  public PregeneratedKeyPair pregenerateDataKeyPair(KeyPairType type) {
    synchronized (keeperLock) {
      for (int attempt = 0; ; attempt++) {
        Session s = keeper();
        try {
          byte[] id = s.generateRandom(16);
          PKCS11KeyPair pair =
              s.generateKeyPair(
                  KeyPairObjects.generationMechanism(type),
                  KeyPairObjects.dataKeyPairTemplate(type, id, DATA_KEY_PAIR_LABEL));
          return new Pregenerated(
              type, pair.getPrivateKey(), pair.getPublicKey(), id, keeperEpoch, this);
        } catch (PKCS11Exception e) {
          long code = e.getErrorCode();
          if (attempt == 0 && (isDeadSession(code) || code == CKR_USER_NOT_LOGGED_IN)) {
            LOG.warn("key pair keeper session: {}; reopening", e.getErrorName());
            dropKeeper();
            continue;
          }
          throw fail(
              isDeadSession(code) ? Kind.UNAVAILABLE : Kind.INTERNAL,
              "C_GenerateKeyPair(" + type + ", pregenerated)",
              e);
        }
      }
    }
  }

  @Override
  public Optional<ExportedKeyPair> takeDataKeyPair(PregeneratedKeyPair pair) {
    Pregenerated p = own(pair);
    if (p.epoch() != keeperEpoch) {
      return Optional.empty();
    }
    return call(
        "take pregenerated key pair",
        s -> {
          try {
            if (!isIntact(s, p)) {
              return Optional.empty();
            }
            return Optional.of(exportAndDestroy(s, p.type(), p.privateKey(), p.publicKey()));
          } catch (PKCS11Exception e) {
            if (e.getErrorCode() == CKR_OBJECT_HANDLE_INVALID) {
              return Optional.empty();
            }
            throw e;
          }
        });
  }

  @Override
  public boolean isAlive(PregeneratedKeyPair pair) {
    return own(pair).epoch() == keeperEpoch;
  }

  @Override
  public void discardDataKeyPair(PregeneratedKeyPair pair) {
    Pregenerated p = own(pair);
    if (p.epoch() != keeperEpoch) {
      return;
    }
    call(
        "discard pregenerated key pair",
        s -> {
          try {
            if (isIntact(s, p)) {
              s.destroyObject(p.privateKey());
              s.destroyObject(p.publicKey());
            }
          } catch (PKCS11Exception e) {
            if (e.getErrorCode() != CKR_OBJECT_HANDLE_INVALID) {
              throw e;
            }
          }
          return null;
        });
  }

  /**
   * The handles still name the objects generated for this pair: a handle of a lost session may be
   * reused by the token for another object, so the session-object flag and the random id are
   * checked before anything is read or destroyed.
   */
  private static boolean isIntact(Session s, Pregenerated p) throws PKCS11Exception {
    for (long h : new long[] {p.privateKey(), p.publicKey()}) {
      AttributeVector a = s.getAttrValues(h, CKA_TOKEN, CKA_ID);
      if (!Boolean.FALSE.equals(a.token()) || !Arrays.equals(p.id(), a.id())) {
        return false;
      }
    }
    return true;
  }

  private Pregenerated own(PregeneratedKeyPair pair) {
    if (!(pair instanceof Pregenerated p) || p.owner() != this) {
      throw new IllegalArgumentException("not a key pair of this HSM");
    }
    return p;
  }

  /** The keeper session: opened on first use, logged in (login state is per application). */
  private Session keeper() {
    if (keeperSession == null) {
      try {
        Session s = token.openSession(true);
        try {
          login(s);
        } catch (PKCS11Exception e) {
          closeQuietly(s);
          throw e;
        }
        keeperSession = s;
      } catch (PKCS11Exception e) {
        throw fail(Kind.UNAVAILABLE, "C_OpenSession(key pair keeper)", e);
      }
    }
    return keeperSession;
  }

  /** Closes the keeper session, which destroys every pair it held; their references go stale. */
  private void dropKeeper() {
    if (keeperSession != null) {
      closeQuietly(keeperSession);
      keeperSession = null;
    }
    keeperEpoch++;
  }

  private static void closeQuietly(Session s) {
    try {
      s.closeSession();
    } catch (PKCS11Exception e) {
      LOG.debug("closing a session failed: {}", e.getErrorName());
    }
  }

  @Override
  public int sessionObjectCount() {
    return call(
        "C_FindObjects(session objects)",
        s ->
            s.findAllObjectsSingle(new AttributeVector().token(false)).length
                - s.findAllObjectsSingle(
                        new AttributeVector().token(false).label(WorkingCopies.LABEL))
                    .length);
  }

  @Override
  public int workingCopyCount() {
    return copies.count();
  }

  @Override
  public Optional<KeyAttributes> workingCopyAttributes(byte[] materialId) {
    return call(
        "C_GetAttributeValue(working copy)",
        s -> {
          Long h = copies.handleOf(hex(materialId));
          return h == null ? Optional.<KeyAttributes>empty() : Optional.of(attributes(s, h));
        });
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Override
  public KeyAttributes keyAttributes(byte[] materialId) {
    return call("C_GetAttributeValue", s -> attributes(s, handle(s, materialId)));
  }

  private static KeyAttributes attributes(Session s, long h) throws PKCS11Exception {
    AttributeVector a =
        s.getAttrValues(h, CKA_TOKEN, CKA_SENSITIVE, CKA_EXTRACTABLE, CKA_NEVER_EXTRACTABLE);
    return new KeyAttributes(
        Boolean.TRUE.equals(a.token()),
        Boolean.TRUE.equals(a.sensitive()),
        Boolean.TRUE.equals(a.extractable()),
        Boolean.TRUE.equals(a.neverExtractable()));
  }

  /** The handle of the key object that holds the secret: a secret key or a private key. */
  private long handle(Session s, byte[] materialId) throws PKCS11Exception {
    String key = hex(materialId);
    Long h = handles.get(key);
    if (h == null) {
      h = find(s, materialId, CKO_SECRET_KEY);
      if (h == null) {
        h = find(s, materialId, CKO_PRIVATE_KEY);
      }
      if (h == null) {
        throw new HsmException(Kind.KEY_NOT_FOUND, "no key object with id " + key);
      }
      handles.put(key, h);
    }
    return h;
  }

  /** The handle of the public key object of a persistent pair. */
  private long publicHandle(Session s, byte[] materialId) throws PKCS11Exception {
    String key = "public:" + hex(materialId);
    Long h = handles.get(key);
    if (h == null) {
      h = find(s, materialId, CKO_PUBLIC_KEY);
      if (h == null) {
        throw new HsmException(
            Kind.KEY_NOT_FOUND, "no public key object with id " + hex(materialId));
      }
      handles.put(key, h);
    }
    return h;
  }

  private static Long find(Session s, byte[] materialId, long objectClass) throws PKCS11Exception {
    AttributeVector template = new AttributeVector().class_(objectClass).token(true).id(materialId);
    long[] found = s.findObjectsSingle(template, 2);
    if (found.length > 1) {
      throw new HsmException(Kind.INTERNAL, "two key objects share id " + hex(materialId));
    }
    return found.length == 0 ? null : found[0];
  }

  /** One unit of work on a borrowed session. */
  @FunctionalInterface
  private interface SessionWork<T> {
    T run(Session s) throws PKCS11Exception;
  }

  /**
   * Runs {@code work} on a pooled session. Recovery by CKR code, each kind at most once: a dead
   * session is replaced (and the other idle ones dropped), a logged-out token is logged in again, a
   * stale handle is looked up again.
   */
  private <T> T call(String what, SessionWork<T> work) {
    boolean reopened = false;
    boolean reloggedIn = false;
    boolean refound = false;
    while (true) {
      Session s = pool.borrow();
      boolean dead = false;
      try {
        if (reopened && !reloggedIn) {
          // Losing every session logs the token out; private objects are invisible until login.
          reloggedIn = true;
          login(s);
        }
        return work.run(s);
      } catch (PKCS11Exception e) {
        long code = e.getErrorCode();
        if (isDeadSession(code) && !reopened) {
          reopened = true;
          dead = true;
          LOG.warn("{}: {}; reopening sessions", what, e.getErrorName());
        } else if (code == CKR_USER_NOT_LOGGED_IN && !reloggedIn) {
          reloggedIn = true;
          LOG.warn("{}: token not logged in; logging in again", what);
          try {
            login(s);
          } catch (PKCS11Exception le) {
            throw fail(Kind.UNAVAILABLE, "C_Login", le);
          }
        } else if ((code == CKR_OBJECT_HANDLE_INVALID || code == CKR_KEY_HANDLE_INVALID)
            && !refound) {
          refound = true;
          handles.clear();
        } else {
          dead = isDeadSession(code);
          throw fail(dead ? Kind.UNAVAILABLE : Kind.INTERNAL, what, e);
        }
      } finally {
        if (dead) {
          pool.discard(s);
          pool.discardIdle();
        } else {
          pool.giveBack(s);
        }
      }
    }
  }

  static boolean isDeadSession(long code) {
    return code == CKR_SESSION_HANDLE_INVALID
        || code == CKR_SESSION_CLOSED
        || code == CKR_DEVICE_ERROR
        || code == CKR_DEVICE_REMOVED
        || code == CKR_TOKEN_NOT_PRESENT;
  }

  private static HsmException fail(Kind kind, String what, PKCS11Exception e) {
    return new HsmException(kind, what + " failed: " + e.getErrorName(), e.getErrorCode(), e);
  }

  private static String hex(byte[] id) {
    return HexFormat.of().formatHex(id);
  }

  @Override
  public void close() {
    synchronized (keeperLock) {
      dropKeeper();
    }
    orphanCheck.shutdownNow();
    try {
      // A check under way uses the copies' session, which is closed next.
      orphanCheck.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    copies.close();
    random.clear();
    pool.close();
    Arrays.fill(pin, '\0');
    handles.clear();
    release(module);
  }

  /** Reads a PIN file's first line; the returned array is the caller's to zero. */
  public static char[] readPin(java.nio.file.Path file) throws IOException {
    byte[] raw = java.nio.file.Files.readAllBytes(file);
    try {
      String s = new String(raw, StandardCharsets.UTF_8);
      int nl = s.indexOf('\n');
      return (nl < 0 ? s : s.substring(0, nl)).strip().toCharArray();
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }
}
