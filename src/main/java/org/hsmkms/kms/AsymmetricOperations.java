package org.hsmkms.kms;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.hsmkms.crypto.EcPoints;
import org.hsmkms.crypto.EncryptionContext;
import org.hsmkms.crypto.KeyEncodings;
import org.hsmkms.crypto.RsaOaep;
import org.hsmkms.crypto.SecretBytes;
import org.hsmkms.hsm.AsymmetricDecryption;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.KeyAgreement;
import org.hsmkms.hsm.KeyPairType;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.PublicKeys;
import org.hsmkms.hsm.SignatureScheme;
import org.hsmkms.hsm.Signing;
import org.hsmkms.store.KeyRecord;

/**
 * The data plane for asymmetric CMKs: GetPublicKey, Sign, Verify, DeriveSharedSecret, and RSA
 * Encrypt/Decrypt (reached through {@link CryptoOperations}).
 *
 * <p>Security: every private-key operation runs in the HSM. Messages are hashed here (RAW) or taken
 * as digests (DIGEST) and the HSM signs the digest. RSAES-OAEP encryption needs only the public key
 * and runs in the JDK; decryption runs in the HSM (with OAEP SHA-256 unpadded here in constant time
 * when the token lacks it, see {@link AsymmetricDecryption#decryptRsaOaep}). Every decryption
 * failure is the same bare InvalidCiphertextException; shared secrets are returned in {@link
 * SecretBytes}.
 */
public final class AsymmetricOperations {
  // Sign, Verify: MessageType RAW messages are at most 4096 bytes (checked by the API model).
  private static final String RAW = "RAW";
  private static final String DIGEST = "DIGEST";

  private final PublicKeys publicKeyObjects;
  private final Signing signing;
  private final AsymmetricDecryption decryption;
  private final KeyAgreement agreement;
  private final Keys keys;

  /** Parsed public keys by material id; a material id's key never changes. */
  private final Map<String, PublicKey> publicKeys = new ConcurrentHashMap<>();

  public AsymmetricOperations(
      PublicKeys publicKeys,
      Signing signing,
      AsymmetricDecryption decryption,
      KeyAgreement agreement,
      Keys keys) {
    this.publicKeyObjects = publicKeys;
    this.signing = signing;
    this.decryption = decryption;
    this.agreement = agreement;
    this.keys = keys;
  }

  /** GetPublicKey's answer. */
  public record PublicKeyInfo(
      String keyArn,
      byte[] publicKey,
      KeySpec keySpec,
      String keyUsage,
      List<String> encryptionAlgorithms,
      List<String> signingAlgorithms,
      List<String> keyAgreementAlgorithms) {}

  /** Sign's answer. */
  public record Signature(String keyArn, byte[] signature, String signingAlgorithm) {}

  /** DeriveSharedSecret's answer; the caller closes the secret. */
  public record SharedSecret(String keyArn, SecretBytes secret) {}

  public PublicKeyInfo getPublicKey(RequestContext ctx, String keyId) {
    KeyRecord key = keys.resolveFor(ctx, keyId, "GetPublicKey");
    KeySpec spec = KeySpec.ofKey(key.keySpec());
    if (!spec.isAsymmetric()) {
      throw Errors.unsupportedKeySpec(key.arn(), spec.name(), "GetPublicKey");
    }
    String usage = key.keyUsage();
    return new PublicKeyInfo(
        key.arn(),
        publicKeyObjects.publicKey(material(key)),
        spec,
        usage,
        spec.encryptionAlgorithms(usage),
        spec.signingAlgorithms(usage),
        spec.keyAgreementAlgorithms(usage));
  }

  public Signature sign(
      RequestContext ctx,
      String keyId,
      byte[] message,
      String messageType,
      String algorithm,
      boolean dryRun) {
    KeyRecord key = keys.resolveFor(ctx, keyId, "Sign");
    SignatureScheme scheme = scheme(ctx, key, algorithm, "Sign");
    byte[] input = signingInput(scheme, algorithm, message, messageType);
    CryptoOperations.dryRunStop(dryRun);
    return new Signature(key.arn(), signing.sign(material(key), scheme, input), algorithm);
  }

  /** Verify: returns the key ARN; a signature that does not verify is KMSInvalidSignature. */
  public String verify(
      RequestContext ctx,
      String keyId,
      byte[] message,
      String messageType,
      byte[] signature,
      String algorithm,
      boolean dryRun) {
    KeyRecord key = keys.resolveFor(ctx, keyId, "Verify");
    SignatureScheme scheme = scheme(ctx, key, algorithm, "Verify");
    byte[] input = signingInput(scheme, algorithm, message, messageType);
    CryptoOperations.dryRunStop(dryRun);
    if (!signing.verify(material(key), scheme, input, signature)) {
      throw Errors.invalidSignature();
    }
    return key.arn();
  }

  public SharedSecret deriveSharedSecret(
      RequestContext ctx, String keyId, String algorithm, byte[] publicKey, boolean dryRun) {
    KeyRecord key = keys.resolveFor(ctx, keyId, "DeriveSharedSecret");
    KeySpec spec = KeySpec.requireUsage(ctx, key, KeySpec.KEY_AGREEMENT, "DeriveSharedSecret");
    if (!spec.keyAgreementAlgorithms(KeySpec.KEY_AGREEMENT).contains(algorithm)) {
      throw KeySpec.incompatibleAlgorithm(algorithm, spec);
    }
    KeyPairType type = spec.keyPairType();
    // DeriveSharedSecret: PublicKey is a DER SubjectPublicKeyInfo on the key's own curve.
    byte[] point =
        KeyEncodings.ecPoint(publicKey, type.curveOid(), type.size())
            .filter(p -> EcPoints.isOnCurve(type.curveOid(), type.size(), p))
            .orElseThrow(ValidationErrors::publicKeyNotValid);
    CryptoOperations.dryRunStop(dryRun);
    return new SharedSecret(
        key.arn(), SecretBytes.wrap(agreement.deriveSharedSecret(material(key), point)));
  }

  /** Encrypt with an RSA ENCRYPT_DECRYPT key: RSAES-OAEP with the public key. */
  CryptoOperations.Encrypted encrypt(
      RequestContext ctx,
      KeyRecord key,
      byte[] plaintext,
      EncryptionContext context,
      String algorithm,
      boolean dryRun) {
    KeySpec spec = KeySpec.ofKey(key.keySpec());
    RsaOaep.Hash hash = oaepHash(ctx, key, spec, algorithm);
    rejectContext(context);
    int max = RsaOaep.maxMessageLength(spec.keyPairType().size(), hash);
    if (plaintext.length > max) {
      // AWS's words, for every spec and algorithm.
      throw ValidationErrors.plaintextTooLarge(algorithm, spec.name(), max);
    }
    CryptoOperations.dryRunStop(dryRun);
    try {
      Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
      MGF1ParameterSpec mgf =
          hash == RsaOaep.Hash.SHA_1 ? MGF1ParameterSpec.SHA1 : MGF1ParameterSpec.SHA256;
      cipher.init(
          Cipher.ENCRYPT_MODE,
          publicKey(key),
          new OAEPParameterSpec(hash.jcaName(), "MGF1", mgf, PSource.PSpecified.DEFAULT));
      return new CryptoOperations.Encrypted(key.arn(), cipher.doFinal(plaintext), algorithm);
    } catch (GeneralSecurityException e) {
      throw Errors.internal(e);
    }
  }

  /** Decrypt with an RSA ENCRYPT_DECRYPT key, inside the HSM. */
  CryptoOperations.Decrypted decrypt(
      RequestContext ctx,
      KeyRecord key,
      byte[] ciphertext,
      EncryptionContext context,
      String algorithm,
      boolean dryRun) {
    KeySpec spec = KeySpec.ofKey(key.keySpec());
    RsaOaep.Hash hash = oaepHash(ctx, key, spec, algorithm);
    rejectContext(context);
    CryptoOperations.dryRunStop(dryRun);
    try {
      return new CryptoOperations.Decrypted(
          key.arn(),
          SecretBytes.wrap(decryption.decryptRsaOaep(material(key), hash, ciphertext)),
          algorithm);
    } catch (HsmException e) {
      if (e.isAuthenticationFailure()) {
        throw KmsException.invalidCiphertext();
      }
      throw e;
    }
  }

  /** InvalidKeyUsageException unless {@code algorithm} is an OAEP algorithm the RSA key lists. */
  void checkEncryptionAlgorithm(RequestContext ctx, KeyRecord key, String algorithm) {
    oaepHash(ctx, key, KeySpec.ofKey(key.keySpec()), algorithm);
  }

  private static RsaOaep.Hash oaepHash(
      RequestContext ctx, KeyRecord key, KeySpec spec, String algorithm) {
    // EncryptionAlgorithm defaults to SYMMETRIC_DEFAULT, which an RSA key does not accept.
    String alg = algorithm == null ? KeyManagement.SYMMETRIC_DEFAULT : algorithm;
    if (!spec.encryptionAlgorithms(key.keyUsage()).contains(alg)) {
      // AWS: "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048." for an RSA key
      // without an OAEP algorithm (as recorded in users' reports of AWS's answers).
      throw KeySpec.incompatibleAlgorithm(alg, spec);
    }
    return "RSAES_OAEP_SHA_1".equals(alg) ? RsaOaep.Hash.SHA_1 : RsaOaep.Hash.SHA_256;
  }

  private static void rejectContext(EncryptionContext context) {
    // An encryption context is authenticated data of symmetric encryption; RSA has none.
    if (context != null && !context.pairs().isEmpty()) {
      throw ValidationErrors.encryptionContextWithAsymmetricKey();
    }
  }

  /** The HSM scheme for a signing algorithm the key lists; InvalidKeyUsage otherwise. */
  private static SignatureScheme scheme(
      RequestContext ctx, KeyRecord key, String algorithm, String operation) {
    KeySpec spec = KeySpec.requireUsage(ctx, key, KeySpec.SIGN_VERIFY, operation);
    if (!spec.signingAlgorithms(KeySpec.SIGN_VERIFY).contains(algorithm)) {
      throw KeySpec.incompatibleAlgorithm(algorithm, spec);
    }
    return switch (algorithm) {
      case "RSASSA_PKCS1_V1_5_SHA_256" -> SignatureScheme.RSA_PKCS1_SHA256;
      case "RSASSA_PKCS1_V1_5_SHA_384" -> SignatureScheme.RSA_PKCS1_SHA384;
      case "RSASSA_PKCS1_V1_5_SHA_512" -> SignatureScheme.RSA_PKCS1_SHA512;
      case "RSASSA_PSS_SHA_256" -> SignatureScheme.RSA_PSS_SHA256;
      case "RSASSA_PSS_SHA_384" -> SignatureScheme.RSA_PSS_SHA384;
      case "RSASSA_PSS_SHA_512" -> SignatureScheme.RSA_PSS_SHA512;
      case "ECDSA_SHA_256", "ECDSA_SHA_384", "ECDSA_SHA_512" -> SignatureScheme.ECDSA;
      case "ED25519_SHA_512" -> SignatureScheme.EDDSA;
      default -> throw KeySpec.incompatibleAlgorithm(algorithm, spec);
    };
  }

  /**
   * What the HSM signs: the digest of a RAW message (hashed here), a DIGEST message as given (its
   * length checked against the algorithm's hash), or for EdDSA the RAW message itself.
   */
  private static byte[] signingInput(
      SignatureScheme scheme, String algorithm, byte[] message, String messageType) {
    String type = messageType == null ? RAW : messageType;
    if (scheme == SignatureScheme.EDDSA) {
      if (!RAW.equals(type)) {
        throw ValidationErrors.messageTypeRawOnly(type, algorithm);
      }
      return message;
    }
    String hash = "SHA-" + algorithm.substring(algorithm.length() - 3);
    int hashLength = Integer.parseInt(algorithm.substring(algorithm.length() - 3)) / 8;
    if (DIGEST.equals(type)) {
      if (message.length != hashLength) {
        throw ValidationErrors.digestLength(algorithm);
      }
      return message;
    }
    if (!RAW.equals(type)) {
      throw ValidationErrors.messageType(type, algorithm);
    }
    try {
      return MessageDigest.getInstance(hash).digest(message);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(hash + " missing from the JDK", e);
    }
  }

  private PublicKey publicKey(KeyRecord key) {
    return publicKeys.computeIfAbsent(
        key.currentMaterialId(),
        id -> {
          try {
            return KeyFactory.getInstance("RSA")
                .generatePublic(new X509EncodedKeySpec(publicKeyObjects.publicKey(material(key))));
          } catch (GeneralSecurityException e) {
            throw Errors.internal(e);
          }
        });
  }

  private static MaterialId material(KeyRecord key) {
    return MaterialId.fromHex(key.currentMaterialId());
  }
}
