package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA224_HMAC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA256_HMAC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA384_HMAC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_SHA512_HMAC;

import org.hsmkms.hsm.Mac;
import org.hsmkms.hsm.MacScheme;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.pkcs11.KeyHandles.Owner;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.PKCS11Exception;

/**
 * HMAC with {@code CKK_GENERIC_SECRET} keys ({@code CKM_SHA*_HMAC}): CMKs, or (an instance of its
 * own) the service's HMAC keys.
 */
final class Pkcs11Mac implements Mac {
  private final SessionExecutor executor;
  private final KeyHandles handles;
  private final Owner owner;

  Pkcs11Mac(SessionExecutor executor, KeyHandles handles, Owner owner) {
    this.executor = executor;
    this.handles = handles;
    this.owner = owner;
  }

  @Override
  public byte[] computeMac(MaterialId key, MacScheme scheme, byte[] message) {
    return executor.call(
        "C_Sign(" + scheme + ")",
        s -> s.signSingle(mechanism(scheme), handles.key(s, key, owner), message));
  }

  @Override
  public boolean verifyMac(MaterialId key, MacScheme scheme, byte[] message, byte[] tag) {
    return executor.call(
        "C_Verify(" + scheme + ")",
        s -> {
          try {
            s.verifySingle(mechanism(scheme), handles.key(s, key, owner), message, tag);
            return true;
          } catch (PKCS11Exception e) {
            if (Pkcs11Signatures.isBadSignature(e.getErrorCode())) {
              return false;
            }
            throw e;
          }
        });
  }

  static Mechanism mechanism(MacScheme scheme) {
    return new Mechanism(
        switch (scheme) {
          case HMAC_SHA224 -> CKM_SHA224_HMAC;
          case HMAC_SHA256 -> CKM_SHA256_HMAC;
          case HMAC_SHA384 -> CKM_SHA384_HMAC;
          case HMAC_SHA512 -> CKM_SHA512_HMAC;
        });
  }
}
