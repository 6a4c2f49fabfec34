package org.hsmkms.hsm;

import org.hsmkms.crypto.RsaOaep;

/** RSA decryption with a private key that never leaves the HSM. */
public interface AsymmetricDecryption {

  /**
   * RSAES-OAEP decryption (MGF1 over the same hash, empty label).
   *
   * @throws HsmException with {@link HsmException#isAuthenticationFailure()} true when the
   *     ciphertext does not decrypt
   */
  byte[] decryptRsaOaep(MaterialId key, RsaOaep.Hash hash, byte[] ciphertext);
}
