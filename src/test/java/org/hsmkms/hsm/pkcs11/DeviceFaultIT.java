package org.hsmkms.hsm.pkcs11;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_GENERAL_ERROR;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.pkcs11.KeyHandles.Owner;
import org.hsmkms.kms.ErrorCode;
import org.hsmkms.kms.KmsException;
import org.hsmkms.testing.TestToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11Module;
import org.xipki.pkcs11.wrapper.Session;

/**
 * A failing device is not a bad ciphertext. SoftHSM2 answers a failed GCM tag check with {@code
 * CKR_GENERAL_ERROR}, the code of a device fault too; the AES-GCM room tells them apart by a round
 * trip of its own under the same key. Faults are injected in the JNI layer over the real token.
 */
class DeviceFaultIT {
  private static final byte[] AAD = "aad".getBytes(StandardCharsets.UTF_8);
  private static final byte[] PLAINTEXT = "device fault".getBytes(StandardCharsets.UTF_8);

  /** The IAIK layer, with faults switched on by the test. */
  private static final class FaultyLayer implements GcmLayer {
    volatile boolean encryptFails;
    volatile boolean decryptFails;
    volatile boolean ignoresGivenIv;

    @Override
    public String name() {
      return "faulty";
    }

    @Override
    public byte[] encrypt(Session s, long key, byte[] iv, byte[] aad, byte[] plaintext)
        throws PKCS11Exception {
      if (encryptFails) {
        throw new PKCS11Exception(CKR_GENERAL_ERROR);
      }
      if (ignoresGivenIv) {
        // As AWS CloudHSM does: an IV of its own, which it does not hand back in the output.
        byte[] own = iv.clone();
        own[0] ^= 0x5a;
        return GcmLayer.IAIK.encrypt(s, key, own, aad, plaintext);
      }
      return GcmLayer.IAIK.encrypt(s, key, iv, aad, plaintext);
    }

    @Override
    public byte[] decrypt(Session s, long key, byte[] iv, byte[] aad, byte[] ciphertextAndTag)
        throws PKCS11Exception {
      if (decryptFails) {
        throw new PKCS11Exception(CKR_GENERAL_ERROR);
      }
      return GcmLayer.IAIK.decrypt(s, key, iv, aad, ciphertextAndTag);
    }
  }

  private PKCS11Module module;
  private LoggedInToken token;
  private SessionExecutor executor;
  private TokenRandom random;
  private Pkcs11KeyInventory inventory;
  private final FaultyLayer layer = new FaultyLayer();
  private Pkcs11AesGcm gcm;
  private MaterialId key;

  @BeforeEach
  void open() {
    TestToken.dir();
    module = LoadedModules.acquire(TestToken.module());
    token = LoggedInToken.find(module, TestToken.LABEL, TestToken.PIN.toCharArray());
    KeyHandles handles = new KeyHandles();
    executor = new SessionExecutor(token, new SessionPool(token.token(), 2, 5000), handles);
    WorkingCopies copies = new WorkingCopies(token::openLoggedIn, 0);
    random = new TokenRandom(executor);
    inventory = new Pkcs11KeyInventory(executor, handles, copies);
    gcm = new Pkcs11AesGcm(executor, handles, copies, random, layer, Owner.CMK);
    executor.call(
        "C_Login",
        s -> {
          token.login(s);
          return null;
        });
    key = MaterialId.of(random.generateRandom(16));
    inventory.generateAesKey(key, "device-fault-it");
  }

  @AfterEach
  void close() {
    layer.encryptFails = false;
    layer.decryptFails = false;
    layer.ignoresGivenIv = false;
    inventory.destroyKey(key);
    random.close();
    executor.close();
    token.close();
    LoadedModules.release(module);
  }

  private static byte[] iv(byte[] sealed) {
    return Arrays.copyOf(sealed, 12);
  }

  private static byte[] body(byte[] sealed) {
    return Arrays.copyOfRange(sealed, 12, sealed.length);
  }

  @Test
  void aTamperedCiphertext_onASoundDevice_isAnAuthenticationFailure() {
    byte[] sealed = gcm.encrypt(key, PLAINTEXT, AAD);
    byte[] tampered = body(sealed);
    tampered[0] ^= 1;

    HsmException e =
        assertThrows(HsmException.class, () -> gcm.decrypt(key, iv(sealed), tampered, AAD));

    assertEquals(HsmException.Kind.AUTHENTICATION_FAILED, e.kind());
    assertEquals(ErrorCode.INVALID_CIPHERTEXT, KmsException.from(e).code());
  }

  @Test
  void aDeviceThatFailsEveryCall_isAnInternalError_notAnInvalidCiphertext() {
    byte[] sealed = gcm.encrypt(key, PLAINTEXT, AAD);
    layer.encryptFails = true;
    layer.decryptFails = true;

    HsmException e =
        assertThrows(HsmException.class, () -> gcm.decrypt(key, iv(sealed), body(sealed), AAD));

    assertEquals(HsmException.Kind.INTERNAL, e.kind());
    assertEquals(CKR_GENERAL_ERROR, e.ckr());
    KmsException k = KmsException.from(e);
    assertEquals(ErrorCode.INTERNAL, k.code());
    assertEquals(500, k.code().httpStatus());
  }

  @Test
  void aDeviceThatFailsToDecrypt_isAnInternalError_andRecoversWhenTheFaultClears() {
    byte[] sealed = gcm.encrypt(key, PLAINTEXT, AAD);
    layer.decryptFails = true;

    HsmException e =
        assertThrows(HsmException.class, () -> gcm.decrypt(key, iv(sealed), body(sealed), AAD));
    assertEquals(HsmException.Kind.INTERNAL, e.kind());

    layer.decryptFails = false;
    assertArrayEquals(PLAINTEXT, gcm.decrypt(key, iv(sealed), body(sealed), AAD));
  }

  @Test
  void aTokenThatUsesTheGivenIv_passesTheStartUpCheck() {
    assertEquals(layer, GcmLayerChoice.choose(token, TestToken.module(), null, layer));
  }

  @Test
  void aTokenThatMakesItsOwnIv_failsTheStartUpCheck_withAReasonForTheOperator() {
    layer.ignoresGivenIv = true;

    HsmException e =
        assertThrows(
            HsmException.class,
            () -> GcmLayerChoice.choose(token, TestToken.module(), null, layer));

    assertEquals(HsmException.Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().contains("does not encrypt with the IV it is given"));
  }
}
