package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import org.hsmkms.hsm.KeyImport;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.ExpirationModelType;
import software.amazon.awssdk.services.kms.model.ExpiredImportTokenException;
import software.amazon.awssdk.services.kms.model.GetParametersForImportResponse;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyState;

/**
 * The time-driven and crash-driven parts of imported key material, on servers of their own (the
 * tests move the clock and restart): expired import tokens, ValidTo carried out by the sweep, the
 * wrapping keys' 24 hours, and an import interrupted between the HSM and the store.
 */
class ImportLifecycleIT {
  private static final SecureRandom RANDOM = new SecureRandom();

  private static byte[] material() {
    byte[] m = new byte[32];
    RANDOM.nextBytes(m);
    return m;
  }

  /** Encrypts and decrypts {@code text} under the key, checking the round trip. */
  private static void encrypt(KmsClient kms, String keyId, String text) {
    SdkBytes blob =
        kms.encrypt(b -> b.keyId(keyId).plaintext(SdkBytes.fromUtf8String(text))).ciphertextBlob();
    assertEquals(text, kms.decrypt(b -> b.ciphertextBlob(blob)).plaintext().asUtf8String());
  }

  @Test
  void expiredToken_validToExpiry_andWrappingKeys_areCarriedOutByTheSweep() throws Exception {
    try (TestServer server = TestServer.start(TestServer.newDataDir())) {
      KmsClient kms = server.client();
      String keyId = ImportKeyMaterialIT.externalKey(kms);
      byte[] material = material();

      // A token used after its 24 hours: ExpiredImportTokenException; the sweep destroys the
      // wrapping key.
      GetParametersForImportResponse old =
          ImportKeyMaterialIT.parameters(kms, keyId, "RSAES_OAEP_SHA_1");
      byte[] wrappedOld =
          ImportWrapping.jdk("RSAES_OAEP_SHA_1", old.publicKey().asByteArray(), material);
      KeyImport hsm = server.app().hsm().keyImport();
      int wrappingKeys = hsm.listWrappingKeys().size();
      server.clock().advance(Duration.ofHours(24).plusSeconds(1));
      assertThrows(
          ExpiredImportTokenException.class,
          () -> ImportKeyMaterialIT.importMaterial(kms, keyId, old, wrappedOld));
      assertTrue(server.app().importSweep().sweep().wrappingKeysDestroyed() >= 1);
      assertEquals(wrappingKeys - 1, hsm.listWrappingKeys().size());
      assertThrows(
          ExpiredImportTokenException.class,
          () -> ImportKeyMaterialIT.importMaterial(kms, keyId, old, wrappedOld));

      // Material valid for one day: usable, then destroyed by the sweep, key PendingImport.
      GetParametersForImportResponse p =
          ImportKeyMaterialIT.parameters(kms, keyId, "RSA_AES_KEY_WRAP_SHA_256");
      Instant validTo = server.clock().instant().plus(Duration.ofDays(1));
      byte[] wrapped =
          ImportWrapping.jdk("RSA_AES_KEY_WRAP_SHA_256", p.publicKey().asByteArray(), material);
      kms.importKeyMaterial(
          b ->
              b.keyId(keyId)
                  .importToken(p.importToken())
                  .encryptedKeyMaterial(SdkBytes.fromByteArray(wrapped))
                  .expirationModel(ExpirationModelType.KEY_MATERIAL_EXPIRES)
                  .validTo(validTo));
      KeyMetadata md = kms.describeKey(b -> b.keyId(keyId)).keyMetadata();
      assertEquals(ExpirationModelType.KEY_MATERIAL_EXPIRES, md.expirationModel());
      assertEquals(validTo.getEpochSecond(), md.validTo().getEpochSecond());
      encrypt(kms, keyId, "while valid");
      assertEquals(0, server.app().importSweep().sweep().materialsExpired());

      server.clock().advance(Duration.ofDays(1));
      assertEquals(1, server.app().importSweep().sweep().materialsExpired());
      assertEquals(
          KeyState.PENDING_IMPORT, kms.describeKey(b -> b.keyId(keyId)).keyMetadata().keyState());
      KeyRecord row = server.app().store().findKey(keyId).orElseThrow();
      assertFalse(
          server.app().hsm().inventory().keyExists(MaterialId.fromHex(row.currentMaterialId())));
    }
  }

  @Test
  void importInterruptedAfterTheHsmMadeTheObject_isRolledBackAtStartUp() throws Exception {
    Path dir = TestServer.newDataDir();
    String keyId;
    byte[] material = material();
    MaterialId target;
    try (TestServer server = TestServer.start(dir)) {
      KmsClient kms = server.client();
      keyId = ImportKeyMaterialIT.externalKey(kms);
      GetParametersForImportResponse p =
          ImportKeyMaterialIT.parameters(kms, keyId, "RSAES_OAEP_SHA_1");
      KeyRecord row = server.app().store().findKey(keyId).orElseThrow();
      target = MaterialId.fromHex(row.currentMaterialId());
      // What an ImportKeyMaterial leaves when the process dies after C_UnwrapKey and before the
      // store is written: the token object exists, the row still says PendingImport.
      String wrappingKey =
          server
              .app()
              .store()
              .findImportParameters(
                  org.hsmkms.kms.KeyMaterialImportTesting.tokenHash(p.importToken().asByteArray()))
              .orElseThrow()
              .wrappingKeyId();
      server
          .app()
          .hsm()
          .keyImport()
          .importMaterial(
              MaterialId.fromHex(wrappingKey),
              KeyImport.Wrapping.RSAES_OAEP_SHA_1,
              ImportWrapping.jdk("RSAES_OAEP_SHA_1", p.publicKey().asByteArray(), material),
              KeyImport.Material.aes256(),
              target,
              keyId,
              true);
      assertTrue(server.app().hsm().inventory().keyExists(target));
    }
    try (TestServer server = TestServer.start(dir)) {
      KmsClient kms = server.client();
      assertFalse(server.app().hsm().inventory().keyExists(target));
      assertEquals(
          KeyState.PENDING_IMPORT, kms.describeKey(b -> b.keyId(keyId)).keyMetadata().keyState());
      // The interrupted import bound nothing: other material imports fine now.
      GetParametersForImportResponse p =
          ImportKeyMaterialIT.parameters(kms, keyId, "RSAES_OAEP_SHA_1");
      ImportKeyMaterialIT.importMaterial(
          kms,
          keyId,
          p,
          ImportWrapping.jdk("RSAES_OAEP_SHA_1", p.publicKey().asByteArray(), material()));
      encrypt(kms, keyId, "after restart");
    }
  }
}
