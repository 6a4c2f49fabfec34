package org.hsmkms.hsm;

import java.util.List;

/**
 * The CMK objects in the token: made, found, listed and destroyed here, and only CMKs (objects
 * labelled {@code hsm-kms:}); the service's own keys ({@link ServiceKeys}) and objects of anyone
 * else are never listed, found or destroyed through this interface.
 *
 * <p>Security: every key generated here is a token object, sensitive and never extractable, allowed
 * only its usage.
 */
public interface KeyInventory {

  /** Label prefix ({@code CKA_LABEL}) of every CMK object. */
  String LABEL_PREFIX = "hsm-kms:";

  /**
   * Generates an AES-256 key for encryption and decryption only.
   *
   * @param label appended to {@link #LABEL_PREFIX} as the object's {@code CKA_LABEL}
   */
  void generateAesKey(MaterialId id, String label);

  /**
   * Generates a generic secret of {@code lengthBytes} for HMAC, allowed only to sign and verify.
   */
  void generateHmacKey(MaterialId id, int lengthBytes, String label);

  /** Generates a key pair whose private key is allowed exactly {@code usage}. */
  void generateKeyPair(MaterialId id, KeyPairType type, KeyPairUsage usage, String label);

  /** True if the token holds a CMK key object with this id. */
  boolean keyExists(MaterialId id);

  /** The ids of every CMK key object (secret or private key) on the token. */
  List<MaterialId> listKeyIds();

  /**
   * Destroys the CMK objects with this id (a secret key, or a private key and its public key); does
   * nothing if there are none. An object with this id that is not a CMK is never destroyed.
   */
  void destroyKey(MaterialId id);
}
