package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_KEY_TYPE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_MODULUS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_PUBLIC_EXPONENT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_VALUE_LEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKG_MGF1_SHA1;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKG_MGF1_SHA256;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_RSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_GCM;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_KEY_WRAP_PAD;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS_KEY_PAIR_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS_OAEP;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_X_509;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA256;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA_1;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_PRIVATE_KEY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_PUBLIC_KEY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_ARGUMENTS_BAD;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_MECHANISM_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_MECHANISM_PARAM_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKZ_DATA_SPECIFIED;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.hsmkms.crypto.KeyEncodings;
import org.hsmkms.crypto.RsaOaep;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.HsmException.Kind;
import org.hsmkms.hsm.KeyImport;
import org.hsmkms.hsm.KeyInventory;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.pkcs11.KeyHandles.Owner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11KeyPair;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.params.GCM_PARAMS;
import org.xipki.pkcs11.wrapper.params.RSA_PKCS_OAEP_PARAMS;

/**
 * {@link KeyImport} over PKCS#11: RSA wrapping pairs, and {@code C_UnwrapKey} of the client's
 * material straight into the CMK object.
 *
 * <p>RSAES_OAEP_SHA_1 is one {@code C_UnwrapKey(CKM_RSA_PKCS_OAEP)}. RSA_AES_KEY_WRAP_* unwraps the
 * ephemeral AES key into a session object ({@code CKM_RSA_PKCS_OAEP}), then the material with it
 * ({@code CKM_AES_KEY_WRAP_PAD}, RFC 5649), and destroys the session key. For SHA-256, the token is
 * asked for OAEP with SHA-256 first; a token that refuses it (SoftHSM2: {@code CKR_ARGUMENTS_BAD})
 * is from then on used for the raw RSA operation ({@code CKM_RSA_X_509}), the OAEP padding is
 * decoded here ({@link RsaOaep}), and the result (the ephemeral AES key, or for RSAES_OAEP_SHA_256
 * the material) is put into the HSM with {@code C_CreateObject} and zeroed at once.
 */
final class Pkcs11KeyImport implements KeyImport {
  private static final Logger LOG = LoggerFactory.getLogger(Pkcs11KeyImport.class);

  /** The fixed inputs of an AES or HMAC fingerprint; never used for anything else. */
  private static final byte[] FINGERPRINT_MESSAGE =
      "hsm-kms imported key material fingerprint v1".getBytes(StandardCharsets.US_ASCII);

  private static final byte[] FINGERPRINT_IV = new byte[12];

  private final SessionExecutor executor;
  private final KeyHandles handles;

  /** Cleared once the token refuses CKM_RSA_PKCS_OAEP with SHA-256. */
  private volatile boolean nativeOaepSha256 = true;

  Pkcs11KeyImport(SessionExecutor executor, KeyHandles handles) {
    this.executor = executor;
    this.handles = handles;
  }

  @Override
  public byte[] generateWrappingKey(MaterialId id, int bits, Wrapping wrapping, String label) {
    return executor.call(
        "C_GenerateKeyPair(wrapping RSA " + bits + ")",
        s -> {
          PKCS11KeyPair pair =
              s.generateKeyPair(
                  new Mechanism(CKM_RSA_PKCS_KEY_PAIR_GEN),
                  ImportTemplates.wrappingPair(bits, wrapping, id, LABEL_PREFIX + label));
          AttributeVector a =
              s.getAttrValues(pair.getPublicKey(), CKA_MODULUS, CKA_PUBLIC_EXPONENT);
          return KeyEncodings.rsaPublicKey(
              a.getByteArrayAttrValue(CKA_MODULUS), a.getByteArrayAttrValue(CKA_PUBLIC_EXPONENT));
        });
  }

  @Override
  public void destroyWrappingKey(MaterialId id) {
    executor.call(
        "C_DestroyObject(wrapping key)",
        s -> {
          for (long objectClass : new long[] {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY}) {
            Long h = KeyHandles.find(s, id, objectClass, Owner.IMPORT);
            if (h != null) {
              s.destroyObject(h);
            }
          }
          return null;
        });
  }

  @Override
  public List<MaterialId> listWrappingKeys() {
    return executor.call(
        "C_FindObjects(wrapping keys)",
        s -> KeyHandles.listIds(s, KeyHandles.Owner.IMPORT, CKO_PRIVATE_KEY));
  }

  @Override
  public byte[] importMaterial(
      MaterialId wrappingKey,
      Wrapping wrapping,
      byte[] encrypted,
      Material material,
      MaterialId target,
      String label,
      boolean persistent) {
    return executor.call(
        "C_UnwrapKey(" + wrapping + ")",
        s -> {
          Long unwrapping = KeyHandles.find(s, wrappingKey, CKO_PRIVATE_KEY, Owner.IMPORT);
          if (unwrapping == null) {
            throw new HsmException(Kind.KEY_NOT_FOUND, "no wrapping key " + wrappingKey);
          }
          int k = (s.getAttrValues(unwrapping, CKA_MODULUS).modulus().bitLength() + 7) / 8;
          Target template =
              unwrap ->
                  ImportTemplates.target(
                      material, target, KeyInventory.LABEL_PREFIX + label, persistent, unwrap);
          long object =
              wrapping.aesKeyWrap()
                  ? unwrapViaAes(s, unwrapping, k, wrapping, encrypted, template)
                  : unwrapDirect(s, unwrapping, k, wrapping, encrypted, material, template);
          boolean keep = false;
          try {
            ImportChecks.check(s, object, material);
            byte[] fingerprint = fingerprint(s, object, material);
            if (persistent && material.kind() == Material.Kind.KEY_PAIR) {
              AttributeVector a = s.getAttrValues(object, CKA_MODULUS, CKA_PUBLIC_EXPONENT);
              s.createObject(
                  ImportTemplates.rsaPublicKey(
                      a.modulus(),
                      a.publicExponent(),
                      material.usage(),
                      target,
                      KeyInventory.LABEL_PREFIX + label));
            }
            keep = persistent;
            if (persistent) {
              handles.forget(target);
            }
            return fingerprint;
          } finally {
            if (!keep) {
              s.destroyObject(object);
            }
          }
        });
  }

  /** The CMK template, for C_UnwrapKey ({@code true}) or for C_CreateObject. */
  @FunctionalInterface
  private interface Target {
    AttributeVector template(boolean unwrap);
  }

  /** RSAES_OAEP_*: the material is the OAEP payload. */
  private long unwrapDirect(
      Session s, long unwrapping, int k, Wrapping wrapping, byte[] c, Material m, Target template)
      throws PKCS11Exception {
    if (!wrapping.sha256() || nativeOaepSha256) {
      try {
        return unwrapOaep(s, unwrapping, wrapping.sha256(), c, template.template(true));
      } catch (PKCS11Exception e) {
        if (!refusesOaepSha256(wrapping, e)) {
          throw ImportChecks.classify(s, unwrapping, e);
        }
      }
    }
    byte[] material = decryptOaepInService(s, unwrapping, k, c);
    try {
      if (m.kind() != Material.Kind.KEY_PAIR
          && (material.length < m.minBytes() || material.length > m.maxBytes())) {
        throw new HsmException(Kind.AUTHENTICATION_FAILED, "material of the wrong length");
      }
      return s.createObject(template.template(false).value(material));
    } catch (PKCS11Exception e) {
      throw ImportChecks.classify(s, unwrapping, e);
    } finally {
      Arrays.fill(material, (byte) 0);
    }
  }

  /** RSA_AES_KEY_WRAP_*: RSA-OAEP(ephemeral AES key) || AES-KWP(material). */
  private long unwrapViaAes(
      Session s, long unwrapping, int k, Wrapping wrapping, byte[] c, Target template)
      throws PKCS11Exception {
    if (c.length <= k) {
      throw new HsmException(Kind.AUTHENTICATION_FAILED, "wrapped material too short");
    }
    byte[] rsaPart = Arrays.copyOfRange(c, 0, k);
    byte[] kwpPart = Arrays.copyOfRange(c, k, c.length);
    long aes = ephemeralKey(s, unwrapping, k, wrapping, rsaPart);
    try {
      return s.unwrapKey(
          new Mechanism(CKM_AES_KEY_WRAP_PAD), aes, kwpPart, template.template(true));
    } catch (PKCS11Exception e) {
      throw ImportChecks.classify(s, unwrapping, e);
    } finally {
      s.destroyObject(aes);
    }
  }

  private long ephemeralKey(Session s, long unwrapping, int k, Wrapping wrapping, byte[] rsaPart)
      throws PKCS11Exception {
    if (!wrapping.sha256() || nativeOaepSha256) {
      try {
        return unwrapOaep(
            s, unwrapping, wrapping.sha256(), rsaPart, ImportTemplates.ephemeralAesKey());
      } catch (PKCS11Exception e) {
        if (!refusesOaepSha256(wrapping, e)) {
          throw ImportChecks.classify(s, unwrapping, e);
        }
      }
    }
    byte[] key = decryptOaepInService(s, unwrapping, k, rsaPart);
    try {
      if (key.length != 16 && key.length != 24 && key.length != 32) {
        throw new HsmException(Kind.AUTHENTICATION_FAILED, "not an AES key");
      }
      return s.createObject(ImportTemplates.ephemeralAesKey().value(key));
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  private static long unwrapOaep(
      Session s, long unwrapping, boolean sha256, byte[] c, AttributeVector template)
      throws PKCS11Exception {
    Mechanism oaep =
        new Mechanism(
            CKM_RSA_PKCS_OAEP,
            new RSA_PKCS_OAEP_PARAMS(
                sha256 ? CKM_SHA256 : CKM_SHA_1,
                sha256 ? CKG_MGF1_SHA256 : CKG_MGF1_SHA1,
                CKZ_DATA_SPECIFIED,
                null));
    return s.unwrapKey(oaep, unwrapping, c, template);
  }

  /** Whether the token refused OAEP with SHA-256 itself; remembered if so. */
  private boolean refusesOaepSha256(Wrapping wrapping, PKCS11Exception e) {
    long code = e.getErrorCode();
    if (!wrapping.sha256()
        || (code != CKR_ARGUMENTS_BAD
            && code != CKR_MECHANISM_PARAM_INVALID
            && code != CKR_MECHANISM_INVALID)) {
      return false;
    }
    LOG.info(
        "token lacks CKM_RSA_PKCS_OAEP with SHA-256 for C_UnwrapKey ({}); imports use"
            + " CKM_RSA_X_509 and OAEP decoding in the service",
        e.getErrorName());
    nativeOaepSha256 = false;
    return true;
  }

  /**
   * Raw RSA in the HSM and EME-OAEP (SHA-256) decoding here: the payload, which the caller must
   * zero. Any failure is the same authentication failure.
   */
  private static byte[] decryptOaepInService(Session s, long unwrapping, int k, byte[] c)
      throws PKCS11Exception {
    if (c.length != k) {
      throw new HsmException(Kind.AUTHENTICATION_FAILED, "wrapped material has the wrong length");
    }
    byte[] raw;
    try {
      raw = s.decryptSingle(new Mechanism(CKM_RSA_X_509), unwrapping, c);
    } catch (PKCS11Exception e) {
      throw ImportChecks.classify(s, unwrapping, e);
    }
    byte[] em = raw.length == k ? raw : new byte[k];
    try {
      if (raw.length > k) {
        throw new HsmException(Kind.AUTHENTICATION_FAILED, "decryption failed");
      }
      if (em != raw) {
        System.arraycopy(raw, 0, em, k - raw.length, raw.length);
      }
      return RsaOaep.decode(em, k, RsaOaep.Hash.SHA_256)
          .orElseThrow(() -> new HsmException(Kind.AUTHENTICATION_FAILED, "decryption failed"));
    } finally {
      Arrays.fill(raw, (byte) 0);
      Arrays.fill(em, (byte) 0);
    }
  }

  /**
   * What identifies the material without revealing it: AES-GCM of a fixed message under a fixed IV
   * (an IV the service's random IVs meet with probability 2^-96), an HMAC of a fixed message, or
   * the RSA public key.
   */
  private static byte[] fingerprint(Session s, long object, Material material)
      throws PKCS11Exception {
    return switch (material.kind()) {
      case AES_256 ->
          s.encryptSingle(
              new Mechanism(CKM_AES_GCM, new GCM_PARAMS(FINGERPRINT_IV, FINGERPRINT_MESSAGE, 128)),
              object,
              new byte[16]);
      case HMAC -> s.signSingle(Pkcs11Mac.mechanism(material.mac()), object, FINGERPRINT_MESSAGE);
      case KEY_PAIR -> {
        if (s.getAttrValues(object, CKA_KEY_TYPE).keyType() != CKK_RSA) {
          throw new HsmException(Kind.INTERNAL, "only RSA key pairs are imported");
        }
        AttributeVector a = s.getAttrValues(object, CKA_MODULUS, CKA_PUBLIC_EXPONENT);
        yield KeyEncodings.rsaPublicKey(
            a.getByteArrayAttrValue(CKA_MODULUS), a.getByteArrayAttrValue(CKA_PUBLIC_EXPONENT));
      }
    };
  }

  /** The length of a secret key object's value (not sensitive), for the checks. */
  static int valueLength(Session s, long object) throws PKCS11Exception {
    Integer len = s.getAttrValues(object, CKA_VALUE_LEN).valueLen();
    return len == null ? -1 : len;
  }

  static BigInteger modulus(Session s, long object) throws PKCS11Exception {
    return s.getAttrValues(object, CKA_MODULUS).modulus();
  }
}
