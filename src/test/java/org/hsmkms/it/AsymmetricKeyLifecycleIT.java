package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.kms.Reconciler;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/**
 * Asymmetric and HMAC keys across a restart (reconciliation finds their private and secret key
 * objects) and through a completed deletion (both objects of a pair are destroyed).
 */
class AsymmetricKeyLifecycleIT {

  @Test
  void afterARestart_keysStillSignAndMac_withTheSamePublicKey() {
    Path dir = TestServer.newDataDir();
    String signing;
    String hmac;
    byte[] publicKey;
    byte[] mac;
    SdkBytes message = SdkBytes.fromUtf8String("survives a restart");
    try (TestServer first = TestServer.start(dir)) {
      KmsClient kms = first.client();
      signing =
          kms.createKey(b -> b.keySpec("ECC_NIST_P256").keyUsage("SIGN_VERIFY"))
              .keyMetadata()
              .keyId();
      hmac =
          kms.createKey(b -> b.keySpec("HMAC_384").keyUsage("GENERATE_VERIFY_MAC"))
              .keyMetadata()
              .keyId();
      publicKey = kms.getPublicKey(b -> b.keyId(signing)).publicKey().asByteArray();
      mac =
          kms.generateMac(b -> b.keyId(hmac).macAlgorithm("HMAC_SHA_384").message(message))
              .mac()
              .asByteArray();
    }
    try (TestServer second = TestServer.start(dir)) {
      Reconciler.Report report = second.app().reconciler().reconcile();
      assertEquals(0, report.rowsWithoutMaterial());
      KmsClient kms = second.client();
      assertArrayEquals(
          publicKey, kms.getPublicKey(b -> b.keyId(signing)).publicKey().asByteArray());
      SdkBytes sig =
          kms.sign(b -> b.keyId(signing).signingAlgorithm("ECDSA_SHA_256").message(message))
              .signature();
      assertTrue(
          kms.verify(
                  b ->
                      b.keyId(signing)
                          .signingAlgorithm("ECDSA_SHA_256")
                          .message(message)
                          .signature(sig))
              .signatureValid());
      assertArrayEquals(
          mac,
          kms.generateMac(b -> b.keyId(hmac).macAlgorithm("HMAC_SHA_384").message(message))
              .mac()
              .asByteArray());
    }
  }

  @Test
  void completedDeletion_destroysThePrivateAndThePublicKeyObject() {
    try (TestServer server = TestServer.start(TestServer.newDataDir())) {
      KmsClient kms = server.client();
      String keyId =
          kms.createKey(b -> b.keySpec("ECC_NIST_P384").keyUsage("KEY_AGREEMENT"))
              .keyMetadata()
              .keyId();
      MaterialId material =
          MaterialId.fromHex(server.app().store().findKey(keyId).orElseThrow().currentMaterialId());
      assertTrue(server.app().hsm().inventory().keyExists(material));
      server.app().hsm().publicKeys().publicKey(material);

      kms.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7));
      server.clock().advance(Duration.ofDays(8));
      assertEquals(1, server.app().reconciler().deleteDueKeys());

      assertFalse(server.app().hsm().inventory().keyExists(material));
      HsmException e =
          assertThrows(
              HsmException.class, () -> server.app().hsm().publicKeys().publicKey(material));
      assertEquals(HsmException.Kind.KEY_NOT_FOUND, e.kind());
      assertThrows(NotFoundException.class, () -> kms.describeKey(b -> b.keyId(keyId)));
    }
  }
}
