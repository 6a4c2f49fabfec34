package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EXTRACTABLE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_ID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_LABEL;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_NEVER_EXTRACTABLE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_SENSITIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_TOKEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_AES;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_GCM;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_KEY_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_SECRET_KEY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_AEAD_DECRYPT_FAILED;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_CRYPTOKI_ALREADY_INITIALIZED;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_DEVICE_ERROR;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_DEVICE_REMOVED;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_ENCRYPTED_DATA_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_ENCRYPTED_DATA_LEN_RANGE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_GENERAL_ERROR;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_KEY_HANDLE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_OBJECT_HANDLE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_SESSION_CLOSED;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_SESSION_HANDLE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_TOKEN_NOT_PRESENT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_USER_ALREADY_LOGGED_IN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_USER_NOT_LOGGED_IN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKU_USER;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.hsmkms.hsm.Hsm;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.HsmException.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11Module;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.Slot;
import org.xipki.pkcs11.wrapper.Token;
import org.xipki.pkcs11.wrapper.params.GCM_PARAMS;

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

  private static final int GCM_IV_BYTES = 12;
  private static final int GCM_TAG_BITS = 128;

  private final PKCS11Module module;
  private final SessionPool pool;
  private final char[] pin;
  private final Map<String, Long> handles = new ConcurrentHashMap<>();
  private final Object loginLock = new Object();

  private Pkcs11Hsm(PKCS11Module module, Token token, Pkcs11Settings settings) {
    this.module = module;
    this.pin = settings.userPin().clone();
    this.pool = new SessionPool(token, settings.sessions(), settings.sessionWaitMillis());
  }

  /** Loads the module, finds the token by label and logs in. */
  public static Pkcs11Hsm open(Pkcs11Settings settings) {
    WrapperLogger.install();
    PKCS11Module module = acquire(settings.modulePath());
    try {
      Token token = findToken(module, settings.tokenLabel());
      Pkcs11Hsm hsm = new Pkcs11Hsm(module, token, settings);
      hsm.call("C_Login", s -> {
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
    AttributeVector template = AttributeVector.newAESSecretKey()
        .valueLen(32)
        .token(true)
        .private_(true)
        .sensitive(true)
        .extractable(false)
        .modifiable(false)
        .encrypt(true)
        .decrypt(true)
        .wrap(false)
        .unwrap(false)
        .sign(false)
        .verify(false)
        .derive(false)
        .id(materialId.clone())
        .label(LABEL_PREFIX + label);
    call("C_GenerateKey(CKM_AES_KEY_GEN)", s -> {
      long handle = s.generateKey(new Mechanism(CKM_AES_KEY_GEN), template);
      handles.put(hex(materialId), handle);
      return null;
    });
  }

  @Override
  public boolean keyExists(byte[] materialId) {
    return call("C_FindObjects", s -> find(s, materialId) != null);
  }

  @Override
  public List<byte[]> listKeyIds() {
    return call("C_FindObjects", s -> {
      AttributeVector template = new AttributeVector().class_(CKO_SECRET_KEY).token(true);
      List<byte[]> ids = new ArrayList<>();
      for (long h : s.findAllObjectsSingle(template)) {
        AttributeVector attrs = s.getAttrValues(h, CKA_ID, CKA_LABEL);
        String label = attrs.label();
        if (attrs.id() != null && label != null && label.startsWith(LABEL_PREFIX)) {
          ids.add(attrs.id());
        }
      }
      return ids;
    });
  }

  @Override
  public void destroyKey(byte[] materialId) {
    call("C_DestroyObject", s -> {
      Long h = find(s, materialId);
      if (h != null) {
        s.destroyObject(h);
      }
      handles.remove(hex(materialId));
      return null;
    });
  }

  @Override
  public byte[] encryptAesGcm(byte[] materialId, byte[] plaintext, byte[] aad) {
    return call("C_Encrypt(CKM_AES_GCM)", s -> {
      long key = handle(s, materialId);
      byte[] iv = s.generateRandom(GCM_IV_BYTES);
      Mechanism mech = new Mechanism(CKM_AES_GCM, new GCM_PARAMS(iv, aad, GCM_TAG_BITS));
      byte[] ct = s.encryptSingle(mech, key, plaintext);
      byte[] out = Arrays.copyOf(iv, GCM_IV_BYTES + ct.length);
      System.arraycopy(ct, 0, out, GCM_IV_BYTES, ct.length);
      return out;
    });
  }

  @Override
  public byte[] decryptAesGcm(byte[] materialId, byte[] iv, byte[] ciphertextAndTag, byte[] aad) {
    return call("C_Decrypt(CKM_AES_GCM)", s -> {
      long key = handle(s, materialId);
      Mechanism mech = new Mechanism(CKM_AES_GCM, new GCM_PARAMS(iv, aad, GCM_TAG_BITS));
      try {
        return s.decryptSingle(mech, key, ciphertextAndTag);
      } catch (PKCS11Exception e) {
        long code = e.getErrorCode();
        // SoftHSM2 reports a failed tag check as CKR_GENERAL_ERROR; others use the specific codes.
        if (code == CKR_ENCRYPTED_DATA_INVALID || code == CKR_ENCRYPTED_DATA_LEN_RANGE
            || code == CKR_AEAD_DECRYPT_FAILED || code == CKR_GENERAL_ERROR) {
          throw new HsmException(Kind.AUTHENTICATION_FAILED, "decryption failed", code, null);
        }
        throw e;
      }
    });
  }

  @Override
  public byte[] generateRandom(int n) {
    return call("C_GenerateRandom", s -> s.generateRandom(n));
  }

  @Override
  public KeyAttributes keyAttributes(byte[] materialId) {
    return call("C_GetAttributeValue", s -> {
      AttributeVector a = s.getAttrValues(handle(s, materialId),
          CKA_TOKEN, CKA_SENSITIVE, CKA_EXTRACTABLE, CKA_NEVER_EXTRACTABLE);
      return new KeyAttributes(Boolean.TRUE.equals(a.token()),
          Boolean.TRUE.equals(a.sensitive()), Boolean.TRUE.equals(a.extractable()),
          Boolean.TRUE.equals(a.neverExtractable()));
    });
  }

  private long handle(Session s, byte[] materialId) throws PKCS11Exception {
    String key = hex(materialId);
    Long h = handles.get(key);
    if (h == null) {
      h = find(s, materialId);
      if (h == null) {
        throw new HsmException(Kind.KEY_NOT_FOUND, "no key object with id " + key);
      }
      handles.put(key, h);
    }
    return h;
  }

  private static Long find(Session s, byte[] materialId) throws PKCS11Exception {
    AttributeVector template = new AttributeVector()
        .class_(CKO_SECRET_KEY).keyType(CKK_AES).token(true).id(materialId);
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

  private static boolean isDeadSession(long code) {
    return code == CKR_SESSION_HANDLE_INVALID || code == CKR_SESSION_CLOSED
        || code == CKR_DEVICE_ERROR || code == CKR_DEVICE_REMOVED || code == CKR_TOKEN_NOT_PRESENT;
  }

  private static HsmException fail(Kind kind, String what, PKCS11Exception e) {
    return new HsmException(kind, what + " failed: " + e.getErrorName(), e.getErrorCode(), e);
  }

  private static String hex(byte[] id) {
    return HexFormat.of().formatHex(id);
  }

  @Override
  public void close() {
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
