package org.hsmkms.kms;

import java.util.List;
import java.util.Optional;
import org.hsmkms.hsm.KeyPairType;
import org.hsmkms.hsm.MacScheme;
import org.hsmkms.store.KeyRecord;

/**
 * AWS KMS key specs as this service supports them, with what AWS allows for each: key usages and
 * the encryption, signing, MAC and key agreement algorithms a key of that spec and usage lists
 * (DescribeKey) and accepts (every data-plane operation).
 *
 * <p>Sources: the AWS KMS developer guide, "Key spec reference" (RSA, ECC, HMAC and SM2 key specs)
 * and the CreateKey API reference.
 */
public enum KeySpec {
  SYMMETRIC_DEFAULT(null, 0),
  RSA_2048(KeyPairType.RSA_2048, 0),
  RSA_3072(KeyPairType.RSA_3072, 0),
  RSA_4096(KeyPairType.RSA_4096, 0),
  ECC_NIST_P256(KeyPairType.EC_P256, 0),
  ECC_NIST_P384(KeyPairType.EC_P384, 0),
  ECC_NIST_P521(KeyPairType.EC_P521, 0),
  ECC_SECG_P256K1(KeyPairType.EC_SECP256K1, 0),
  ECC_NIST_EDWARDS25519(KeyPairType.ED25519, 0),
  HMAC_224(null, 28),
  HMAC_256(null, 32),
  HMAC_384(null, 48),
  HMAC_512(null, 64);

  static final String ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT";
  static final String SIGN_VERIFY = "SIGN_VERIFY";
  static final String KEY_AGREEMENT = "KEY_AGREEMENT";
  static final String GENERATE_VERIFY_MAC = "GENERATE_VERIFY_MAC";

  private static final List<String> RSA_SIGNING =
      List.of(
          "RSASSA_PKCS1_V1_5_SHA_256",
          "RSASSA_PKCS1_V1_5_SHA_384",
          "RSASSA_PKCS1_V1_5_SHA_512",
          "RSASSA_PSS_SHA_256",
          "RSASSA_PSS_SHA_384",
          "RSASSA_PSS_SHA_512");

  private final KeyPairType keyPairType;
  private final int hmacKeyBytes;

  KeySpec(KeyPairType keyPairType, int hmacKeyBytes) {
    this.keyPairType = keyPairType;
    this.hmacKeyBytes = hmacKeyBytes;
  }

  /** The spec of this name, if this service supports it. */
  public static Optional<KeySpec> of(String name) {
    for (KeySpec s : values()) {
      if (s.name().equals(name)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** The spec of a stored key (keys of older rows without a spec are symmetric). */
  static KeySpec ofKey(String name) {
    return name == null
        ? SYMMETRIC_DEFAULT
        : of(name)
            .orElseThrow(
                () -> new IllegalStateException("stored key has an unknown key spec " + name));
  }

  public boolean isSymmetric() {
    return this == SYMMETRIC_DEFAULT;
  }

  public boolean isHmac() {
    return hmacKeyBytes > 0;
  }

  public boolean isAsymmetric() {
    return keyPairType != null;
  }

  public boolean isRsa() {
    return keyPairType != null && keyPairType.family() == KeyPairType.Family.RSA;
  }

  /** The HSM key pair type; null for symmetric and HMAC specs. */
  public KeyPairType keyPairType() {
    return keyPairType;
  }

  /** The HMAC key length in bytes (as long as the digest); 0 for other specs. */
  public int hmacKeyBytes() {
    return hmacKeyBytes;
  }

  /** The HMAC scheme of an HMAC spec. */
  MacScheme macScheme() {
    return switch (this) {
      case HMAC_224 -> MacScheme.HMAC_SHA224;
      case HMAC_256 -> MacScheme.HMAC_SHA256;
      case HMAC_384 -> MacScheme.HMAC_SHA384;
      case HMAC_512 -> MacScheme.HMAC_SHA512;
      default -> throw new IllegalStateException(this + " is not an HMAC spec");
    };
  }

  /** The key usages AWS allows for this spec; the first is the one used when none is given. */
  public List<String> usages() {
    return switch (this) {
      case SYMMETRIC_DEFAULT -> List.of(ENCRYPT_DECRYPT);
      case RSA_2048, RSA_3072, RSA_4096 -> List.of(ENCRYPT_DECRYPT, SIGN_VERIFY);
      case ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521 -> List.of(SIGN_VERIFY, KEY_AGREEMENT);
      case ECC_SECG_P256K1, ECC_NIST_EDWARDS25519 -> List.of(SIGN_VERIFY);
      case HMAC_224, HMAC_256, HMAC_384, HMAC_512 -> List.of(GENERATE_VERIFY_MAC);
    };
  }

  /** EncryptionAlgorithms of a key of this spec and usage. */
  public List<String> encryptionAlgorithms(String usage) {
    if (!ENCRYPT_DECRYPT.equals(usage)) {
      return List.of();
    }
    if (this == SYMMETRIC_DEFAULT) {
      return List.of("SYMMETRIC_DEFAULT");
    }
    return isRsa() ? List.of("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256") : List.of();
  }

  /**
   * SigningAlgorithms of a key of this spec and usage. AWS ties each ECDSA curve to one hash.
   * ECC_NIST_EDWARDS25519 lists only ED25519_SHA_512 here: ED25519_PH_SHA_512 (Ed25519ph) needs
   * CKM_EDDSA with prehash parameters, which SoftHSM2 does not implement.
   */
  public List<String> signingAlgorithms(String usage) {
    if (!SIGN_VERIFY.equals(usage)) {
      return List.of();
    }
    return switch (this) {
      case RSA_2048, RSA_3072, RSA_4096 -> RSA_SIGNING;
      case ECC_NIST_P256, ECC_SECG_P256K1 -> List.of("ECDSA_SHA_256");
      case ECC_NIST_P384 -> List.of("ECDSA_SHA_384");
      case ECC_NIST_P521 -> List.of("ECDSA_SHA_512");
      case ECC_NIST_EDWARDS25519 -> List.of("ED25519_SHA_512");
      default -> List.of();
    };
  }

  /** MacAlgorithms of a key of this spec. */
  public List<String> macAlgorithms() {
    return isHmac() ? List.of(macScheme().name().replace("HMAC_SHA", "HMAC_SHA_")) : List.of();
  }

  /** KeyAgreementAlgorithms of a key of this spec and usage. */
  public List<String> keyAgreementAlgorithms(String usage) {
    return KEY_AGREEMENT.equals(usage) ? List.of("ECDH") : List.of();
  }

  /**
   * The spec of {@code key} if its usage is {@code usage}; otherwise InvalidKeyUsageException in
   * AWS's wording ("... key usage is SIGN_VERIFY which is not valid for Encrypt.").
   */
  static KeySpec requireUsage(RequestContext ctx, KeyRecord key, String usage, String operation) {
    String actual = key.keyUsage() == null ? ENCRYPT_DECRYPT : key.keyUsage();
    if (!usage.equals(actual)) {
      throw Errors.invalidKeyUsage(key.arn(), actual, operation);
    }
    return ofKey(key.keySpec());
  }

  /** The spec of {@code key} if it is a symmetric encryption key, as data keys need. */
  static KeySpec requireSymmetric(RequestContext ctx, KeyRecord key, String operation) {
    KeySpec spec = requireUsage(ctx, key, ENCRYPT_DECRYPT, operation);
    if (!spec.isSymmetric()) {
      throw Errors.invalidKeySpec(key.arn(), spec.name(), operation);
    }
    return spec;
  }

  /** InvalidKeyUsageException for an algorithm this key does not list. */
  static KmsException incompatibleAlgorithm(String algorithm, KeySpec spec) {
    return Errors.incompatibleAlgorithm(algorithm, spec.name());
  }
}
