package org.hsmkms.kms;

import java.time.Duration;
import java.time.Instant;
import org.hsmkms.hsm.KeyImport.Material;
import org.hsmkms.hsm.KeyImport.Wrapping;
import org.hsmkms.hsm.KeyPairUsage;
import org.hsmkms.hsm.MacScheme;
import org.hsmkms.store.KeyRecord;

/**
 * AWS's rules for imported key material: which keys may be EXTERNAL, which wrapping algorithms and
 * wrapping key specs go with which key spec, what material each spec takes, and ImportKeyMaterial's
 * expiration parameters. Sources: the AWS KMS developer guide ("Importing key material", "Download
 * the public key and import token"), the GetParametersForImport and ImportKeyMaterial API
 * references. Where AWS's exact error could not be found, docs/import.md says so.
 */
final class ImportRules {
  static final String EXTERNAL = "EXTERNAL";
  static final String EXPIRES = "KEY_MATERIAL_EXPIRES";
  static final String DOES_NOT_EXPIRE = "KEY_MATERIAL_DOES_NOT_EXPIRE";
  // ImportKeyMaterial: "The maximum value is 365 days from the request date."
  static final Duration MAX_VALID_TO = Duration.ofDays(365);

  private ImportRules() {}

  /** CreateKey with Origin EXTERNAL: the key specs whose material this service can import. */
  static void checkExternalSpec(KeySpec spec) {
    if (spec.isSymmetric() || spec.isHmac() || spec.isRsa()) {
      return;
    }
    // An EC private key unwrapped into SoftHSM2 carries no public point (CKA_EC_POINT), so the
    // public key object GetPublicKey and Verify need cannot be made in the HSM (docs/import.md).
    throw NotSupportedErrors.importOfKeySpec(spec.name());
  }

  /** The key's origin must be EXTERNAL (AWS's words otherwise). */
  static void requireExternal(KeyRecord key) {
    String origin = key.origin() == null ? "AWS_KMS" : key.origin();
    if (!EXTERNAL.equals(origin)) {
      throw Errors.invalidOrigin(key.arn(), origin);
    }
  }

  /** GetParametersForImport's WrappingAlgorithm. */
  static Wrapping wrapping(String algorithm) {
    // "As of October 10, 2023, KMS does not support the RSAES_PKCS1_V1_5 wrapping algorithm."
    // SM2PKE: China Regions only.
    return switch (algorithm) {
      case "RSAES_OAEP_SHA_1" -> Wrapping.RSAES_OAEP_SHA_1;
      case "RSAES_OAEP_SHA_256" -> Wrapping.RSAES_OAEP_SHA_256;
      case "RSA_AES_KEY_WRAP_SHA_1" -> Wrapping.RSA_AES_KEY_WRAP_SHA_1;
      case "RSA_AES_KEY_WRAP_SHA_256" -> Wrapping.RSA_AES_KEY_WRAP_SHA_256;
      default -> throw NotSupportedErrors.wrappingAlgorithm(algorithm);
    };
  }

  /** GetParametersForImport's WrappingKeySpec: the modulus length. */
  static int wrappingKeyBits(String wrappingKeySpec) {
    return switch (wrappingKeySpec) {
      case "RSA_2048" -> 2048;
      case "RSA_3072" -> 3072;
      case "RSA_4096" -> 4096;
      // SM2: China Regions only.
      default -> throw NotSupportedErrors.wrappingKeySpec(wrappingKeySpec);
    };
  }

  /**
   * "To import an RSA private key, you must use an RSA_AES wrapping algorithm": RSAES_OAEP_* wrap
   * symmetric and HMAC material only.
   */
  static void checkCombination(KeySpec spec, Wrapping wrapping, String algorithm) {
    if (spec.isAsymmetric() && !wrapping.aesKeyWrap()) {
      throw ImportErrors.wrappingCannotWrap(algorithm, spec.name());
    }
  }

  /** What the material of a key of this spec and usage must be. */
  static Material material(KeySpec spec, String usage) {
    if (spec.isSymmetric()) {
      // Symmetric encryption keys: 256-bit key material.
      return Material.aes256();
    }
    if (spec.isHmac()) {
      // HMAC key material: at least as long as the digest; HMAC_224/256 up to 64 bytes,
      // HMAC_384/512 up to 128 bytes (the block size of the hash).
      MacScheme mac = spec.macScheme();
      int max = mac.length() <= 32 ? 64 : 128;
      return Material.hmac(mac, mac.length(), max);
    }
    return Material.keyPair(spec.keyPairType(), KeyPairUsage.valueOf(usage));
  }

  /** The expiration an ImportKeyMaterial asks for. */
  record Expiration(String model, Instant validTo) {}

  /**
   * ExpirationModel and ValidTo: KEY_MATERIAL_EXPIRES needs a ValidTo in the future, at most 365
   * days ahead; KEY_MATERIAL_DOES_NOT_EXPIRE takes none. Without a model, a ValidTo means the
   * material expires.
   */
  static Expiration expiration(String model, Instant validTo, Instant now) {
    String m = model != null ? model : validTo != null ? EXPIRES : DOES_NOT_EXPIRE;
    if (DOES_NOT_EXPIRE.equals(m)) {
      if (validTo != null) {
        throw ImportErrors.validToNotAllowed();
      }
      return new Expiration(m, null);
    }
    if (validTo == null) {
      throw ImportErrors.validToRequired();
    }
    if (!validTo.isAfter(now)) {
      throw ImportErrors.validToInThePast();
    }
    if (validTo.isAfter(now.plus(MAX_VALID_TO))) {
      throw ImportErrors.validToTooLate();
    }
    return new Expiration(m, validTo);
  }
}
