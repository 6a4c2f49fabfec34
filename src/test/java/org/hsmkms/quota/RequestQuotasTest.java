package org.hsmkms.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Which class a request counts against, and the buckets per account, access key and class. */
class RequestQuotasTest {
  private static final String A = "111122223333";
  private static final String B = "444455556666";
  private final AtomicLong now = new AtomicLong();

  private static QuotaClass classOf(String operation, Map<String, String> fields) {
    return QuotaClasses.of(operation, fields::get);
  }

  private static QuotaClass named(String name) {
    return QuotaClasses.named(name);
  }

  private int takeAll(RequestQuotas q, String account, String key, QuotaClass c) {
    int n = 0;
    while (q.tryAcquire(account, key, c)) {
      n++;
    }
    return n;
  }

  @Test
  void encryptAndDecrypt_countByTheirEncryptionAlgorithm() {
    assertEquals("symmetric", classOf("Encrypt", Map.of()).name());
    assertEquals(
        "symmetric", classOf("Decrypt", Map.of("EncryptionAlgorithm", "SYMMETRIC_DEFAULT")).name());
    assertEquals(
        "rsa", classOf("Decrypt", Map.of("EncryptionAlgorithm", "RSAES_OAEP_SHA_256")).name());
    assertEquals("ecc", classOf("Encrypt", Map.of("EncryptionAlgorithm", "SM2PKE")).name());
    assertEquals(
        "rsa",
        classOf("ReEncrypt", Map.of("DestinationEncryptionAlgorithm", "RSAES_OAEP_SHA_1")).name());
    assertEquals("symmetric", classOf("ReEncrypt", Map.of()).name());
  }

  @Test
  void signAndVerify_countByTheirSigningAlgorithm() {
    assertEquals("rsa", classOf("Sign", Map.of("SigningAlgorithm", "RSASSA_PSS_SHA_256")).name());
    assertEquals("ecc", classOf("Verify", Map.of("SigningAlgorithm", "ECDSA_SHA_384")).name());
    assertEquals("ecc", classOf("Sign", Map.of("SigningAlgorithm", "ED25519_SHA_512")).name());
    assertEquals("ml-dsa", classOf("Sign", Map.of("SigningAlgorithm", "ML_DSA_SHAKE_256")).name());
    assertEquals("ecc", classOf("DeriveSharedSecret", Map.of()).name());
  }

  @Test
  void theSharedSymmetricQuota_coversAwsOperations_atAwsLargestRegionalDefault() {
    for (String op :
        new String[] {
          "GenerateDataKey",
          "GenerateDataKeyWithoutPlaintext",
          "GenerateMac",
          "VerifyMac",
          "GenerateRandom"
        }) {
      assertEquals("symmetric", classOf(op, Map.of()).name(), op);
    }
    assertEquals(100_000.0, named("symmetric").awsDefault());
  }

  @Test
  void dataKeyPairs_countPerKeyPairSpec_withAwsRates() {
    QuotaClass rsa4096 =
        classOf("GenerateDataKeyPairWithoutPlaintext", Map.of("KeyPairSpec", "RSA_4096"));
    assertEquals("GenerateDataKeyPair:RSA_4096", rsa4096.name());
    assertEquals(1.0, rsa4096.awsDefault());
    assertEquals(rsa4096, classOf("GenerateDataKeyPair", Map.of("KeyPairSpec", "RSA_4096")));
    assertEquals(20.0, named("GenerateDataKeyPair:RSA_2048").awsDefault());
    assertEquals(100.0, named("GenerateDataKeyPair:ECC_NIST_P256").awsDefault());
  }

  @Test
  void managementOperations_haveAwsPerOperationDefaults() {
    assertEquals(5.0, classOf("CreateKey", Map.of()).awsDefault());
    assertEquals(2000.0, classOf("DescribeKey", Map.of()).awsDefault());
    assertEquals(500.0, classOf("ListKeys", Map.of()).awsDefault());
    assertEquals(50.0, classOf("CreateGrant", Map.of()).awsDefault());
  }

  @Test
  void everyOperationAndKeyPairSpecOfTheModel_hasAClass() throws Exception {
    var model =
        new ObjectMapper()
            .readTree(Files.readString(Path.of("src/main/resources/aws/kms-2014-11-01.json")));
    Set<String> missing = new TreeSet<>();
    model
        .get("operations")
        .fieldNames()
        .forEachRemaining(
            op -> {
              if (QuotaClasses.of(op, f -> null) == null) {
                missing.add(op);
              }
            });
    model
        .get("shapes")
        .get("DataKeyPairSpec")
        .get("enum")
        .forEach(
            spec -> {
              if (QuotaClasses.named("GenerateDataKeyPair:" + spec.asText()) == null) {
                missing.add(spec.asText());
              }
            });
    assertEquals(Set.of(), missing);
  }

  @Test
  void eachAccount_hasItsOwnBuckets() {
    RequestQuotas q = new RequestQuotas(1.0, 0, Map.of(), now::get);
    QuotaClass createKey = named("CreateKey");
    assertEquals(5, takeAll(q, A, "K1", createKey));
    assertTrue(q.tryAcquire(B, "K2", createKey), "another account is not throttled by A");
  }

  @Test
  void eachClass_isIndependent() {
    RequestQuotas q = new RequestQuotas(0.001, 0, Map.of(), now::get);
    assertEquals(100, takeAll(q, A, "K1", named("symmetric")));
    assertEquals(1, takeAll(q, A, "K1", named("rsa")));
    assertEquals(1, takeAll(q, A, "K1", named("ecc")));
    assertTrue(q.tryAcquire(A, "K1", named("DescribeKey")));
  }

  @Test
  void scale_multipliesEveryAwsDefault_andAnOverrideIsTheRateItself() {
    RequestQuotas q =
        new RequestQuotas(
            2.0,
            0,
            Map.of(A, Map.of("CreateKey", 3.0, "GenerateDataKeyPair:RSA_4096", 7.0)),
            now::get);
    assertEquals(3, takeAll(q, A, "K1", named("CreateKey")));
    assertEquals(7, takeAll(q, A, "K1", named("GenerateDataKeyPair:RSA_4096")));
    assertEquals(10, takeAll(q, B, "K2", named("CreateKey")));
    assertEquals(2.0, q.rate(B, named("GenerateDataKeyPair:RSA_4096")));
  }

  @Test
  void perAccessKey_givesEachKeyAShareOfItsAccount() {
    RequestQuotas q = new RequestQuotas(1.0, 0.5, Map.of(A, Map.of("symmetric", 10.0)), now::get);
    QuotaClass sym = named("symmetric");
    assertEquals(5, takeAll(q, A, "K1", sym));
    assertEquals(5, takeAll(q, A, "K2", sym), "a second key of the account has its own share");
    assertFalse(q.tryAcquire(A, "K3", sym), "the account's 10 are spent");
    now.addAndGet(1_000_000_000L);
    assertEquals(5, takeAll(q, A, "K1", sym));
  }

  @Test
  void anOverrideOfAnUnknownClass_orOfZero_isRefused() {
    Map<String, Map<String, Double>> unknown = Map.of(A, Map.of("CreateKeys", 1.0));
    assertThrows(IllegalArgumentException.class, () -> new RequestQuotas(1, 0, unknown));
    Map<String, Double> zero = new HashMap<>();
    zero.put("CreateKey", 0.0);
    assertThrows(IllegalArgumentException.class, () -> new RequestQuotas(1, 0, Map.of(A, zero)));
    assertThrows(IllegalArgumentException.class, () -> new RequestQuotas(0, 0, Map.of()));
    assertNotNull(new RequestQuotas(1, 1, Map.of()));
  }
}
