package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_GCM;

import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.params.GCM_PARAMS;

/**
 * The JNI layer that carries AES-GCM calls into the module: the JDK's ({@link JdkGcm}, faster) or
 * the IAIK wrapper's ({@link #IAIK}). Both act on the same sessions and object handles.
 */
interface GcmLayer {

  /** "jdk" or "iaik". */
  String name();

  /** Ciphertext and 16-byte tag of {@code plaintext} under {@code key}. */
  byte[] encrypt(Session s, long key, byte[] iv, byte[] aad, byte[] plaintext)
      throws PKCS11Exception;

  /** The plaintext of {@code ciphertextAndTag}, or an exception if the tag does not verify. */
  byte[] decrypt(Session s, long key, byte[] iv, byte[] aad, byte[] ciphertextAndTag)
      throws PKCS11Exception;

  /** The IAIK wrapper's own calls. */
  GcmLayer IAIK =
      new GcmLayer() {
        private static final int TAG_BITS = 128;

        @Override
        public String name() {
          return "iaik";
        }

        @Override
        public byte[] encrypt(Session s, long key, byte[] iv, byte[] aad, byte[] plaintext)
            throws PKCS11Exception {
          return s.encryptSingle(mechanism(iv, aad), key, plaintext);
        }

        @Override
        public byte[] decrypt(Session s, long key, byte[] iv, byte[] aad, byte[] ciphertextAndTag)
            throws PKCS11Exception {
          return s.decryptSingle(mechanism(iv, aad), key, ciphertextAndTag);
        }

        private Mechanism mechanism(byte[] iv, byte[] aad) {
          return new Mechanism(CKM_AES_GCM, new GCM_PARAMS(iv, aad, TAG_BITS));
        }
      };
}
