package org.hsmkms.kms;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.hsmkms.store.KeyRecord;

/**
 * What AWS KMS accepts in a grant: the grant operations, which of them a key of each spec and usage
 * supports, principals, and encryption context constraints.
 */
final class GrantRules {
  /** CreateGrant Operations: the GrantOperation enum of the API model. */
  static final Set<String> OPERATIONS =
      Set.of(
          "Decrypt",
          "Encrypt",
          "GenerateDataKey",
          "GenerateDataKeyWithoutPlaintext",
          "ReEncryptFrom",
          "ReEncryptTo",
          "Sign",
          "Verify",
          "GetPublicKey",
          "CreateGrant",
          "RetireGrant",
          "DescribeKey",
          "GenerateDataKeyPair",
          "GenerateDataKeyPairWithoutPlaintext",
          "GenerateMac",
          "VerifyMac",
          "DeriveSharedSecret");

  /**
   * The grant operations whose requests carry an encryption context: the only ones a constraint
   * applies to (GrantConstraints: "Grant constraints are not applied to operations that do not
   * support an encryption context, such as ... DescribeKey or RetireGrant").
   */
  static final Set<String> CONTEXT_OPERATIONS =
      Set.of(
          "Decrypt",
          "Encrypt",
          "GenerateDataKey",
          "GenerateDataKeyWithoutPlaintext",
          "ReEncryptFrom",
          "ReEncryptTo",
          "GenerateDataKeyPair",
          "GenerateDataKeyPairWithoutPlaintext");

  private static final Set<String> EVERY_KEY = Set.of("CreateGrant", "RetireGrant", "DescribeKey");
  private static final Set<String> SYMMETRIC_ENCRYPTION = CONTEXT_OPERATIONS;
  private static final Set<String> ASYMMETRIC_ENCRYPTION =
      Set.of("Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey");
  private static final Set<String> SIGNING = Set.of("Sign", "Verify", "GetPublicKey");
  private static final Set<String> MAC = Set.of("GenerateMac", "VerifyMac");
  private static final Set<String> AGREEMENT = Set.of("DeriveSharedSecret", "GetPublicKey");

  // GrantConstraints: "Each constraint value can include up to 8 encryption context pairs. The
  // encryption context value in each constraint cannot exceed 384 characters."
  static final int MAX_CONSTRAINT_PAIRS = 8;
  static final int MAX_CONSTRAINT_VALUE_CHARS = 384;

  // CreateGrant GranteePrincipal, RetiringPrincipal: "the ARN of an AWS principal. Valid AWS
  // principals include AWS accounts (root), IAM users, IAM roles, federated users, and assumed
  // role users"; and AWS service principals (e.g. dynamodb.amazonaws.com).
  private static final Pattern PRINCIPAL_ARN =
      Pattern.compile(
          "arn:aws:(iam::\\d{12}:(root|user/\\S+|role/\\S+|federated-user/\\S+)"
              + "|sts::\\d{12}:(assumed-role/\\S+|federated-user/\\S+))");
  private static final Pattern SERVICE_PRINCIPAL =
      Pattern.compile("[a-z0-9][a-z0-9.-]*\\.amazonaws\\.com(\\.cn)?");

  private GrantRules() {}

  /** The grant operations a key supports, by its spec and usage. */
  static Set<String> operationsOf(KeyRecord key) {
    KeySpec spec = KeySpec.ofKey(key.keySpec());
    Set<String> ops = new LinkedHashSet<>(EVERY_KEY);
    if (spec.isSymmetric()) {
      ops.addAll(SYMMETRIC_ENCRYPTION);
    } else if (spec.isHmac()) {
      ops.addAll(MAC);
    } else {
      ops.addAll(
          switch (String.valueOf(key.keyUsage())) {
            case KeySpec.ENCRYPT_DECRYPT -> ASYMMETRIC_ENCRYPTION;
            case KeySpec.SIGN_VERIFY -> SIGNING;
            case KeySpec.KEY_AGREEMENT -> AGREEMENT;
            default -> Set.of();
          });
    }
    return ops;
  }

  /** A principal ARN (or service principal) as GranteePrincipal and RetiringPrincipal take. */
  static boolean validPrincipal(String principal) {
    return PRINCIPAL_ARN.matcher(principal).matches()
        || SERVICE_PRINCIPAL.matcher(principal).matches();
  }

  /** The account of a principal ARN, or null for a service principal. */
  static String accountOf(String principal) {
    return principal.startsWith("arn:") ? principal.split(":", 6)[4] : null;
  }

  static void checkPrincipal(String field, String principal) {
    if (principal == null || !validPrincipal(principal)) {
      throw GrantErrors.invalidPrincipal(field, principal);
    }
  }

  /** CreateGrant: Operations is not empty, names only grant operations, and each once. */
  static List<String> checkOperations(List<String> operations) {
    if (operations == null || operations.isEmpty()) {
      throw KmsException.validation(
          "[]", "operations", "Member must have length greater than or equal to 1");
    }
    List<String> out = new ArrayList<>(new LinkedHashSet<>(operations));
    for (String op : out) {
      if (!OPERATIONS.contains(op)) {
        throw KmsException.validation(
            "'" + op + "'",
            "operations",
            "Member must satisfy constraint: [Member must satisfy enum value set: "
                + OPERATIONS.stream().sorted().toList()
                + "]");
      }
    }
    return List.copyOf(out);
  }

  /**
   * CreateGrant: "if the grant allows an operation that the KMS key does not support, CreateGrant
   * fails with a ValidationException", and encryption context constraints only on keys whose
   * operations take an encryption context (symmetric encryption keys).
   */
  static void checkFitsKey(KeyRecord key, List<String> operations, GrantConstraints constraints) {
    Set<String> supported = operationsOf(key);
    List<String> unsupported = operations.stream().filter(op -> !supported.contains(op)).toList();
    if (!unsupported.isEmpty()) {
      throw GrantErrors.operationsNotSupportedByKey(
          unsupported, KeySpec.ofKey(key.keySpec()).name(), key.keyUsage());
    }
    if (constraints != null && !KeySpec.ofKey(key.keySpec()).isSymmetric()) {
      throw GrantErrors.constraintsNeedSymmetricKey();
    }
  }

  /** Each constraint: at most 8 pairs, each value at most 384 characters. */
  static void checkConstraints(GrantConstraints constraints) {
    if (constraints == null) {
      return;
    }
    checkPairs("EncryptionContextEquals", constraints.encryptionContextEquals());
    checkPairs("EncryptionContextSubset", constraints.encryptionContextSubset());
  }

  private static void checkPairs(String constraint, Map<String, String> pairs) {
    if (pairs == null) {
      return;
    }
    if (pairs.size() > MAX_CONSTRAINT_PAIRS) {
      throw GrantErrors.tooManyConstraintPairs(constraint, MAX_CONSTRAINT_PAIRS);
    }
    for (String value : pairs.values()) {
      if (value.length() > MAX_CONSTRAINT_VALUE_CHARS) {
        // The value itself is not echoed: encryption context may be sensitive.
        throw GrantErrors.constraintValueTooLong(constraint, MAX_CONSTRAINT_VALUE_CHARS);
      }
    }
  }
}
