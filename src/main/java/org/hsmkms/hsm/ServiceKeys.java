package org.hsmkms.hsm;

/**
 * The service's own keys (e.g. the one that seals the credentials file), never CMKs: labelled
 * {@code hsm-kms-service:}, invisible to {@link KeyInventory}, and usable only here, so no request
 * and no damaged metadata row can reach them.
 */
public interface ServiceKeys {

  /** Label prefix ({@code CKA_LABEL}) of every service key object. */
  String LABEL_PREFIX = "hsm-kms-service:";

  /**
   * Makes sure the token holds a service key with this id, generating it if absent: AES-256,
   * persistent, sensitive, never extractable, usable only for AES-GCM.
   *
   * @param label appended to {@link #LABEL_PREFIX}
   * @return true if the key was generated now
   */
  boolean ensureServiceKey(MaterialId id, String label);

  /**
   * Makes sure the token holds a service HMAC key with this id, generating it if absent: a 32-byte
   * generic secret, persistent, sensitive, never extractable, usable only for HMAC-SHA256.
   *
   * @param label appended to {@link #LABEL_PREFIX}
   * @return true if the key was generated now
   */
  boolean ensureServiceMacKey(MaterialId id, String label);

  /** HMAC-SHA256 of {@code message} under a service HMAC key, computed in the HSM. */
  byte[] serviceMac(MaterialId key, byte[] message);

  /** AES-GCM encryption under a service key; see {@link SymmetricEncryption#encrypt}. */
  byte[] encrypt(MaterialId key, byte[] plaintext, byte[] aad);

  /** AES-GCM decryption under a service key; see {@link SymmetricEncryption#decrypt}. */
  byte[] decrypt(MaterialId key, byte[] iv, byte[] ciphertextAndTag, byte[] aad);
}
