package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKG_MGF1_SHA256;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKG_MGF1_SHA384;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKG_MGF1_SHA512;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_ECDSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_EDDSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_RSA_PKCS_PSS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA256;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA384;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA512;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_SIGNATURE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_SIGNATURE_LEN_RANGE;

import java.util.Arrays;
import java.util.Optional;
import org.hsmkms.crypto.EcdsaSignatures;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.PublicKeys;
import org.hsmkms.hsm.SignatureScheme;
import org.hsmkms.hsm.Signing;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.params.RSA_PKCS_PSS_PARAMS;

/**
 * Signatures of CMK pairs: {@code CKM_RSA_PKCS} over the DigestInfo, {@code CKM_RSA_PKCS_PSS},
 * {@code CKM_ECDSA} (its {@code r||s} converted to DER) and {@code CKM_EDDSA} over the message;
 * verification in the HSM with the public key object; the public key read out as SPKI.
 */
final class Pkcs11Signatures implements Signing, PublicKeys {
  private final SessionExecutor executor;
  private final KeyHandles handles;

  Pkcs11Signatures(SessionExecutor executor, KeyHandles handles) {
    this.executor = executor;
    this.handles = handles;
  }

  @Override
  public byte[] publicKey(MaterialId key) {
    return executor.call(
        "C_GetAttributeValue(public key)",
        s -> KeyPairObjects.publicKeyInfo(s, handles.type(s, key), handles.publicKey(s, key)));
  }

  @Override
  public byte[] sign(MaterialId key, SignatureScheme scheme, byte[] input) {
    return executor.call(
        "C_Sign(" + scheme + ")",
        s -> {
          long h = handles.key(s, key);
          if (scheme == SignatureScheme.ECDSA) {
            return EcdsaSignatures.toDer(s.signSingle(new Mechanism(CKM_ECDSA), h, input));
          }
          if (scheme.digestInfoPrefix() != null) {
            byte[] digestInfo = concat(scheme.digestInfoPrefix(), input);
            return s.signSingle(new Mechanism(CKM_RSA_PKCS), h, digestInfo);
          }
          return s.signSingle(mechanism(scheme), h, input);
        });
  }

  @Override
  public boolean verify(MaterialId key, SignatureScheme scheme, byte[] input, byte[] signature) {
    return executor.call(
        "C_Verify(" + scheme + ")",
        s -> {
          long h = handles.publicKey(s, key);
          Mechanism mech;
          byte[] data = input;
          byte[] sig = signature;
          if (scheme == SignatureScheme.ECDSA) {
            Optional<byte[]> rs = EcdsaSignatures.fromDer(signature, handles.type(s, key).size());
            if (rs.isEmpty()) {
              return false;
            }
            sig = rs.get();
            mech = new Mechanism(CKM_ECDSA);
          } else if (scheme.digestInfoPrefix() != null) {
            data = concat(scheme.digestInfoPrefix(), input);
            mech = new Mechanism(CKM_RSA_PKCS);
          } else {
            mech = mechanism(scheme);
          }
          try {
            s.verifySingle(mech, h, data, sig);
            return true;
          } catch (PKCS11Exception e) {
            if (isBadSignature(e.getErrorCode())) {
              return false;
            }
            throw e;
          }
        });
  }

  /** The codes a token gives for a signature or MAC that does not verify. */
  static boolean isBadSignature(long code) {
    return code == CKR_SIGNATURE_INVALID || code == CKR_SIGNATURE_LEN_RANGE;
  }

  private static Mechanism mechanism(SignatureScheme scheme) {
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

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
