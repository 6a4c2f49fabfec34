package org.hsmkms.hsm;

/** HMAC with a secret key held in the HSM. */
public interface Mac {

  /** The tag of {@code message}, computed in the HSM. */
  byte[] computeMac(MaterialId key, MacScheme scheme, byte[] message);

  /** Verifies a tag in the HSM; false if it does not match. */
  boolean verifyMac(MaterialId key, MacScheme scheme, byte[] message, byte[] tag);
}
