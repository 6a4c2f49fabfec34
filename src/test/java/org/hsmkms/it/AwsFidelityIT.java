package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/**
 * Answers pinned to what AWS KMS itself answered (issue 17), through the AWS SDK: error type, HTTP
 * status and message. Other classes pin the answers that belong to their operations (CryptoIT,
 * TagsIT, AliasesIT, HmacKeysIT).
 */
class AwsFidelityIT {
  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();

  @Test
  void describeKey_withAKeyArnOfAnotherRegion_isNotFound_invalidArn() {
    String keyId = kms.createKey(b -> {}).keyMetadata().keyId();
    String arn = "arn:aws:kms:eu-west-1:" + TestServer.ACCOUNT + ":key/" + keyId;

    NotFoundException e =
        assertThrows(NotFoundException.class, () -> kms.describeKey(b -> b.keyId(arn)));

    assertEquals(400, e.statusCode());
    assertEquals("Invalid arn eu-west-1", e.awsErrorDetails().errorMessage());
  }

  @Test
  void describeKey_withAnUnknownMultiRegionKeyId_isNotFound_namingItsArn() {
    String mrk = "mrk-1234abcd12ab34cd56ef1234567890ab";

    NotFoundException e =
        assertThrows(NotFoundException.class, () -> kms.describeKey(b -> b.keyId(mrk)));

    assertEquals(
        "Key 'arn:aws:kms:us-east-1:" + TestServer.ACCOUNT + ":key/" + mrk + "' does not exist",
        e.awsErrorDetails().errorMessage());
  }

  @Test
  void encrypt_withAnRsaKey_andTooMuchPlaintext_saysSoInAwsWords() {
    String keyId =
        kms.createKey(b -> b.keySpec("RSA_2048").keyUsage("ENCRYPT_DECRYPT")).keyMetadata().keyId();

    software.amazon.awssdk.services.kms.model.KmsException e =
        assertThrows(
            software.amazon.awssdk.services.kms.model.KmsException.class,
            () ->
                kms.encrypt(
                    b ->
                        b.keyId(keyId)
                            .encryptionAlgorithm("RSAES_OAEP_SHA_1")
                            .plaintext(
                                software.amazon.awssdk.core.SdkBytes.fromByteArray(
                                    new byte[215]))));

    assertEquals("ValidationException", e.awsErrorDetails().errorCode());
    assertEquals(400, e.statusCode());
    assertEquals(
        "Algorithm RSAES_OAEP_SHA_1 and key spec RSA_2048 cannot encrypt data larger than 214"
            + " bytes.",
        e.awsErrorDetails().errorMessage());
  }

  @Test
  void createKey_keyAgreementWithAnRsaSpec_andHmacWithoutKeyUsage_sayItInAwsWords() {
    software.amazon.awssdk.services.kms.model.KmsException agreement =
        assertThrows(
            software.amazon.awssdk.services.kms.model.KmsException.class,
            () -> kms.createKey(b -> b.keySpec("RSA_2048").keyUsage("KEY_AGREEMENT")));
    software.amazon.awssdk.services.kms.model.KmsException hmac =
        assertThrows(
            software.amazon.awssdk.services.kms.model.KmsException.class,
            () -> kms.createKey(b -> b.keySpec("HMAC_256")));

    assertEquals("ValidationException", agreement.awsErrorDetails().errorCode());
    assertEquals(
        "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048",
        agreement.awsErrorDetails().errorMessage());
    assertEquals("ValidationException", hmac.awsErrorDetails().errorCode());
    assertEquals(
        "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.",
        hmac.awsErrorDetails().errorMessage());
  }
}
