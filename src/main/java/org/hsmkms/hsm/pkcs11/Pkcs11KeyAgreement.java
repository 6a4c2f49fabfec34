package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_VALUE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKD_NULL;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_GENERIC_SECRET;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_ECDH1_DERIVE;

import org.hsmkms.hsm.KeyAgreement;
import org.hsmkms.hsm.KeyInventory;
import org.hsmkms.hsm.MaterialId;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.params.ECDH1_DERIVE_PARAMS;

/**
 * ECDH ({@code CKM_ECDH1_DERIVE}, no KDF) with a CMK's private key: the shared secret is made as an
 * extractable session object, read once and destroyed.
 */
final class Pkcs11KeyAgreement implements KeyAgreement {
  private static final String LABEL = KeyInventory.LABEL_PREFIX + "shared-secret";

  private final SessionExecutor executor;
  private final KeyHandles handles;

  Pkcs11KeyAgreement(SessionExecutor executor, KeyHandles handles) {
    this.executor = executor;
    this.handles = handles;
  }

  @Override
  public byte[] deriveSharedSecret(MaterialId key, byte[] peerPoint) {
    return executor.call(
        "C_DeriveKey(CKM_ECDH1_DERIVE)",
        s -> {
          long h = handles.key(s, key);
          int size = handles.type(s, key).size();
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
                  .label(LABEL);
          Mechanism mech =
              new Mechanism(
                  CKM_ECDH1_DERIVE, new ECDH1_DERIVE_PARAMS(CKD_NULL, null, peerPoint.clone()));
          long secret = s.deriveKey(mech, h, template);
          try {
            return s.getAttrValues(secret, CKA_VALUE).getByteArrayAttrValue(CKA_VALUE);
          } finally {
            s.destroyObject(secret);
          }
        });
  }
}
