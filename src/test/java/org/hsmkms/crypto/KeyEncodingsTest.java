package org.hsmkms.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Our SPKI and PKCS#8 encodings are what the JDK reads back to the same keys. */
class KeyEncodingsTest {

  private static byte[] unsigned(BigInteger v) {
    byte[] b = v.toByteArray();
    return b[0] == 0 && b.length > 1 ? Arrays.copyOfRange(b, 1, b.length) : b;
  }

  @Test
  void rsa_encodingsEqualTheJdkEncodings() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair kp = g.generateKeyPair();
    RSAPrivateCrtKey k = (RSAPrivateCrtKey) kp.getPrivate();
    assertArrayEquals(
        kp.getPublic().getEncoded(),
        KeyEncodings.rsaPublicKey(unsigned(k.getModulus()), unsigned(k.getPublicExponent())));
    byte[] pkcs8 =
        KeyEncodings.rsaPrivateKey(
            unsigned(k.getModulus()),
            unsigned(k.getPublicExponent()),
            unsigned(k.getPrivateExponent()),
            unsigned(k.getPrimeP()),
            unsigned(k.getPrimeQ()),
            unsigned(k.getPrimeExponentP()),
            unsigned(k.getPrimeExponentQ()),
            unsigned(k.getCrtCoefficient()));
    assertArrayEquals(k.getEncoded(), pkcs8);
  }

  @Test
  void ec_privateKeyWithShortScalar_isPaddedToTheFieldSize() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    ECPublicKey pub = (ECPublicKey) g.generateKeyPair().getPublic();
    byte[] point = KeyEncodings.ecPoint(pub.getEncoded(), KeyEncodings.P256, 32).orElseThrow();
    byte[] scalar = {0x01, 0x02};
    byte[] pkcs8 = KeyEncodings.ecPrivateKey(KeyEncodings.P256, 32, scalar, point);
    ECPrivateKey priv =
        (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    assertEquals(BigInteger.valueOf(0x0102), priv.getS());
    // A P-256 PKCS#8 with the public key is 138 bytes, as OpenSSL writes it, whatever the
    // scalar's leading zeros: the scalar is a 32-byte OCTET STRING (04 20) after version 1.
    assertEquals(138, pkcs8.length);
    assertEquals("0201010420", java.util.HexFormat.of().formatHex(pkcs8, 31, 36));
  }

  @Test
  void ed25519_encodingsEqualTheJdkEncodings() throws Exception {
    KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] spki = kp.getPublic().getEncoded();
    byte[] pub = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
    assertArrayEquals(spki, KeyEncodings.ed25519PublicKey(pub));
    byte[] p8 = kp.getPrivate().getEncoded();
    byte[] seed = Arrays.copyOfRange(p8, p8.length - 32, p8.length);
    assertArrayEquals(p8, KeyEncodings.ed25519PrivateKey(seed));
  }
}
