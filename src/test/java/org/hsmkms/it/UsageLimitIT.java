package org.hsmkms.it;

import static org.hsmkms.it.KmsTesting.newKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.hsmkms.config.Config;
import org.hsmkms.testing.MutableClock;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.GetParametersForImportResponse;
import software.amazon.awssdk.services.kms.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kms.model.RotationType;

/** A key whose material reaches the (tiny, configured) usage limit is rotated automatically. */
class UsageLimitIT {
  private static final SdkBytes PLAINTEXT = SdkBytes.fromUtf8String("counted");

  @Test
  void aMaterialAtItsLimit_hasItsKeyRotated_andEveryCiphertextStillDecrypts() throws Exception {
    try (TestServer server =
            TestServer.start(
                TestServer.newDataDir(),
                new MutableClock(),
                c -> c.withRotation(new Config.Rotation(3600L, 5L, 1000L, 2L)));
        KmsClient kms = server.client()) {
      String keyId = newKey(kms);
      String first = server.app().store().findKey(keyId).orElseThrow().currentMaterialId();
      List<SdkBytes> blobs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        blobs.add(kms.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)).ciphertextBlob());
      }
      assertEquals(4, server.app().usageLimits().encryptions(first));
      assertEquals(first, server.app().store().findKey(keyId).orElseThrow().currentMaterialId());
      // The fifth encryption (a data key counts too) reaches the limit and asks for the rotation.
      blobs.add(
          kms.generateDataKey(b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256)).ciphertextBlob());
      String current = first;
      for (int i = 0; i < 100 && current.equals(first); i++) {
        Thread.sleep(50);
        current = server.app().store().findKey(keyId).orElseThrow().currentMaterialId();
      }
      assertNotEquals(first, current, "rotated within 5 s");
      var rotations = kms.listKeyRotations(b -> b.keyId(keyId)).rotations();
      assertEquals(1, rotations.size());
      assertEquals(RotationType.AUTOMATIC, rotations.get(0).rotationType());
      blobs.add(kms.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)).ciphertextBlob());
      assertEquals(1, server.app().usageLimits().encryptions(current));
      for (int i = 0; i < blobs.size(); i++) {
        SdkBytes blob = blobs.get(i);
        var out = kms.decrypt(b -> b.ciphertextBlob(blob));
        if (i != 4) {
          assertEquals(PLAINTEXT, out.plaintext());
        }
      }
      assertTrue(server.app().store().materialUsage(first) >= 5);
    }
  }

  /**
   * A key that cannot rotate (imported material) is refused at the hard limit, with a clear
   * KMSInvalidStateException, and never encrypts past it; Decrypt of what it made keeps working.
   */
  @Test
  void aKeyThatCannotRotate_isRefusedAtTheHardLimit_andStillDecrypts() throws Exception {
    try (TestServer server =
            TestServer.start(
                TestServer.newDataDir(),
                new MutableClock(),
                c -> c.withRotation(new Config.Rotation(3600L, 2L, 3L, 1L)));
        KmsClient kms = server.client()) {
      String keyId = ImportKeyMaterialIT.externalKey(kms);
      GetParametersForImportResponse p =
          ImportKeyMaterialIT.parameters(kms, keyId, "RSAES_OAEP_SHA_1");
      ImportKeyMaterialIT.importMaterial(
          kms,
          keyId,
          p,
          ImportWrapping.jdk(
              "RSAES_OAEP_SHA_1", p.publicKey().asByteArray(), ImportKeyMaterialIT.aesMaterial()));
      List<SdkBytes> blobs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        blobs.add(kms.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)).ciphertextBlob());
      }

      KmsInvalidStateException refused =
          assertThrows(
              KmsInvalidStateException.class,
              () -> kms.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)));
      assertTrue(refused.awsErrorDetails().errorMessage().contains(keyId), refused.getMessage());
      assertThrows(
          KmsInvalidStateException.class,
          () -> kms.generateDataKey(b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256)));
      String material = server.app().store().findKey(keyId).orElseThrow().currentMaterialId();
      assertEquals(3, server.app().usageLimits().encryptions(material));
      for (SdkBytes blob : blobs) {
        assertEquals(PLAINTEXT, kms.decrypt(b -> b.ciphertextBlob(blob)).plaintext());
      }
    }
  }
}
