package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_AEAD_DECRYPT_FAILED;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_ENCRYPTED_DATA_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_ENCRYPTED_DATA_LEN_RANGE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_GENERAL_ERROR;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.HsmException.Kind;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.SymmetricEncryption;
import org.hsmkms.hsm.pkcs11.KeyHandles.Owner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.Session;

/**
 * AES-256-GCM ({@code CKM_AES_GCM}, 12-byte IV from the token's RNG, 128-bit tag) under key objects
 * of one owner: CMKs, used through their working copies ({@link WorkingCopies}), or the service's
 * own keys, used as their token objects.
 *
 * <p>A failed tag check is reported as an authentication failure, and only that. Tokens name it
 * {@code CKR_ENCRYPTED_DATA_INVALID}, {@code CKR_AEAD_DECRYPT_FAILED} or, SoftHSM2 among them,
 * {@code CKR_GENERAL_ERROR}, which is also what a failing device says. So after {@code
 * CKR_GENERAL_ERROR} the same key on the same session encrypts and decrypts a block of its own: if
 * that works, the device is sound and the ciphertext was at fault; if not, the failure is the
 * device's, logged and reported as an internal error (a 500 the client may retry), never as {@code
 * InvalidCiphertextException}.
 */
final class Pkcs11AesGcm implements SymmetricEncryption {
  private static final Logger LOG = LoggerFactory.getLogger(Pkcs11AesGcm.class);

  static final int IV_BYTES = 12;
  private static final int PROBE_BYTES = 16;
  private static final byte[] PROBE_AAD =
      "hsm-kms device check".getBytes(StandardCharsets.US_ASCII);

  private final SessionExecutor executor;
  private final KeyHandles handles;
  private final WorkingCopies copies;
  private final TokenRandom random;
  private final GcmLayer layer;
  private final Owner owner;

  /**
   * @param copies working copies of CMKs, or null to use the token objects (service keys)
   */
  Pkcs11AesGcm(
      SessionExecutor executor,
      KeyHandles handles,
      WorkingCopies copies,
      TokenRandom random,
      GcmLayer layer,
      Owner owner) {
    this.executor = executor;
    this.handles = handles;
    this.copies = copies;
    this.random = random;
    this.layer = layer;
    this.owner = owner;
  }

  @Override
  public byte[] encrypt(MaterialId key, byte[] plaintext, byte[] aad) {
    return executor.call(
        "C_Encrypt(CKM_AES_GCM)",
        s -> {
          byte[] iv = random.take(s, IV_BYTES);
          byte[] ct = withKey(s, key, h -> layer.encrypt(s, h, iv, aad, plaintext));
          byte[] out = Arrays.copyOf(iv, IV_BYTES + ct.length);
          System.arraycopy(ct, 0, out, IV_BYTES, ct.length);
          return out;
        });
  }

  @Override
  public byte[] decrypt(MaterialId key, byte[] iv, byte[] ciphertextAndTag, byte[] aad) {
    return executor.call(
        "C_Decrypt(CKM_AES_GCM)",
        s -> {
          try {
            return withKey(s, key, h -> layer.decrypt(s, h, iv, aad, ciphertextAndTag));
          } catch (PKCS11Exception e) {
            long code = e.getErrorCode();
            if (code == CKR_ENCRYPTED_DATA_INVALID
                || code == CKR_ENCRYPTED_DATA_LEN_RANGE
                || code == CKR_AEAD_DECRYPT_FAILED) {
              throw authenticationFailed(code);
            }
            if (code == CKR_GENERAL_ERROR) {
              if (deviceWorks(s, key)) {
                throw authenticationFailed(code);
              }
              LOG.error(
                  "C_Decrypt(CKM_AES_GCM) with key {} failed with CKR_GENERAL_ERROR and the same key"
                      + " then failed a round trip of its own: a device fault",
                  key);
              throw new HsmException(
                  Kind.INTERNAL, "C_Decrypt(CKM_AES_GCM) failed: device fault", code, null);
            }
            throw e;
          }
        });
  }

  private static HsmException authenticationFailed(long code) {
    return new HsmException(Kind.AUTHENTICATION_FAILED, "decryption failed", code, null);
  }

  /**
   * Whether the key encrypts and decrypts a fresh block of its own on this session. A device fault
   * must show twice: a single failed round trip (SoftHSM2 has answered one with an error while
   * other threads used the token) is logged, with its code, and tried again.
   */
  private boolean deviceWorks(Session s, MaterialId key) {
    return roundTrip(s, key) || roundTrip(s, key);
  }

  private boolean roundTrip(Session s, MaterialId key) {
    byte[] probe = null;
    byte[] back = null;
    try {
      probe = random.take(s, PROBE_BYTES);
      byte[] iv = random.take(s, IV_BYTES);
      byte[] p = probe;
      byte[] ct = withKey(s, key, h -> layer.encrypt(s, h, iv, PROBE_AAD, p));
      back = withKey(s, key, h -> layer.decrypt(s, h, iv, PROBE_AAD, ct));
      return Arrays.equals(probe, back);
    } catch (PKCS11Exception | RuntimeException e) {
      LOG.warn("device check of key {} failed: {}", key, e.toString());
      return false;
    } finally {
      if (probe != null) {
        Arrays.fill(probe, (byte) 0);
      }
      if (back != null) {
        Arrays.fill(back, (byte) 0);
      }
    }
  }

  private <T> T withKey(Session s, MaterialId key, WorkingCopies.KeyWork<T> work)
      throws PKCS11Exception {
    if (owner == Owner.CMK && copies != null) {
      return copies.use(key, () -> handles.key(s, key), work);
    }
    return work.run(handles.key(s, key, owner));
  }
}
