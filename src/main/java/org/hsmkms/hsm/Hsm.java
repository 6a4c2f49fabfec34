package org.hsmkms.hsm;

import java.util.List;
import java.util.Optional;
import org.hsmkms.crypto.RsaOaep;

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
   * persistent, sensitive, never extractable, usable only to encrypt and decrypt. A service key is
   * the service's own (e.g. the one that seals the credentials file), never a CMK: {@link
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

  /**
   * Ids ({@code CKA_ID}) of all secret and private key objects on the token created by this
   * service.
   */
  List<byte[]> listKeyIds();

  /**
   * Destroys the key objects with this id (a secret key, or a private key and its public key); does
   * nothing if they are absent.
   */
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

  // ---- Asymmetric and HMAC CMKs -------------------------------------------------------------

  /**
   * Generates a persistent key pair in the token ({@code C_GenerateKeyPair}): the private key
   * sensitive and never extractable, allowed only {@code usage}; the public key a token object too.
   * Both carry {@code materialId} as {@code CKA_ID}.
   */
  void generateKeyPair(byte[] materialId, KeyPairType type, KeyPairUsage usage, String label);

  /**
   * Generates a persistent generic secret key of {@code lengthBytes} for HMAC, sensitive and never
   * extractable, allowed only to sign and verify.
   */
  void generateHmacKey(byte[] materialId, int lengthBytes, String label);

  /** The public key of a persistent key pair as DER SubjectPublicKeyInfo. */
  byte[] publicKey(byte[] materialId);

  /**
   * Signs in the HSM with the private key of a persistent pair.
   *
   * @param input the digest for RSA and ECDSA schemes, the message for EdDSA
   * @return the signature; ECDSA signatures are DER {@code Ecdsa-Sig-Value}
   */
  byte[] sign(byte[] materialId, SignatureScheme scheme, byte[] input);

  /**
   * Verifies in the HSM with the public key of a persistent pair.
   *
   * @return false if the signature does not verify or is malformed
   */
  boolean verify(byte[] materialId, SignatureScheme scheme, byte[] input, byte[] signature);

  /**
   * RSAES-OAEP decryption (MGF1 over the same hash, empty label) with the private key of a
   * persistent pair, which never leaves the HSM.
   *
   * @throws HsmException with {@link HsmException#isAuthenticationFailure()} true when the
   *     ciphertext does not decrypt
   */
  byte[] decryptRsaOaep(byte[] materialId, RsaOaep.Hash hash, byte[] ciphertext);

  /**
   * ECDH ({@code CKM_ECDH1_DERIVE}, no KDF) between the private key of a persistent pair and a peer
   * point; returns the shared secret (the x-coordinate), which the caller owns and zeroes.
   *
   * @param peerPoint the peer's uncompressed point on the same curve
   */
  byte[] deriveSharedSecret(byte[] materialId, byte[] peerPoint);

  /** An HMAC tag computed in the HSM. */
  byte[] mac(byte[] materialId, MacScheme scheme, byte[] message);

  /** Verifies an HMAC tag in the HSM; false if it does not match. */
  boolean verifyMac(byte[] materialId, MacScheme scheme, byte[] message, byte[] tag);

  // ---- Data key pairs ---------------------------------------------------------------------

  /**
   * Generates a key pair in the HSM as session objects, reads it out as SPKI and PKCS#8 and
   * destroys the objects (also when reading fails).
   */
  ExportedKeyPair generateDataKeyPair(KeyPairType type);

  /**
   * Generates a key pair in the HSM as session objects kept alive for a later {@link
   * #takeDataKeyPair}; nothing about the private key leaves the HSM here.
   */
  PregeneratedKeyPair pregenerateDataKeyPair(KeyPairType type);

  /**
   * Reads a pregenerated pair out and destroys its objects. Empty if the objects are gone (their
   * session was lost); a pair is never handed out twice.
   */
  Optional<ExportedKeyPair> takeDataKeyPair(PregeneratedKeyPair pair);

  /**
   * False if the pair is known to be gone (the session that held it was lost); true if it may still
   * be taken. Makes no HSM call.
   */
  boolean isAlive(PregeneratedKeyPair pair);

  /** Destroys a pregenerated pair without reading it. */
  void discardDataKeyPair(PregeneratedKeyPair pair);

  /**
   * How many session objects this service holds in the token right now, working copies of keys
   * aside, for tests and health.
   */
  int sessionObjectCount();

  /** How many keys have a working copy (a session object used in place of the token object). */
  int workingCopyCount();

  /** The attributes of the working copy of a key, if it has one now. */
  Optional<KeyAttributes> workingCopyAttributes(byte[] materialId);

  /**
   * Security-relevant attributes of a key object (the secret or private key), for tests and health
   * checks.
   */
  KeyAttributes keyAttributes(byte[] materialId);

  /** What the token says about a key object's protection. */
  record KeyAttributes(
      boolean token, boolean sensitive, boolean extractable, boolean neverExtractable) {}

  @Override
  void close();
}
