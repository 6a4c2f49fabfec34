package org.hsmkms.hsm;

import org.hsmkms.crypto.KeyEncodings;

/**
 * The asymmetric key pairs the HSM generates: RSA with a modulus size, or a named elliptic curve
 * (Weierstrass for ECDSA/ECDH, Edwards for EdDSA).
 */
public enum KeyPairType {
  RSA_2048(Family.RSA, 2048, null, 256),
  RSA_3072(Family.RSA, 3072, null, 384),
  RSA_4096(Family.RSA, 4096, null, 512),
  EC_P256(Family.EC, 256, KeyEncodings.P256, 32),
  EC_P384(Family.EC, 384, KeyEncodings.P384, 48),
  EC_P521(Family.EC, 521, KeyEncodings.P521, 66),
  EC_SECP256K1(Family.EC, 256, KeyEncodings.SECP256K1, 32),
  ED25519(Family.EDWARDS, 255, KeyEncodings.ED25519, 32);

  /** The kind of key. */
  public enum Family {
    RSA,
    EC,
    EDWARDS
  }

  private final Family family;
  private final int bits;
  private final byte[] curveOid;
  private final int size;

  KeyPairType(Family family, int bits, byte[] curveOid, int size) {
    this.family = family;
    this.bits = bits;
    this.curveOid = curveOid;
    this.size = size;
  }

  public Family family() {
    return family;
  }

  /** Modulus size for RSA, curve size for EC. */
  public int bits() {
    return bits;
  }

  /** The curve's DER OBJECT IDENTIFIER ({@code CKA_EC_PARAMS}); null for RSA. */
  public byte[] curveOid() {
    return curveOid == null ? null : curveOid.clone();
  }

  /** Modulus length in bytes for RSA; field (and scalar, coordinate) length in bytes for curves. */
  public int size() {
    return size;
  }
}
