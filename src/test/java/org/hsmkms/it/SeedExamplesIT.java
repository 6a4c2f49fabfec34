package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;

/** The examples of the GenerateDataKey documents, run through the AWS SDK. */
class SeedExamplesIT {
  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();

  @Test
  void generateDataKey_aes256UnderAlias_returnsPlaintextArnAndBlobThatDecrypts() {
    String keyId = kms.createKey(b -> b.description("seed example")).keyMetadata().keyId();
    String alias = "alias/ExampleAlias-" + keyId.substring(0, 8);
    kms.createAlias(b -> b.aliasName(alias).targetKeyId(keyId));

    GenerateDataKeyResponse dk =
        kms.generateDataKey(b -> b.keyId(alias).keySpec(DataKeySpec.AES_256));

    assertEquals(32, dk.plaintext().asByteArray().length);
    assertEquals("arn:aws:kms:us-east-1:111122223333:key/" + keyId, dk.keyId());
    assertTrue(dk.ciphertextBlob().asByteArray().length > 32);
    DecryptResponse d = kms.decrypt(b -> b.ciphertextBlob(dk.ciphertextBlob()));
    assertArrayEquals(dk.plaintext().asByteArray(), d.plaintext().asByteArray());
    assertEquals(dk.keyId(), d.keyId());
  }

  @Test
  void generateDataKey_numberOfBytes64ByKeyId_returns64Bytes() {
    String keyId = kms.createKey(b -> {}).keyMetadata().keyId();

    GenerateDataKeyResponse dk = kms.generateDataKey(b -> b.keyId(keyId).numberOfBytes(64));

    assertEquals(64, dk.plaintext().asByteArray().length);
    SdkBytes back = kms.decrypt(b -> b.ciphertextBlob(dk.ciphertextBlob())).plaintext();
    assertArrayEquals(dk.plaintext().asByteArray(), back.asByteArray());
  }
}
