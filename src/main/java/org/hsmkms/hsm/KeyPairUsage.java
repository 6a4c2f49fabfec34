package org.hsmkms.hsm;

/**
 * What the private key of a persistent key pair may do; the HSM object allows exactly that ({@code
 * CKA_SIGN}, {@code CKA_DECRYPT} or {@code CKA_DERIVE}) and nothing else.
 */
public enum KeyPairUsage {
  SIGN_VERIFY,
  ENCRYPT_DECRYPT,
  KEY_AGREEMENT
}
