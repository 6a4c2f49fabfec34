package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_KEY_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_CRYPTOKI_NOT_INITIALIZED;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_KEY_HANDLE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_MECHANISM_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_MECHANISM_PARAM_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_OBJECT_HANDLE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_SESSION_HANDLE_INVALID;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.HsmException.Kind;
import org.hsmkms.hsm.KeyInventory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.Session;

/**
 * Chooses at start-up, by trying it, the JNI layer that carries AES-GCM ({@link GcmLayer}), and
 * checks that the token can do what the service needs of AES-GCM at all.
 *
 * <p>The JDK's layer ({@link JdkGcm}) works only when the module shares its sessions and object
 * handles with a second wrapper in the same process. Most modules do; a module that hands every
 * {@code C_GetFunctionList} caller an instance of its own (p11-kit's RPC client, {@code
 * p11-kit-client.so}) answers the JDK's calls with {@code CKR_CRYPTOKI_NOT_INITIALIZED}. So one
 * encryption under a session key goes through the JDK's layer, and its ciphertext must decrypt to
 * the same block through both layers; on any failure the service logs why and uses the IAIK
 * wrapper.
 *
 * <p>Then the chosen layer must encrypt with the IV it is given: some HSMs (AWS CloudHSM) ignore it
 * and make their own, which they return only in the mechanism parameters, where neither JNI layer
 * reads it back; every blob would carry an IV that was never used and none would decrypt. And a
 * module in front of the token may not forward {@code CK_GCM_PARAMS} at all (p11-kit 0.24: {@code
 * CKR_MECHANISM_INVALID}). In both cases the service stops at start-up, naming the mechanism.
 *
 * <p>Security: the probe key is a session object, sensitive and not extractable, destroyed at once;
 * the probe block is a constant, not a secret.
 */
final class GcmLayerChoice {
  private static final Logger LOG = LoggerFactory.getLogger(GcmLayerChoice.class);

  private static final int IV_BYTES = Pkcs11AesGcm.IV_BYTES;
  private static final int TAG_BYTES = 16;
  private static final byte[] BLOCK =
      "hsm-kms GCM test".getBytes(StandardCharsets.US_ASCII); // 16 bytes
  private static final byte[] AAD = "hsm-kms start-up check".getBytes(StandardCharsets.US_ASCII);

  private GcmLayerChoice() {}

  /**
   * The layer AES-GCM goes through: {@code jdk} if it is given and passes the probe, else the IAIK
   * wrapper. Throws an {@link HsmException} when the token cannot do AES-GCM with a caller's IV
   * through the IAIK wrapper either.
   *
   * @param jdk the JDK's layer on the same module, or null when it is off or not available
   */
  static GcmLayer choose(LoggedInToken token, String modulePath, GcmLayer jdk) {
    return choose(token, modulePath, jdk, GcmLayer.IAIK);
  }

  /**
   * Like {@link #choose(LoggedInToken, String, GcmLayer)}, with {@code base} for the IAIK layer.
   */
  static GcmLayer choose(LoggedInToken token, String modulePath, GcmLayer fast, GcmLayer base) {
    Session s;
    try {
      s = token.openLoggedIn();
    } catch (PKCS11Exception e) {
      throw SessionExecutor.fail(Kind.UNAVAILABLE, "C_OpenSession/C_Login", e);
    }
    try {
      long key = probeKey(s);
      try {
        // One IV for both layers: the same block under the same throwaway key, so nothing leaks.
        byte[] iv = s.generateRandom(IV_BYTES);
        if (fast != null) {
          String problem = fastProblem(s, key, iv, fast, base);
          if (problem == null) {
            LOG.debug("AES-GCM through the {} layer", fast.name());
            return fast;
          }
          LOG.warn(
              "AES-GCM through the IAIK wrapper (slower): the JDK's PKCS#11 layer failed its"
                  + " start-up encryption through {}: {}",
              modulePath,
              problem);
        }
        checkBase(s, key, iv, base, modulePath);
        return base;
      } finally {
        destroyQuietly(s, key);
      }
    } catch (PKCS11Exception e) {
      throw SessionExecutor.fail(Kind.UNAVAILABLE, "AES-GCM start-up check", e);
    } finally {
      LoggedInToken.closeQuietly(s);
    }
  }

  /** A session object: closing the session destroys it too, so a failure here stops nothing. */
  private static void destroyQuietly(Session s, long key) {
    try {
      s.destroyObject(key);
    } catch (PKCS11Exception e) {
      LOG.debug("destroying the AES-GCM check's session key: {}", e.getErrorName());
    }
  }

  private static long probeKey(Session s) {
    try {
      return s.generateKey(
          new Mechanism(CKM_AES_KEY_GEN),
          AttributeVector.newAESSecretKey()
              .valueLen(32)
              .token(false)
              .sensitive(true)
              .extractable(false)
              .encrypt(true)
              .decrypt(true)
              .label(KeyInventory.LABEL_PREFIX + "gcm-check"));
    } catch (PKCS11Exception e) {
      throw SessionExecutor.fail(Kind.UNAVAILABLE, "C_GenerateKey(CKM_AES_KEY_GEN) at start-up", e);
    }
  }

  /** Why the fast layer cannot be used on this module, or null if it can. */
  private static String fastProblem(Session s, long key, byte[] iv, GcmLayer jdk, GcmLayer base) {
    try {
      byte[] ct = jdk.encrypt(s, key, iv, AAD, BLOCK);
      if (ct.length != BLOCK.length + TAG_BYTES) {
        return "a ciphertext of " + ct.length + " bytes, not " + (BLOCK.length + TAG_BYTES);
      }
      if (!Arrays.equals(BLOCK, jdk.decrypt(s, key, iv, AAD, ct))) {
        return "its own ciphertext decrypts to another block";
      }
      if (!Arrays.equals(BLOCK, base.decrypt(s, key, iv, AAD, ct))) {
        return "its ciphertext decrypts to another block through the IAIK wrapper";
      }
      return null;
    } catch (PKCS11Exception e) {
      return e.getErrorName() + meaning(e.getErrorCode());
    } catch (RuntimeException | LinkageError e) {
      return e.toString();
    }
  }

  /** What a failure of the JDK's layer on a session of the IAIK wrapper says about the module. */
  private static String meaning(long ckr) {
    if (ckr == CKR_CRYPTOKI_NOT_INITIALIZED) {
      return " (the module gave the JDK's wrapper an instance of its own, which nobody"
          + " initialised, instead of sharing the service's: p11-kit's client module does this)";
    }
    if (ckr == CKR_SESSION_HANDLE_INVALID
        || ckr == CKR_OBJECT_HANDLE_INVALID
        || ckr == CKR_KEY_HANDLE_INVALID) {
      return " (the module does not share sessions and object handles between two wrappers in"
          + " one process)";
    }
    return "";
  }

  /** Stops start-up unless {@code base} encrypts with the given IV and decrypts again. */
  private static void checkBase(Session s, long key, byte[] iv, GcmLayer base, String modulePath) {
    byte[] ct;
    try {
      ct = base.encrypt(s, key, iv, AAD, BLOCK);
    } catch (PKCS11Exception e) {
      long code = e.getErrorCode();
      if (code == CKR_MECHANISM_INVALID || code == CKR_MECHANISM_PARAM_INVALID) {
        throw new HsmException(
            Kind.UNAVAILABLE,
            "the PKCS#11 module "
                + modulePath
                + " cannot do CKM_AES_GCM with the service's IV and tag length ("
                + e.getErrorName()
                + "): hsm-kms needs it for every symmetric key; see hsm-config/vendors/README.md",
            code,
            e);
      }
      throw SessionExecutor.fail(Kind.UNAVAILABLE, "C_Encrypt(CKM_AES_GCM) at start-up", e);
    }
    boolean usesGivenIv;
    try {
      usesGivenIv =
          ct.length == BLOCK.length + TAG_BYTES
              && Arrays.equals(BLOCK, base.decrypt(s, key, iv, AAD, ct));
    } catch (PKCS11Exception e) {
      usesGivenIv = false;
    }
    if (!usesGivenIv) {
      throw new HsmException(
          Kind.UNAVAILABLE,
          "the token does not encrypt with the IV it is given for CKM_AES_GCM (it makes its own,"
              + " as AWS CloudHSM does): hsm-kms cannot keep symmetric keys in it; see"
              + " hsm-config/vendors/README.md");
    }
  }
}
