package org.hsmkms.hsm;

/**
 * Signatures with the private key of a key pair held in the HSM; verification with its public key.
 */
public interface Signing {

  /**
   * Signs in the HSM.
   *
   * @param input the digest for RSA and ECDSA schemes, the message for EdDSA
   * @return the signature; ECDSA signatures are DER {@code Ecdsa-Sig-Value}
   */
  byte[] sign(MaterialId key, SignatureScheme scheme, byte[] input);

  /**
   * Verifies in the HSM.
   *
   * @return false if the signature does not verify or is malformed
   */
  boolean verify(MaterialId key, SignatureScheme scheme, byte[] input, byte[] signature);
}
