package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.KeyInventory;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.hsm.pkcs11.Pkcs11Settings;
import org.hsmkms.testing.TestToken;
import org.junit.jupiter.api.Test;

/**
 * What the token enforces for the service's key objects against anyone else holding its PIN, and
 * what the service never touches: objects that are not its own.
 */
class KeyObjectRulesIT {
  private static final byte[] AAD = "aad".getBytes(StandardCharsets.UTF_8);
  private static final byte[] PLAINTEXT = "key object rules".getBytes(StandardCharsets.UTF_8);

  private static Pkcs11Hsm open() {
    TestToken.dir();
    return Pkcs11Hsm.open(
        new Pkcs11Settings(
            TestToken.module(), TestToken.LABEL, TestToken.PIN.toCharArray(), 2, 5000L, 10));
  }

  private static void roundTrip(Pkcs11Hsm hsm, MaterialId id) {
    byte[] out = hsm.symmetric().encrypt(id, PLAINTEXT, AAD);
    assertArrayEquals(
        PLAINTEXT,
        hsm.symmetric()
            .decrypt(id, Arrays.copyOf(out, 12), Arrays.copyOfRange(out, 12, out.length), AAD));
  }

  @Test
  void aCmk_isAllowedAesGcmOnly_otherModesAreRefusedByTheToken() throws Exception {
    try (Pkcs11Hsm hsm = open()) {
      MaterialId id = MaterialId.of(hsm.random().generateRandom(16));
      hsm.inventory().generateAesKey(id, "key-object-rules-it");

      assertEquals(List.of(), TestToken.acceptedOtherModes(id.bytes()));
      roundTrip(hsm, id); // through its working copy, which carries the same restriction
      assertEquals(List.of(), TestToken.acceptedOtherModes(id.bytes()));
      hsm.inventory().destroyKey(id);
    }
  }

  @Test
  void aKeyWithoutAllowedMechanisms_acceptsOtherModes_soTheCheckAboveCanFail() throws Exception {
    byte[] id = TestToken.createUnmodifiableAesKey(KeyInventory.LABEL_PREFIX + "unrestricted");
    try (Pkcs11Hsm hsm = open()) {
      assertEquals(
          Set.of("CKM_AES_ECB", "CKM_AES_CBC"), Set.copyOf(TestToken.acceptedOtherModes(id)));
      hsm.inventory().destroyKey(MaterialId.of(id));
    }
  }

  @Test
  void aForeignObjectSharingAnId_isNeitherFoundUsedListedNorDestroyed() throws Exception {
    try (Pkcs11Hsm hsm = open()) {
      MaterialId id = MaterialId.of(hsm.random().generateRandom(16));
      TestToken.createAesKey(id.bytes(), "another-application");

      assertFalse(hsm.inventory().keyExists(id));
      assertFalse(hsm.inventory().listKeyIds().contains(id));
      HsmException e =
          assertThrows(HsmException.class, () -> hsm.symmetric().encrypt(id, PLAINTEXT, AAD));
      assertEquals(HsmException.Kind.KEY_NOT_FOUND, e.kind());
      hsm.inventory().destroyKey(id);
      assertEquals(1, TestToken.objectsWithId(id.bytes()), "the foreign object was destroyed");

      // A CMK with the same id: ours is used and destroyed, the other stays.
      hsm.inventory().generateAesKey(id, "key-object-rules-it");
      assertEquals(2, TestToken.objectsWithId(id.bytes()));
      assertTrue(hsm.inventory().keyExists(id));
      roundTrip(hsm, id);
      hsm.inventory().destroyKey(id);
      assertFalse(hsm.inventory().keyExists(id));
      assertEquals(1, TestToken.objectsWithId(id.bytes()));
    }
  }
}
