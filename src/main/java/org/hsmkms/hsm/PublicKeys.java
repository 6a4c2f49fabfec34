package org.hsmkms.hsm;

/** The public half of a key pair held in the HSM. */
public interface PublicKeys {

  /** The public key as DER SubjectPublicKeyInfo. */
  byte[] publicKey(MaterialId key);
}
