package org.hsmkms.crypto;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The standard encodings AWS KMS uses for asymmetric keys: public keys as DER SubjectPublicKeyInfo
 * (RFC 5280, RFC 5480, RFC 8410) and private keys as DER PKCS#8 PrivateKeyInfo (RFC 5208) around
 * RSAPrivateKey (RFC 8017), ECPrivateKey (RFC 5915) or an Ed25519 CurvePrivateKey (RFC 8410).
 *
 * <p>Security: private encodings are written once into a fresh array the caller owns and must zero;
 * the component arrays passed in stay the caller's to zero, and any padded copy made here is zeroed
 * before returning.
 */
public final class KeyEncodings {
  /** rsaEncryption, 1.2.840.113549.1.1.1. */
  static final byte[] RSA_ENCRYPTION = hex("06092a864886f70d010101");

  /** id-ecPublicKey, 1.2.840.10045.2.1. */
  static final byte[] EC_PUBLIC_KEY = hex("06072a8648ce3d0201");

  /** id-Ed25519, 1.3.101.112. */
  public static final byte[] ED25519 = hex("06032b6570");

  /** prime256v1 (secp256r1, NIST P-256), 1.2.840.10045.3.1.7. */
  public static final byte[] P256 = hex("06082a8648ce3d030107");

  /** secp384r1 (NIST P-384), 1.3.132.0.34. */
  public static final byte[] P384 = hex("06052b81040022");

  /** secp521r1 (NIST P-521), 1.3.132.0.35. */
  public static final byte[] P521 = hex("06052b81040023");

  /** secp256k1, 1.3.132.0.10. */
  public static final byte[] SECP256K1 = hex("06052b8104000a");

  private KeyEncodings() {}

  /** SubjectPublicKeyInfo of an RSA key from its modulus and public exponent (unsigned). */
  public static byte[] rsaPublicKey(byte[] modulus, byte[] publicExponent) {
    return Der.sequence(
            Der.sequence(Der.raw(RSA_ENCRYPTION), Der.nullValue()),
            Der.bitString(
                Der.sequence(Der.unsignedInteger(modulus), Der.unsignedInteger(publicExponent))))
        .encode();
  }

  /** PKCS#8 of an RSA private key with CRT components (all unsigned big-endian). */
  public static byte[] rsaPrivateKey(
      byte[] modulus,
      byte[] publicExponent,
      byte[] privateExponent,
      byte[] prime1,
      byte[] prime2,
      byte[] exponent1,
      byte[] exponent2,
      byte[] coefficient) {
    return Der.sequence(
            Der.integer(0),
            Der.sequence(Der.raw(RSA_ENCRYPTION), Der.nullValue()),
            Der.octetString(
                Der.sequence(
                    Der.integer(0),
                    Der.unsignedInteger(modulus),
                    Der.unsignedInteger(publicExponent),
                    Der.unsignedInteger(privateExponent),
                    Der.unsignedInteger(prime1),
                    Der.unsignedInteger(prime2),
                    Der.unsignedInteger(exponent1),
                    Der.unsignedInteger(exponent2),
                    Der.unsignedInteger(coefficient))))
        .encode();
  }

  /**
   * SubjectPublicKeyInfo of an EC key on a named curve.
   *
   * @param curveOid the curve's DER-encoded OBJECT IDENTIFIER
   * @param point the uncompressed point {@code 04 || X || Y}
   */
  public static byte[] ecPublicKey(byte[] curveOid, byte[] point) {
    return Der.sequence(
            Der.sequence(Der.raw(EC_PUBLIC_KEY), Der.raw(curveOid)), Der.bitString(point))
        .encode();
  }

  /**
   * PKCS#8 of an EC private key on a named curve, with the public point included as OpenSSL writes
   * it.
   *
   * @param fieldBytes the curve's field size in bytes; the scalar is left-padded to it (RFC 5915)
   */
  public static byte[] ecPrivateKey(byte[] curveOid, int fieldBytes, byte[] scalar, byte[] point) {
    int skip = 0;
    while (skip < scalar.length - fieldBytes && scalar[skip] == 0) {
      skip++;
    }
    if (scalar.length - skip > fieldBytes) {
      throw new IllegalArgumentException("EC private scalar longer than the field");
    }
    byte[] padded = new byte[fieldBytes];
    try {
      System.arraycopy(
          scalar, skip, padded, fieldBytes - (scalar.length - skip), scalar.length - skip);
      return Der.sequence(
              Der.integer(0),
              Der.sequence(Der.raw(EC_PUBLIC_KEY), Der.raw(curveOid)),
              Der.octetString(
                  Der.sequence(
                      Der.integer(1),
                      Der.octetString(padded),
                      Der.explicit(1, Der.bitString(point)))))
          .encode();
    } finally {
      Arrays.fill(padded, (byte) 0);
    }
  }

  /** SubjectPublicKeyInfo of an Ed25519 key from its 32-byte encoding. */
  public static byte[] ed25519PublicKey(byte[] publicKey) {
    return Der.sequence(Der.sequence(Der.raw(ED25519)), Der.bitString(publicKey)).encode();
  }

  /** PKCS#8 (v1, RFC 8410) of an Ed25519 private key from its 32-byte seed. */
  public static byte[] ed25519PrivateKey(byte[] seed) {
    return Der.sequence(
            Der.integer(0), Der.sequence(Der.raw(ED25519)), Der.octetString(Der.octetString(seed)))
        .encode();
  }

  /**
   * The uncompressed point of an EC SubjectPublicKeyInfo on the curve {@code curveOid}; empty if
   * the input is not exactly that (other algorithm or curve, compressed point, trailing bytes).
   */
  public static Optional<byte[]> ecPoint(byte[] spki, byte[] curveOid, int fieldBytes) {
    Der.Reader outer = new Der.Reader(spki);
    Optional<Der.Reader> seq = outer.read(Der.SEQUENCE);
    if (seq.isEmpty() || !outer.atEnd()) {
      return Optional.empty();
    }
    Der.Reader body = seq.get();
    Optional<Der.Reader> alg = body.read(Der.SEQUENCE);
    Optional<byte[]> bits = body.readContent(Der.BIT_STRING);
    if (alg.isEmpty() || bits.isEmpty() || !body.atEnd()) {
      return Optional.empty();
    }
    Der.Reader a = alg.get();
    Optional<byte[]> algOid = a.readEncoded();
    Optional<byte[]> params = a.readEncoded();
    if (algOid.isEmpty()
        || params.isEmpty()
        || !a.atEnd()
        || !Arrays.equals(algOid.get(), EC_PUBLIC_KEY)
        || !Arrays.equals(params.get(), curveOid)) {
      return Optional.empty();
    }
    byte[] b = bits.get();
    if (b.length != 2 + 2 * fieldBytes || b[0] != 0 || b[1] != 0x04) {
      return Optional.empty();
    }
    return Optional.of(Arrays.copyOfRange(b, 1, b.length));
  }

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }
}
