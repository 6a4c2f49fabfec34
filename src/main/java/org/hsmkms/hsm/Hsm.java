package org.hsmkms.hsm;

import java.util.List;

/**
 * The seam between the service and the hardware. Implementations run every call inside the HSM;
 * nothing above this interface sees sessions, handles or Cryptoki constants.
 *
 * <p>Security: key material created here is generated in the token, sensitive and never
 * extractable. Methods that return plaintext return it in a fresh array the caller owns and must
 * zero.
 */
public interface Hsm extends AutoCloseable {

  /**
   * Generates a persistent AES-256 key in the token, sensitive and never extractable.
   *
   * @param materialId the object id ({@code CKA_ID}) the key is found by afterwards
   * @param label a human-readable label ({@code CKA_LABEL}) for operators
   */
  void generateAesKey(byte[] materialId, String label);

  /**
   * Makes sure the token holds a service key with this id, generating it if absent: AES-256,
   * persistent, sensitive, never extractable, usable only to encrypt and decrypt. A service key
   * is the service's own (e.g. the one that seals the credentials file), never a CMK: {@link
   * #listKeyIds()} does not list it, and no request can name it. Use it with {@link
   * #encryptAesGcm}/{@link #decryptAesGcm}.
   *
   * @param keyId the object id ({@code CKA_ID}), 16 bytes
   * @param label a short name, stored as {@code hsm-kms-service:<label>} ({@code CKA_LABEL})
   * @return true if the key was generated now
   */
  boolean ensureServiceKey(byte[] keyId, String label);

  /** True if the token holds a key object with this id. */
  boolean keyExists(byte[] materialId);

  /** Ids ({@code CKA_ID}) of all secret key objects on the token created by this service. */
  List<byte[]> listKeyIds();

  /** Destroys the key object with this id; does nothing if it is absent. */
  void destroyKey(byte[] materialId);

  /**
   * AES-GCM encryption inside the HSM with a fresh 12-byte IV from the token's RNG.
   *
   * @return IV (12 bytes) followed by ciphertext and 16-byte tag
   */
  byte[] encryptAesGcm(byte[] materialId, byte[] plaintext, byte[] aad);

  /**
   * AES-GCM decryption inside the HSM.
   *
   * @throws HsmException with {@link HsmException#isAuthenticationFailure()} true when the tag does
   *     not verify
   */
  byte[] decryptAesGcm(byte[] materialId, byte[] iv, byte[] ciphertextAndTag, byte[] aad);

  /** {@code n} random bytes from the token's RNG. */
  byte[] generateRandom(int n);

  /** Security-relevant attributes of a key object, for tests and health checks. */
  KeyAttributes keyAttributes(byte[] materialId);

  /** What the token says about a key object's protection. */
  record KeyAttributes(
      boolean token, boolean sensitive, boolean extractable, boolean neverExtractable) {}

  @Override
  void close();
}
