package org.hsmkms.hsm;

/** HMAC (RFC 2104) with a SHA-2 hash, computed in the HSM with a generic secret key. */
public enum MacScheme {
  HMAC_SHA224(28),
  HMAC_SHA256(32),
  HMAC_SHA384(48),
  HMAC_SHA512(64);

  private final int length;

  MacScheme(int length) {
    this.length = length;
  }

  /** Tag length in bytes, which is also the minimum key length. */
  public int length() {
    return length;
  }
}
