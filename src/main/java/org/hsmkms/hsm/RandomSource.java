package org.hsmkms.hsm;

/** Random bytes from the HSM's generator. */
public interface RandomSource {

  /** {@code n} random bytes, in a fresh array the caller owns (and zeroes if they are a key). */
  byte[] generateRandom(int n);
}
