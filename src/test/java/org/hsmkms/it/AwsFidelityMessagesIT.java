package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * Issue 17's remaining message differences, pinned through the AWS SDK to what AWS answered: error
 * type, HTTP status and message. (AwsFidelityIT pins the others.)
 */
class AwsFidelityMessagesIT {
  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();

  private static KmsException awsError(String type, Executable call) {
    KmsException e = assertThrows(KmsException.class, call);
    assertEquals(type, e.awsErrorDetails().errorCode(), e.getMessage());
    assertEquals(400, e.statusCode());
    return e;
  }

  private String arnOf(String keyId) {
    return kms.describeKey(b -> b.keyId(keyId)).keyMetadata().arn();
  }

  @Test
  void deriveSharedSecret_withAPublicKeyThatIsNotValid_isValidationException_withAnEmptyMessage()
      throws Exception {
    String keyId =
        kms.createKey(b -> b.keySpec("ECC_NIST_P256").keyUsage("KEY_AGREEMENT"))
            .keyMetadata()
            .keyId();
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    byte[] otherCurve = g.generateKeyPair().getPublic().getEncoded();

    for (byte[] publicKey : new byte[][] {otherCurve, {0x30, 0x00}}) {
      KmsException e =
          awsError(
              "ValidationException",
              () ->
                  kms.deriveSharedSecret(
                      b ->
                          b.keyId(keyId)
                              .keyAgreementAlgorithm("ECDH")
                              .publicKey(SdkBytes.fromByteArray(publicKey))));

      // The wire body carries "message": "", as AWS's does.
      assertEquals("", e.awsErrorDetails().errorMessage());
    }
  }

  @Test
  void deriveSharedSecret_withASigningKey_isInvalidKeyUsage_inAwsWords() throws Exception {
    String keyId =
        kms.createKey(b -> b.keySpec("ECC_NIST_P256").keyUsage("SIGN_VERIFY"))
            .keyMetadata()
            .keyId();
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    byte[] peer = g.generateKeyPair().getPublic().getEncoded();

    KmsException e =
        awsError(
            "InvalidKeyUsageException",
            () ->
                kms.deriveSharedSecret(
                    b ->
                        b.keyId(keyId)
                            .keyAgreementAlgorithm("ECDH")
                            .publicKey(SdkBytes.fromByteArray(peer))));

    assertEquals(
        arnOf(keyId) + " key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret.",
        e.awsErrorDetails().errorMessage());
  }

  /** AWS's form "<ARN> key usage is <USAGE> which is not valid for <Operation>." everywhere. */
  @ParameterizedTest
  @CsvSource({
    "Sign, SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT",
    "GenerateMac, ECC_NIST_P256, SIGN_VERIFY",
    "Encrypt, HMAC_256, GENERATE_VERIFY_MAC",
    "GenerateDataKey, ECC_NIST_P256, KEY_AGREEMENT"
  })
  void aKeyOfAnotherUsage_isInvalidKeyUsage_inAwsWords(
      String operation, String spec, String usage) {
    String keyId = kms.createKey(b -> b.keySpec(spec).keyUsage(usage)).keyMetadata().keyId();
    SdkBytes message = SdkBytes.fromUtf8String("message");
    Executable call =
        switch (operation) {
          case "Sign" ->
              () ->
                  kms.sign(b -> b.keyId(keyId).message(message).signingAlgorithm("ECDSA_SHA_256"));
          case "GenerateMac" ->
              () ->
                  kms.generateMac(
                      b -> b.keyId(keyId).message(message).macAlgorithm("HMAC_SHA_256"));
          case "Encrypt" -> () -> kms.encrypt(b -> b.keyId(keyId).plaintext(message));
          default -> () -> kms.generateDataKey(b -> b.keyId(keyId).keySpec("AES_256"));
        };

    KmsException e = awsError("InvalidKeyUsageException", call);

    assertEquals(
        arnOf(keyId) + " key usage is " + usage + " which is not valid for " + operation + ".",
        e.awsErrorDetails().errorMessage());
  }

  @Test
  void createKey_keyAgreementWithAnRsaSpec_isValidationException_inAwsWords() {
    KmsException e =
        awsError(
            "ValidationException",
            () -> kms.createKey(b -> b.keySpec("RSA_2048").keyUsage("KEY_AGREEMENT")));

    assertEquals(
        "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048",
        e.awsErrorDetails().errorMessage());
  }

  @Test
  void generateMac_withAnUnknownMacAlgorithm_listsTheValuesInAwsOrder() {
    String keyId =
        kms.createKey(b -> b.keySpec("HMAC_256").keyUsage("GENERATE_VERIFY_MAC"))
            .keyMetadata()
            .keyId();

    KmsException e =
        awsError(
            "ValidationException",
            () ->
                kms.generateMac(
                    b ->
                        b.keyId(keyId)
                            .message(SdkBytes.fromUtf8String("m"))
                            .macAlgorithm("HMAC_SHA_1")));

    assertEquals(
        "1 validation error detected: Value 'HMAC_SHA_1' at 'macAlgorithm' failed to satisfy"
            + " constraint: Member must satisfy enum value set: [HMAC_SHA_384, HMAC_SHA_256,"
            + " HMAC_SHA_224, HMAC_SHA_512]",
        e.awsErrorDetails().errorMessage());
  }

  @Test
  void createKey_withAnUnknownKeyUsage_listsTheValuesInAwsOrder() {
    KmsException e =
        awsError("ValidationException", () -> kms.createKey(b -> b.keyUsage("ENCRYPT_ALL")));

    assertEquals(
        "1 validation error detected: Value 'ENCRYPT_ALL' at 'keyUsage' failed to satisfy"
            + " constraint: Member must satisfy enum value set: [ENCRYPT_DECRYPT, SIGN_VERIFY,"
            + " GENERATE_VERIFY_MAC, KEY_AGREEMENT]",
        e.awsErrorDetails().errorMessage());
  }

  @Test
  void anEnumWithoutARecordedAwsOrder_listsTheModelsOrder() {
    KmsException e =
        awsError(
            "ValidationException",
            () -> kms.generateDataKey(b -> b.keyId("alias/any").keySpec("AES_512")));

    assertEquals(
        "1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy"
            + " constraint: Member must satisfy enum value set: [AES_256, AES_128]",
        e.awsErrorDetails().errorMessage());
  }

  @Test
  void rotateKeyOnDemand_ofAnUnknownKey_isNotFound_namingItsArn() {
    String keyId = "1234abcd-12ab-34cd-56ef-1234567890ab";

    KmsException e =
        awsError("NotFoundException", () -> kms.rotateKeyOnDemand(b -> b.keyId(keyId)));

    assertEquals(
        "Key 'arn:aws:kms:us-east-1:" + TestServer.ACCOUNT + ":key/" + keyId + "' does not exist",
        e.awsErrorDetails().errorMessage());
  }
}
