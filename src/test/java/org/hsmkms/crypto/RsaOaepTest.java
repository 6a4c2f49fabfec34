package org.hsmkms.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.MGF1ParameterSpec;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** EME-OAEP decoding against the JDK's OAEP encryption, and its failure on any tampering. */
class RsaOaepTest {
  private static KeyPair pair;

  @BeforeAll
  static void key() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    pair = g.generateKeyPair();
  }

  private static byte[] encrypt(RsaOaep.Hash hash, byte[] message) throws Exception {
    Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
    MGF1ParameterSpec mgf =
        hash == RsaOaep.Hash.SHA_1 ? MGF1ParameterSpec.SHA1 : MGF1ParameterSpec.SHA256;
    c.init(
        Cipher.ENCRYPT_MODE,
        pair.getPublic(),
        new OAEPParameterSpec(hash.jcaName(), "MGF1", mgf, PSource.PSpecified.DEFAULT));
    return c.doFinal(message);
  }

  /** The raw RSA private-key operation, as CKM_RSA_X_509 performs it, left-padded to 256. */
  private static byte[] raw(byte[] ciphertext) {
    RSAPrivateKey k = (RSAPrivateKey) pair.getPrivate();
    byte[] m =
        new BigInteger(1, ciphertext).modPow(k.getPrivateExponent(), k.getModulus()).toByteArray();
    byte[] out = new byte[256];
    int skip = m.length > 256 ? m.length - 256 : 0;
    System.arraycopy(m, skip, out, 256 - (m.length - skip), m.length - skip);
    return out;
  }

  @ParameterizedTest
  @EnumSource(RsaOaep.Hash.class)
  void decode_ofJdkOaepCiphertext_returnsTheMessage(RsaOaep.Hash hash) throws Exception {
    for (int len : new int[] {0, 1, 32, RsaOaep.maxMessageLength(256, hash)}) {
      byte[] message = new byte[len];
      java.util.Arrays.fill(message, (byte) 0x5a);
      byte[] em = raw(encrypt(hash, message));
      assertArrayEquals(message, RsaOaep.decode(em, 256, hash).orElseThrow());
    }
  }

  @ParameterizedTest
  @EnumSource(RsaOaep.Hash.class)
  void decode_withAnyByteOfTheEncodedMessageFlipped_fails(RsaOaep.Hash hash) throws Exception {
    byte[] em = raw(encrypt(hash, "secret".getBytes(StandardCharsets.UTF_8)));
    for (int i = 0; i < em.length; i++) {
      byte[] bad = em.clone();
      bad[i] ^= 0x01;
      assertTrue(RsaOaep.decode(bad, 256, hash).isEmpty(), "flip at " + i + " was accepted");
    }
  }

  @ParameterizedTest
  @EnumSource(RsaOaep.Hash.class)
  void decode_withTheOtherHash_fails(RsaOaep.Hash hash) throws Exception {
    byte[] em = raw(encrypt(hash, "secret".getBytes(StandardCharsets.UTF_8)));
    RsaOaep.Hash other = hash == RsaOaep.Hash.SHA_1 ? RsaOaep.Hash.SHA_256 : RsaOaep.Hash.SHA_1;
    assertTrue(RsaOaep.decode(em, 256, other).isEmpty());
  }

  @ParameterizedTest
  @EnumSource(RsaOaep.Hash.class)
  void decode_ofWrongLength_fails(RsaOaep.Hash hash) {
    assertTrue(RsaOaep.decode(new byte[255], 256, hash).isEmpty());
    assertTrue(RsaOaep.decode(new byte[256], 256, hash).isEmpty());
  }

  @ParameterizedTest
  @EnumSource(RsaOaep.Hash.class)
  void maxMessageLength_matchesRfc8017(RsaOaep.Hash hash) {
    assertEquals(hash == RsaOaep.Hash.SHA_1 ? 214 : 190, RsaOaep.maxMessageLength(256, hash));
  }
}
