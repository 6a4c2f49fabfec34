package org.hsmkms.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import org.hsmkms.testing.KeyPairChecks;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Curve membership and SPKI parsing, against keys made by the JDK (BouncyCastle for k1). */
class EcPointsTest {

  static java.util.stream.Stream<Arguments> curves() {
    return java.util.stream.Stream.of(
        Arguments.of("secp256r1", KeyEncodings.P256, 32),
        Arguments.of("secp384r1", KeyEncodings.P384, 48),
        Arguments.of("secp521r1", KeyEncodings.P521, 66),
        Arguments.of("secp256k1", KeyEncodings.SECP256K1, 32));
  }

  private static KeyPair generate(String curve) throws Exception {
    KeyPairGenerator g =
        curve.equals("secp256k1")
            ? KeyPairGenerator.getInstance("EC", KeyPairChecks.BC)
            : KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  @ParameterizedTest
  @MethodSource("curves")
  void pointsOfGeneratedKeys_areOnTheCurve_andParseFromTheirSpki(String curve, byte[] oid, int size)
      throws Exception {
    for (int i = 0; i < 5; i++) {
      ECPublicKey pub = (ECPublicKey) generate(curve).getPublic();
      byte[] point = KeyEncodings.ecPoint(pub.getEncoded(), oid, size).orElseThrow();
      assertTrue(EcPoints.isOnCurve(oid, size, point));
      assertArrayEquals(pub.getEncoded(), KeyEncodings.ecPublicKey(oid, point));
      point[point.length - 1] ^= 1;
      assertFalse(EcPoints.isOnCurve(oid, size, point), "a point off the curve was accepted");
    }
  }

  @ParameterizedTest
  @MethodSource("curves")
  void spkiOfAnotherCurve_isRejected(String curve, byte[] oid, int size) throws Exception {
    byte[] other =
        generate(curve.equals("secp384r1") ? "secp256r1" : "secp384r1").getPublic().getEncoded();
    assertTrue(KeyEncodings.ecPoint(other, oid, size).isEmpty());
  }
}
