package org.hsmkms.hsm.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_CRYPTOKI_NOT_INITIALIZED;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_MECHANISM_INVALID;

import java.util.concurrent.atomic.AtomicInteger;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.testing.TestToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11Module;
import org.xipki.pkcs11.wrapper.Session;

/**
 * The start-up choice of the AES-GCM layer, on the real test token, with the fast layer's failures
 * made in a layer in front of the IAIK wrapper: a fast layer that fails or answers wrongly is left
 * for the IAIK wrapper, one that works is kept, and a token that cannot do AES-GCM with the
 * service's parameters stops start-up naming {@code CKM_AES_GCM}. (Through a real module that fails
 * this way: {@code P11KitClientIT}.)
 */
class GcmLayerChoiceIT {
  private PKCS11Module module;
  private LoggedInToken token;

  /** A layer that answers as a module in front of the token might. */
  private static final class Layer implements GcmLayer {
    final long encryptFailure;
    final boolean flipsABit;
    final AtomicInteger calls = new AtomicInteger();

    Layer(long encryptFailure, boolean flipsABit) {
      this.encryptFailure = encryptFailure;
      this.flipsABit = flipsABit;
    }

    @Override
    public String name() {
      return "test";
    }

    @Override
    public byte[] encrypt(Session s, long key, byte[] iv, byte[] aad, byte[] plaintext)
        throws PKCS11Exception {
      calls.incrementAndGet();
      if (encryptFailure != 0) {
        throw new PKCS11Exception(encryptFailure);
      }
      byte[] ct = GcmLayer.IAIK.encrypt(s, key, iv, aad, plaintext);
      if (flipsABit) {
        ct[0] ^= 1;
      }
      return ct;
    }

    @Override
    public byte[] decrypt(Session s, long key, byte[] iv, byte[] aad, byte[] ciphertextAndTag)
        throws PKCS11Exception {
      calls.incrementAndGet();
      byte[] pt = GcmLayer.IAIK.decrypt(s, key, iv, aad, ciphertextAndTag);
      if (flipsABit) {
        pt[0] ^= 1;
      }
      return pt;
    }
  }

  @BeforeEach
  void open() {
    TestToken.dir();
    module = LoadedModules.acquire(TestToken.module());
    token = LoggedInToken.find(module, TestToken.LABEL, TestToken.PIN.toCharArray());
  }

  @AfterEach
  void close() {
    token.close();
    LoadedModules.release(module);
  }

  @Test
  void aFastLayerThatWorks_isChosen() {
    Layer fast = new Layer(0, false);
    assertSame(fast, GcmLayerChoice.choose(token, TestToken.module(), fast));
    assertEquals(2, fast.calls.get(), "one encryption and one decryption");
  }

  @Test
  void aFastLayerOnAModuleThatDoesNotShareItsSessions_isLeftForTheIaikWrapper() {
    Layer fast = new Layer(CKR_CRYPTOKI_NOT_INITIALIZED, false);
    assertSame(GcmLayer.IAIK, GcmLayerChoice.choose(token, TestToken.module(), fast));
  }

  @Test
  void aFastLayerThatAnswersWrongly_isLeftForTheIaikWrapper() {
    Layer fast = new Layer(0, true);
    assertSame(GcmLayer.IAIK, GcmLayerChoice.choose(token, TestToken.module(), fast));
  }

  @Test
  void noFastLayer_isTheIaikWrapper() {
    assertSame(GcmLayer.IAIK, GcmLayerChoice.choose(token, TestToken.module(), null));
  }

  @Test
  void aModuleThatCannotDoGcmWithTheServicesParameters_stopsStartUp_namingTheMechanism() {
    Layer fast = new Layer(CKR_CRYPTOKI_NOT_INITIALIZED, false);
    Layer base = new Layer(CKR_MECHANISM_INVALID, false);

    HsmException e =
        assertThrows(
            HsmException.class, () -> GcmLayerChoice.choose(token, TestToken.module(), fast, base));

    assertEquals(HsmException.Kind.UNAVAILABLE, e.kind());
    assertEquals(CKR_MECHANISM_INVALID, e.ckr());
    assertNotNull(e.getMessage());
    assertTrue(e.getMessage().contains("cannot do CKM_AES_GCM"), e.getMessage());
    assertTrue(e.getMessage().contains("CKR_MECHANISM_INVALID"), e.getMessage());
    assertTrue(e.getMessage().contains("hsm-config/vendors/README.md"), e.getMessage());
  }

  @Test
  void theTokensMechanismList_hasEveryMechanismTheServiceNeeds() {
    MechanismCheck.check(token.token(), TestToken.module());
  }
}
