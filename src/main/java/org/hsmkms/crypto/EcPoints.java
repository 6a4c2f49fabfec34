package org.hsmkms.crypto;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * Validates a peer's public point before it reaches the HSM (ECDH with a point off the curve is an
 * invalid-curve attack and, on SoftHSM2, an opaque {@code CKR_GENERAL_ERROR}). All supported curves
 * have cofactor 1, so a point on the curve (and not the point at infinity, which the uncompressed
 * form cannot express) is in the prime-order group.
 *
 * <p>Curve constants: SEC 2 v2 (secp256r1, secp384r1, secp521r1, secp256k1).
 */
public final class EcPoints {
  private record Curve(byte[] oid, BigInteger p, BigInteger a, BigInteger b) {}

  private static final Curve[] CURVES = {
    new Curve(
        KeyEncodings.P256,
        hex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"),
        hex("ffffffff00000001000000000000000000000000fffffffffffffffffffffffc"),
        hex("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b")),
    new Curve(
        KeyEncodings.P384,
        hex(
            "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe"
                + "ffffffff0000000000000000ffffffff"),
        hex(
            "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe"
                + "ffffffff0000000000000000fffffffc"),
        hex(
            "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875a"
                + "c656398d8a2ed19d2a85c8edd3ec2aef")),
    new Curve(
        KeyEncodings.P521,
        BigInteger.ONE.shiftLeft(521).subtract(BigInteger.ONE),
        BigInteger.ONE.shiftLeft(521).subtract(BigInteger.valueOf(4)),
        hex(
            "0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef1"
                + "09e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b50"
                + "3f00")),
    new Curve(
        KeyEncodings.SECP256K1,
        hex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"),
        BigInteger.ZERO,
        BigInteger.valueOf(7)),
  };

  private EcPoints() {}

  /**
   * True if {@code point} ({@code 04 || X || Y}, coordinates {@code fieldBytes} long) lies on the
   * curve named by {@code curveOid}: both coordinates below p and y^2 = x^3 + ax + b (mod p).
   */
  public static boolean isOnCurve(byte[] curveOid, int fieldBytes, byte[] point) {
    if (point.length != 1 + 2 * fieldBytes || point[0] != 0x04) {
      return false;
    }
    for (Curve c : CURVES) {
      if (Arrays.equals(c.oid(), curveOid)) {
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(point, 1, 1 + fieldBytes));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(point, 1 + fieldBytes, point.length));
        if (x.compareTo(c.p()) >= 0 || y.compareTo(c.p()) >= 0) {
          return false;
        }
        BigInteger lhs = y.multiply(y).mod(c.p());
        BigInteger rhs = x.multiply(x).multiply(x).add(c.a().multiply(x)).add(c.b()).mod(c.p());
        return lhs.equals(rhs);
      }
    }
    return false;
  }

  private static BigInteger hex(String s) {
    return new BigInteger(s, 16);
  }
}
