package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_KEY_TYPE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKG_MGF1_SHA1;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKG_MGF1_SHA256;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS_OAEP;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_X_509;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA256;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA_1;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_ARGUMENTS_BAD;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_DATA_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_DATA_LEN_RANGE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_ENCRYPTED_DATA_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_ENCRYPTED_DATA_LEN_RANGE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_GENERAL_ERROR;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_MECHANISM_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_MECHANISM_PARAM_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKZ_DATA_SPECIFIED;

import java.util.Arrays;
import org.hsmkms.crypto.RsaOaep;
import org.hsmkms.hsm.AsymmetricDecryption;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.HsmException.Kind;
import org.hsmkms.hsm.MaterialId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.params.RSA_PKCS_OAEP_PARAMS;

/**
 * RSAES-OAEP decryption with a CMK's private key: {@code CKM_RSA_PKCS_OAEP}, or, for SHA-256 on a
 * token that refuses it (SoftHSM2), {@code CKM_RSA_X_509} in the HSM and constant-time OAEP
 * decoding in {@link RsaOaep}, so the private key still never leaves the HSM.
 *
 * <p>A ciphertext that does not decrypt is an authentication failure. {@code CKR_GENERAL_ERROR} is
 * one only if the device still answers for the key afterwards; otherwise it is a device fault,
 * logged and reported as an internal error.
 */
final class Pkcs11RsaDecryption implements AsymmetricDecryption {
  private static final Logger LOG = LoggerFactory.getLogger(Pkcs11RsaDecryption.class);

  private final SessionExecutor executor;
  private final KeyHandles handles;

  /** Cleared once the token refuses CKM_RSA_PKCS_OAEP with SHA-256. */
  private volatile boolean nativeOaepSha256 = true;

  Pkcs11RsaDecryption(SessionExecutor executor, KeyHandles handles) {
    this.executor = executor;
    this.handles = handles;
  }

  @Override
  public byte[] decryptRsaOaep(MaterialId key, RsaOaep.Hash hash, byte[] ciphertext) {
    if (hash == RsaOaep.Hash.SHA_256 && !nativeOaepSha256) {
      return decryptRaw(key, hash, ciphertext);
    }
    long mgf = hash == RsaOaep.Hash.SHA_1 ? CKG_MGF1_SHA1 : CKG_MGF1_SHA256;
    long digest = hash == RsaOaep.Hash.SHA_1 ? CKM_SHA_1 : CKM_SHA256;
    Mechanism mech =
        new Mechanism(
            CKM_RSA_PKCS_OAEP, new RSA_PKCS_OAEP_PARAMS(digest, mgf, CKZ_DATA_SPECIFIED, null));
    try {
      return executor.call(
          "C_Decrypt(CKM_RSA_PKCS_OAEP " + hash + ")",
          s -> {
            long h = handles.key(s, key);
            try {
              return s.decryptSingle(mech, h, ciphertext);
            } catch (PKCS11Exception e) {
              throw classify(s, h, "CKM_RSA_PKCS_OAEP", e);
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
        return decryptRaw(key, hash, ciphertext);
      }
      throw e;
    }
  }

  /** Raw RSA ({@code CKM_RSA_X_509}) in the HSM, EME-OAEP decoding here in constant time. */
  private byte[] decryptRaw(MaterialId key, RsaOaep.Hash hash, byte[] ciphertext) {
    return executor.call(
        "C_Decrypt(CKM_RSA_X_509)",
        s -> {
          long h = handles.key(s, key);
          int k = handles.type(s, key).size();
          if (ciphertext.length != k) {
            throw new HsmException(Kind.AUTHENTICATION_FAILED, "decryption failed");
          }
          byte[] raw;
          try {
            raw = s.decryptSingle(new Mechanism(CKM_RSA_X_509), h, ciphertext);
          } catch (PKCS11Exception e) {
            throw classify(s, h, "CKM_RSA_X_509", e);
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

  /**
   * What a failed decryption was: the ciphertext's fault (an authentication failure, thrown), a
   * device fault (internal, thrown), or anything else (returned, for the session executor to
   * judge).
   */
  private static PKCS11Exception classify(
      Session s, long key, String mechanism, PKCS11Exception e) {
    long code = e.getErrorCode();
    if (code == CKR_ENCRYPTED_DATA_INVALID
        || code == CKR_ENCRYPTED_DATA_LEN_RANGE
        || code == CKR_DATA_INVALID
        || code == CKR_DATA_LEN_RANGE) {
      throw new HsmException(Kind.AUTHENTICATION_FAILED, "decryption failed", code, null);
    }
    if (code == CKR_GENERAL_ERROR) {
      if (answersFor(s, key)) {
        throw new HsmException(Kind.AUTHENTICATION_FAILED, "decryption failed", code, null);
      }
      LOG.error(
          "C_Decrypt({}) failed with CKR_GENERAL_ERROR and the device then failed to read the"
              + " key's type: a device fault",
          mechanism);
      throw new HsmException(
          Kind.INTERNAL, "C_Decrypt(" + mechanism + ") failed: device fault", code, null);
    }
    return e;
  }

  /**
   * Whether the device still reads the key object's type on this session: after CKR_GENERAL_ERROR,
   * a device that answers failed the operation (e.g. a wrong padding), one that does not is at
   * fault. Shared with the unwrapping of imported material ({@link ImportChecks}).
   */
  static boolean answersFor(Session s, long key) {
    try {
      return s.getAttrValues(key, CKA_KEY_TYPE).keyType() != null;
    } catch (PKCS11Exception | RuntimeException e) {
      return false;
    }
  }
}
