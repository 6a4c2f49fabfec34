package org.hsmkms.work;

import java.util.function.UnaryOperator;

/**
 * The classes of work, each on its own {@link FairWorkQueue} with its own share of the HSM
 * sessions, so that slow work cannot hold up fast work and client work cannot hold up the service's
 * own.
 *
 * <p>SLOW is what takes the HSM a second or more per call (SoftHSM2: RSA-4096 generation 1-1.5 s
 * with long tails, RSA-2048 0.15 s; an RSA private-key operation a few milliseconds, one to two
 * orders of magnitude above an AES one): generating RSA key pairs and using RSA private keys.
 * BACKGROUND is the service's own work (credential reload, key usage flush, sweeps, rotations).
 * FAST is every other client request.
 */
public enum WorkClass {
  FAST,
  SLOW,
  BACKGROUND;

  /** The label of this class in the metrics and the threads' names. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The class of a client request, from its operation and the members of its parsed, valid body
   * ({@code member} answers a top-level string member, or null when absent).
   *
   * <p>GenerateDataKeyPair with an RSA spec is SLOW even when the pregenerated pool may have a pair
   * ready: whether one is ready is known only when the pair is taken, and a burst that emptied the
   * pool would otherwise generate RSA keys on the fast threads.
   */
  public static WorkClass ofRequest(String operation, UnaryOperator<String> member) {
    if (operation == null) {
      return FAST;
    }
    return switch (operation) {
      // CreateKey: KeySpec, or its deprecated twin CustomerMasterKeySpec.
      case "CreateKey" ->
          rsa(member.apply("KeySpec"), "RSA_") || rsa(member.apply("CustomerMasterKeySpec"), "RSA_")
              ? SLOW
              : FAST;
      case "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext" ->
          rsa(member.apply("KeyPairSpec"), "RSA_") ? SLOW : FAST;
      // An RSA wrapping key pair is generated for each call.
      case "GetParametersForImport" -> rsa(member.apply("WrappingKeySpec"), "RSA_") ? SLOW : FAST;
      case "Sign" -> rsa(member.apply("SigningAlgorithm"), "RSASSA_") ? SLOW : FAST;
      case "Decrypt" -> rsa(member.apply("EncryptionAlgorithm"), "RSAES_") ? SLOW : FAST;
      // ReEncrypt decrypts first: with an RSA source key that is a private-key operation.
      case "ReEncrypt" -> rsa(member.apply("SourceEncryptionAlgorithm"), "RSAES_") ? SLOW : FAST;
      default -> FAST;
    };
  }

  private static boolean rsa(String value, String prefix) {
    return value != null && value.startsWith(prefix);
  }
}
