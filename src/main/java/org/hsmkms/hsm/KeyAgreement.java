package org.hsmkms.hsm;

/** ECDH with a private key held in the HSM. */
public interface KeyAgreement {

  /**
   * ECDH ({@code CKM_ECDH1_DERIVE}, no KDF) between the private key and a peer point.
   *
   * @param peerPoint the peer's uncompressed point on the key's curve
   * @return the shared secret (the x-coordinate), which the caller owns and zeroes
   */
  byte[] deriveSharedSecret(MaterialId key, byte[] peerPoint);
}
