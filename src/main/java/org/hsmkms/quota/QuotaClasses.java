package org.hsmkms.quota;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * AWS KMS's request quotas ("Request quotas" in the AWS KMS Developer Guide), and which of them a
 * request counts against.
 *
 * <p>The shared cryptographic quotas are chosen by the request's algorithm parameter, since that is
 * what names the key type before the key is read: a Decrypt, Encrypt or ReEncrypt naming an RSAES
 * algorithm counts against {@code rsa} (SM2PKE against {@code ecc}), and one naming none or
 * SYMMETRIC_DEFAULT against {@code symmetric}; Sign and Verify by SigningAlgorithm (RSASSA: {@code
 * rsa}; ECDSA, Ed25519, SM2DSA: {@code ecc}; ML-DSA: {@code ml-dsa}); DeriveSharedSecret is {@code
 * ecc}. A request whose parameter does not match its key is refused by the operation anyway (AWS
 * requires the algorithm for asymmetric keys), after counting against the class it named.
 *
 * <p>The symmetric quota is AWS's largest regional default (100,000 a second in us-east-1,
 * us-west-2 and eu-west-1; 10,000 or 20,000 elsewhere).
 */
public final class QuotaClasses {
  public static final String SYMMETRIC = "symmetric";
  public static final String RSA = "rsa";
  public static final String ECC = "ecc";
  public static final String ML_DSA = "ml-dsa";
  public static final String DATA_KEY_PAIR = "GenerateDataKeyPair:";

  private static final Map<String, QuotaClass> BY_NAME;

  static {
    Map<String, Double> rates = new LinkedHashMap<>();
    // Cryptographic operations (symmetric / RSA / ML-DSA / ECC and SM2) request rate.
    rates.put(SYMMETRIC, 100_000.0);
    rates.put(RSA, 1_000.0);
    rates.put(ECC, 1_000.0);
    rates.put(ML_DSA, 1_000.0);
    // GenerateDataKeyPair (<KeyPairSpec>) request rate, shared with ...WithoutPlaintext.
    rates.put(DATA_KEY_PAIR + "RSA_2048", 20.0);
    rates.put(DATA_KEY_PAIR + "RSA_3072", 4.0);
    rates.put(DATA_KEY_PAIR + "RSA_4096", 1.0);
    rates.put(DATA_KEY_PAIR + "ECC_NIST_P256", 100.0);
    rates.put(DATA_KEY_PAIR + "ECC_NIST_P384", 100.0);
    rates.put(DATA_KEY_PAIR + "ECC_NIST_P521", 100.0);
    rates.put(DATA_KEY_PAIR + "ECC_SECG_P256K1", 100.0);
    rates.put(DATA_KEY_PAIR + "ECC_NIST_EDWARDS25519", 100.0);
    rates.put(DATA_KEY_PAIR + "SM2", 25.0);
    // <Operation> request rate.
    operation(rates, 5, "CancelKeyDeletion", "ConnectCustomKeyStore", "CreateAlias");
    operation(rates, 5, "CreateCustomKeyStore", "CreateKey", "DeleteCustomKeyStore");
    operation(rates, 5, "DescribeCustomKeyStores", "DisableKey", "DisableKeyRotation");
    operation(rates, 5, "DisconnectCustomKeyStore", "EnableKey", "GetKeyLastUsage");
    operation(rates, 5, "ReplicateKey", "RotateKeyOnDemand", "UntagResource", "UpdateAlias");
    operation(rates, 5, "UpdateCustomKeyStore", "UpdateKeyDescription", "UpdatePrimaryRegion");
    operation(rates, 1, "GetParametersForImport");
    operation(rates, 10, "TagResource");
    operation(rates, 15, "DeleteAlias", "DeleteImportedKeyMaterial", "EnableKeyRotation");
    operation(rates, 15, "ImportKeyMaterial", "PutKeyPolicy", "ScheduleKeyDeletion");
    operation(rates, 50, "CreateGrant", "RetireGrant", "RevokeGrant");
    operation(rates, 100, "ListGrants", "ListKeyPolicies", "ListKeyRotations");
    operation(rates, 100, "ListRetirableGrants");
    operation(rates, 500, "ListAliases", "ListKeys");
    operation(rates, 1000, "GetKeyPolicy", "GetKeyRotationStatus");
    operation(rates, 2000, "DescribeKey", "GetPublicKey", "ListResourceTags");
    Map<String, QuotaClass> byName = new LinkedHashMap<>();
    rates.forEach((name, rate) -> byName.put(name, new QuotaClass(name, rate, byName.size())));
    BY_NAME = Collections.unmodifiableMap(byName);
  }

  private QuotaClasses() {}

  private static void operation(Map<String, Double> rates, double rate, String... operations) {
    for (String op : operations) {
      rates.put(op, rate);
    }
  }

  /** Every class, in a fixed order ({@link QuotaClass#index()}). */
  public static List<QuotaClass> all() {
    return new ArrayList<>(BY_NAME.values());
  }

  /** The class named {@code name}, or null if there is none. */
  public static QuotaClass named(String name) {
    return BY_NAME.get(name);
  }

  /**
   * The class a request counts against.
   *
   * @param operation an operation of the AWS model
   * @param field the request's top-level string members by name (null when absent)
   * @return its class; null for an operation with no quota of its own (none of the AWS model)
   */
  public static QuotaClass of(String operation, Function<String, String> field) {
    return switch (operation) {
      case "Encrypt", "Decrypt" -> BY_NAME.get(byEncryption(field.apply("EncryptionAlgorithm")));
      case "ReEncrypt" -> {
        String source = byEncryption(field.apply("SourceEncryptionAlgorithm"));
        yield BY_NAME.get(
            source.equals(SYMMETRIC)
                ? byEncryption(field.apply("DestinationEncryptionAlgorithm"))
                : source);
      }
      case "GenerateDataKey",
          "GenerateDataKeyWithoutPlaintext",
          "GenerateMac",
          "VerifyMac",
          "GenerateRandom" ->
          BY_NAME.get(SYMMETRIC);
      case "Sign", "Verify" -> BY_NAME.get(bySigning(field.apply("SigningAlgorithm")));
      case "DeriveSharedSecret" -> BY_NAME.get(ECC);
      case "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext" -> {
        QuotaClass c = BY_NAME.get(DATA_KEY_PAIR + field.apply("KeyPairSpec"));
        // A spec the model does not name is refused by validation before this.
        yield c != null ? c : BY_NAME.get(DATA_KEY_PAIR + "RSA_4096");
      }
      default -> BY_NAME.get(operation);
    };
  }

  private static String byEncryption(String algorithm) {
    if (algorithm == null || algorithm.equals("SYMMETRIC_DEFAULT")) {
      return SYMMETRIC;
    }
    return algorithm.startsWith("RSAES_") ? RSA : ECC;
  }

  private static String bySigning(String algorithm) {
    if (algorithm == null) {
      return ECC;
    }
    if (algorithm.startsWith("RSASSA_")) {
      return RSA;
    }
    return algorithm.startsWith("ML_DSA_") ? ML_DSA : ECC;
  }
}
