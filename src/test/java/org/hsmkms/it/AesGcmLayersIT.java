package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.hsm.pkcs11.Pkcs11Settings;
import org.hsmkms.testing.TestToken;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * AES-GCM through the JDK's PKCS#11 layer and through the IAIK wrapper: the same token work, so
 * each opens what the other sealed, and both report a bad tag as an authentication failure.
 */
class AesGcmLayersIT {
  private static Pkcs11Hsm open(boolean jdk, int workingCopies) {
    TestToken.dir();
    String before = System.getProperty(Pkcs11Hsm.JDK_GCM_PROPERTY);
    System.setProperty(Pkcs11Hsm.JDK_GCM_PROPERTY, Boolean.toString(jdk));
    try {
      return Pkcs11Hsm.open(
          new Pkcs11Settings(
              TestToken.module(),
              TestToken.LABEL,
              TestToken.PIN.toCharArray(),
              2,
              5000L,
              workingCopies));
    } finally {
      if (before == null) {
        System.clearProperty(Pkcs11Hsm.JDK_GCM_PROPERTY);
      } else {
        System.setProperty(Pkcs11Hsm.JDK_GCM_PROPERTY, before);
      }
    }
  }

  private static byte[] iv(byte[] sealed) {
    return Arrays.copyOf(sealed, 12);
  }

  private static byte[] body(byte[] sealed) {
    return Arrays.copyOfRange(sealed, 12, sealed.length);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 10})
  void eachLayerOpensWhatTheOtherSealed(int workingCopies) {
    try (Pkcs11Hsm jdk = open(true, workingCopies);
        Pkcs11Hsm iaik = open(false, workingCopies)) {
      assertEquals(
          "jdk", jdk.diagnostics().aesGcmLayer(), "the test JVM exports the JDK's PKCS#11 layer");
      assertEquals("iaik", iaik.diagnostics().aesGcmLayer());
      MaterialId id = MaterialId.of(jdk.random().generateRandom(16));
      jdk.inventory().generateAesKey(id, "aes-gcm-layers-it");
      byte[] aad = "header and context".getBytes();
      for (int size : new int[] {1, 32, 1024, 4096}) {
        byte[] plaintext = jdk.random().generateRandom(size);
        byte[] byJdk = jdk.symmetric().encrypt(id, plaintext, aad);
        byte[] byIaik = iaik.symmetric().encrypt(id, plaintext, aad);
        assertEquals(12 + size + 16, byJdk.length);
        assertEquals(byJdk.length, byIaik.length);
        assertArrayEquals(plaintext, iaik.symmetric().decrypt(id, iv(byJdk), body(byJdk), aad));
        assertArrayEquals(plaintext, jdk.symmetric().decrypt(id, iv(byIaik), body(byIaik), aad));
        assertArrayEquals(plaintext, jdk.symmetric().decrypt(id, iv(byJdk), body(byJdk), aad));
      }
      jdk.inventory().destroyKey(id);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aBadTagOrAad_isAnAuthenticationFailure_andTheSessionStaysUsable(boolean viaJdk) {
    try (Pkcs11Hsm hsm = open(viaJdk, 10)) {
      MaterialId id = MaterialId.of(hsm.random().generateRandom(16));
      hsm.inventory().generateAesKey(id, "aes-gcm-layers-it");
      byte[] aad = "aad".getBytes();
      byte[] sealed = hsm.symmetric().encrypt(id, "secret".getBytes(), aad);
      byte[] tampered = body(sealed);
      tampered[tampered.length - 1] ^= 1;

      for (int i = 0; i < 3; i++) {
        HsmException e =
            assertThrows(
                HsmException.class, () -> hsm.symmetric().decrypt(id, iv(sealed), tampered, aad));
        assertTrue(e.isAuthenticationFailure());
        HsmException wrongAad =
            assertThrows(
                HsmException.class,
                () -> hsm.symmetric().decrypt(id, iv(sealed), body(sealed), "other".getBytes()));
        assertTrue(wrongAad.isAuthenticationFailure());
        // The session that failed is used again (the pool holds two): it must not be stuck.
        assertArrayEquals(
            "secret".getBytes(), hsm.symmetric().decrypt(id, iv(sealed), body(sealed), aad));
      }
      hsm.inventory().destroyKey(id);
    }
  }

  @org.junit.jupiter.api.Test
  void ivsAndRandomBytes_fromTheBufferedRng_neverRepeat() {
    try (Pkcs11Hsm hsm = open(true, 10)) {
      MaterialId id = MaterialId.of(hsm.random().generateRandom(16));
      hsm.inventory().generateAesKey(id, "aes-gcm-layers-it");
      java.util.Set<String> seen = new java.util.HashSet<>();
      // Several times the 4 KiB block: IVs (12 bytes) and data-key-sized draws (32 bytes)
      // interleaved, as GenerateDataKey draws them.
      for (int i = 0; i < 2_000; i++) {
        seen.add(
            "iv:"
                + java.util.HexFormat.of()
                    .formatHex(iv(hsm.symmetric().encrypt(id, new byte[1], null))));
        seen.add("dk:" + java.util.HexFormat.of().formatHex(hsm.random().generateRandom(32)));
      }
      assertEquals(4_000, seen.size());
      hsm.inventory().destroyKey(id);
    }
  }
}
