package org.hsmkms.work;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which requests are slow work: RSA key pair generation and RSA private-key operations. */
class WorkClassTest {
  @ParameterizedTest(name = "{0} {1}={2} is {3}")
  @CsvSource({
    "CreateKey, KeySpec, RSA_4096, SLOW",
    "CreateKey, KeySpec, RSA_2048, SLOW",
    "CreateKey, CustomerMasterKeySpec, RSA_3072, SLOW",
    "CreateKey, KeySpec, ECC_NIST_P256, FAST",
    "CreateKey, KeySpec, SYMMETRIC_DEFAULT, FAST",
    "CreateKey, Description, RSA_4096, FAST",
    "GenerateDataKeyPair, KeyPairSpec, RSA_4096, SLOW",
    "GenerateDataKeyPairWithoutPlaintext, KeyPairSpec, RSA_2048, SLOW",
    "GenerateDataKeyPair, KeyPairSpec, ECC_NIST_P384, FAST",
    "GetParametersForImport, WrappingKeySpec, RSA_4096, SLOW",
    "Sign, SigningAlgorithm, RSASSA_PSS_SHA_256, SLOW",
    "Sign, SigningAlgorithm, RSASSA_PKCS1_V1_5_SHA_512, SLOW",
    "Sign, SigningAlgorithm, ECDSA_SHA_256, FAST",
    "Verify, SigningAlgorithm, RSASSA_PSS_SHA_256, FAST",
    "Decrypt, EncryptionAlgorithm, RSAES_OAEP_SHA_256, SLOW",
    "Decrypt, EncryptionAlgorithm, SYMMETRIC_DEFAULT, FAST",
    "Encrypt, EncryptionAlgorithm, RSAES_OAEP_SHA_256, FAST",
    "ReEncrypt, SourceEncryptionAlgorithm, RSAES_OAEP_SHA_1, SLOW",
    "ReEncrypt, DestinationEncryptionAlgorithm, RSAES_OAEP_SHA_1, FAST",
    "GenerateDataKey, KeySpec, AES_256, FAST",
  })
  void ofRequest(String operation, String member, String value, WorkClass expected) {
    Map<String, String> body = Map.of(member, value);

    assertEquals(expected, WorkClass.ofRequest(operation, body::get));
  }

  @ParameterizedTest
  @CsvSource({"CreateKey", "GenerateDataKeyPair", "Sign", "Decrypt"})
  void ofRequest_withoutTheMember_isFast(String operation) {
    assertEquals(WorkClass.FAST, WorkClass.ofRequest(operation, name -> null));
  }
}
