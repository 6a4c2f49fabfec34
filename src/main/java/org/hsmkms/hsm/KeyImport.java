package org.hsmkms.hsm;

import java.util.List;

/**
 * Imported key material (BYOK): the RSA wrapping key pairs of GetParametersForImport, and the
 * unwrapping of a client's wrapped material into a CMK object with the same attributes as a CMK the
 * HSM generated.
 *
 * <p>Security: wrapping key pairs are generated in the HSM as token objects; the private key is
 * sensitive, never extractable, and allowed only the unwrapping the chosen algorithm needs.
 * Material is unwrapped with {@code C_UnwrapKey} straight into a sensitive, never extractable
 * object. Only where the token lacks RSA-OAEP with SHA-256 does a secret pass through the service:
 * the ephemeral AES key of {@link Wrapping#RSA_AES_KEY_WRAP_SHA_256}, or the material itself for
 * {@link Wrapping#RSAES_OAEP_SHA_256}; each is zeroed as soon as it is in the HSM (docs/import.md).
 * Objects of this interface carry the label prefix {@link #LABEL_PREFIX}, so the CMK inventory
 * never lists or destroys them.
 */
public interface KeyImport {

  /** Label prefix ({@code CKA_LABEL}) of the wrapping key pairs. */
  String LABEL_PREFIX = "hsm-kms-import:";

  /** AWS's wrapping algorithms (GetParametersForImport's WrappingAlgorithm). */
  enum Wrapping {
    RSAES_OAEP_SHA_1,
    RSAES_OAEP_SHA_256,
    RSA_AES_KEY_WRAP_SHA_1,
    RSA_AES_KEY_WRAP_SHA_256;

    /** Whether OAEP (and its MGF1) uses SHA-256 rather than SHA-1. */
    public boolean sha256() {
      return this == RSAES_OAEP_SHA_256 || this == RSA_AES_KEY_WRAP_SHA_256;
    }

    /** Whether the material is wrapped by an ephemeral AES key (RFC 5649) under RSA-OAEP. */
    public boolean aesKeyWrap() {
      return this == RSA_AES_KEY_WRAP_SHA_1 || this == RSA_AES_KEY_WRAP_SHA_256;
    }
  }

  /** What kind of CMK the material must make; the HSM object gets exactly its usage. */
  record Material(
      Kind kind,
      MacScheme mac,
      int minBytes,
      int maxBytes,
      KeyPairType pairType,
      KeyPairUsage usage) {
    /** The kinds of imported material. */
    public enum Kind {
      AES_256,
      HMAC,
      KEY_PAIR
    }

    /** A 256-bit AES key for AES-GCM (SYMMETRIC_DEFAULT). */
    public static Material aes256() {
      return new Material(Kind.AES_256, null, 32, 32, null, null);
    }

    /** A generic secret of {@code minBytes..maxBytes} bytes for HMAC with {@code mac}. */
    public static Material hmac(MacScheme mac, int minBytes, int maxBytes) {
      return new Material(Kind.HMAC, mac, minBytes, maxBytes, null, null);
    }

    /** A private key (PKCS#8) of {@code type}, allowed {@code usage}, and its public key. */
    public static Material keyPair(KeyPairType type, KeyPairUsage usage) {
      return new Material(Kind.KEY_PAIR, null, 0, 0, type, usage);
    }
  }

  /**
   * Generates an RSA wrapping key pair as token objects with this id.
   *
   * @return the public key as a DER SubjectPublicKeyInfo
   */
  byte[] generateWrappingKey(MaterialId id, int modulusBits, Wrapping wrapping, String label);

  /** Destroys a wrapping key pair; does nothing if it is gone. */
  void destroyWrappingKey(MaterialId id);

  /** The ids of every wrapping key pair on the token (by their private keys). */
  List<MaterialId> listWrappingKeys();

  /**
   * Unwraps {@code encrypted} with the wrapping key into the CMK object(s) {@code target}: token
   * objects when {@code persistent}, else session objects that are destroyed before this returns
   * (to compare a re-import with the material in use).
   *
   * @return the material's fingerprint, computed in the HSM: an AES-GCM encryption of a fixed block
   *     under a fixed IV, an HMAC of a fixed message, or the public key (SPKI); it identifies the
   *     material without revealing it
   * @throws HsmException of kind AUTHENTICATION_FAILED if the wrapped material does not unwrap or
   *     is not material of {@code material}'s kind and size (nothing is left in the token then), of
   *     kind KEY_NOT_FOUND if the wrapping key is gone
   */
  byte[] importMaterial(
      MaterialId wrappingKey,
      Wrapping wrapping,
      byte[] encrypted,
      Material material,
      MaterialId target,
      String label,
      boolean persistent);
}
