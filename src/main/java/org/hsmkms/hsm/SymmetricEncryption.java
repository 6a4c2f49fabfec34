package org.hsmkms.hsm;

/**
 * AES-256-GCM under a symmetric key held in the HSM. Both calls run inside the HSM; the key never
 * leaves it.
 *
 * <p>Security: a failed tag check (wrong key, AAD, IV or tampered ciphertext) is an {@link
 * HsmException} with {@link HsmException#isAuthenticationFailure()} true and no detail; a fault of
 * the device is never reported as one.
 */
public interface SymmetricEncryption {

  /**
   * Encrypts with a fresh 12-byte IV from the token's RNG.
   *
   * @return IV (12 bytes) followed by ciphertext and 16-byte tag
   */
  byte[] encrypt(MaterialId key, byte[] plaintext, byte[] aad);

  /** Decrypts and checks the tag; the plaintext returned is the caller's to zero. */
  byte[] decrypt(MaterialId key, byte[] iv, byte[] ciphertextAndTag, byte[] aad);
}
