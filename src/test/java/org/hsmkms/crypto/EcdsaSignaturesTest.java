package org.hsmkms.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Conversion between r || s and DER Ecdsa-Sig-Value, checked against the JDK. */
class EcdsaSignaturesTest {

  @ParameterizedTest
  @CsvSource({"secp256r1, 32", "secp384r1, 48", "secp521r1, 66"})
  void jdkDerSignatures_roundTripThroughRawForm(String curve, int size) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    KeyPair kp = g.generateKeyPair();
    for (int i = 0; i < 20; i++) {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(kp.getPrivate());
      s.update(new byte[] {(byte) i});
      byte[] der = s.sign();
      byte[] rs = EcdsaSignatures.fromDer(der, size).orElseThrow();
      assertArrayEquals(der, EcdsaSignatures.toDer(rs));
      Signature p1363 = Signature.getInstance("SHA256withECDSAinP1363Format");
      p1363.initVerify(kp.getPublic());
      p1363.update(new byte[] {(byte) i});
      assertTrue(p1363.verify(rs));
    }
  }

  @Test
  void toDer_ofSmallAndHighBitValues_isMinimal() {
    byte[] rs = new byte[64];
    rs[31] = 1;
    rs[32] = (byte) 0x80;
    assertArrayEquals(
        HexFormat.of().parseHex("3026020101022100" + "80" + "00".repeat(31)),
        EcdsaSignatures.toDer(rs));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "30",
        "3006020101020101ff",
        "3007020101020101",
        "300602010102010100",
        "3006020181020101",
        "30060200020101",
        "300702020001020101",
        "31060201010201ff",
        "308106020101020101"
      })
  void fromDer_ofMalformedInput_isEmpty(String hex) {
    assertTrue(EcdsaSignatures.fromDer(HexFormat.of().parseHex(hex), 32).isEmpty(), hex);
  }

  @Test
  void fromDer_ofValueLongerThanTheCurve_isEmpty() {
    byte[] rs = new byte[66];
    rs[0] = 1;
    rs[33] = 1;
    assertTrue(EcdsaSignatures.fromDer(EcdsaSignatures.toDer(rs), 32).isEmpty());
  }
}
