package org.hsmkms.kms;

import java.util.Arrays;
import java.util.Optional;
import org.hsmkms.authz.KmsActions.Resource;
import org.hsmkms.crypto.CiphertextBlob;
import org.hsmkms.crypto.EncryptionContext;
import org.hsmkms.crypto.SecretBytes;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.RandomSource;
import org.hsmkms.hsm.SymmetricEncryption;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MaterialRecord;
import org.hsmkms.store.MetadataStore;

/**
 * The data plane for symmetric keys: Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext)
 * and GenerateRandom.
 *
 * <p>Security: every encryption under a CMK runs inside the HSM (AES-GCM, IV from the token's RNG,
 * AAD binding the blob header and the canonical encryption context). Data keys come from the HSM's
 * RNG. Every decryption failure, whatever its cause, is the same bare InvalidCiphertextException.
 * Plaintext is returned in {@link SecretBytes} for the caller to close; intermediate arrays are
 * zeroed here.
 */
public final class CryptoOperations {
  static final String SYMMETRIC_DEFAULT = KeyManagement.SYMMETRIC_DEFAULT;

  private final SymmetricEncryption hsm;
  private final RandomSource random;
  private final MetadataStore store;
  private final Keys keys;
  private final AsymmetricOperations asymmetric;
  private final UsageLimits usage;

  /**
   * With the asymmetric data plane that serves Encrypt/Decrypt under RSA keys, and the default
   * usage limits of key materials.
   */
  public CryptoOperations(
      SymmetricEncryption hsm,
      RandomSource random,
      MetadataStore store,
      Keys keys,
      AsymmetricOperations asymmetric) {
    this(
        hsm, random, store, keys, asymmetric, new UsageLimits(store, UsageLimits.Settings.DEFAULT));
  }

  /** With the counter that enforces the usage limit of each key material. */
  public CryptoOperations(
      SymmetricEncryption hsm,
      RandomSource random,
      MetadataStore store,
      Keys keys,
      AsymmetricOperations asymmetric,
      UsageLimits usage) {
    this.hsm = hsm;
    this.random = random;
    this.store = store;
    this.keys = keys;
    this.asymmetric = asymmetric;
    this.usage = usage;
  }

  /** A ciphertext, the ARN of the key that made it and the encryption algorithm. */
  public record Encrypted(String keyArn, byte[] ciphertextBlob, String algorithm) {
    Encrypted(String keyArn, byte[] ciphertextBlob) {
      this(keyArn, ciphertextBlob, SYMMETRIC_DEFAULT);
    }
  }

  /**
   * A plaintext and the ARN of the key that opened it. The caller closes the plaintext. {@code
   * keyMaterialId} (the API's form, {@link KeyMaterialIds}) names the symmetric material that
   * opened it; null for an RSA key.
   */
  public record Decrypted(
      String keyArn, SecretBytes plaintext, String algorithm, String keyMaterialId) {
    Decrypted(String keyArn, SecretBytes plaintext, String algorithm) {
      this(keyArn, plaintext, algorithm, null);
    }
  }

  /**
   * GenerateDataKey's answer; {@code plaintext} is null for the WithoutPlaintext variant; {@code
   * keyMaterialId} names the material that sealed it.
   */
  public record DataKey(
      String keyArn, byte[] ciphertextBlob, SecretBytes plaintext, String keyMaterialId) {}

  /** ReEncrypt's answer; a material id is null where its key is an RSA key. */
  public record ReEncrypted(
      String sourceKeyArn,
      String keyArn,
      byte[] ciphertextBlob,
      String sourceAlgorithm,
      String destinationAlgorithm,
      String sourceKeyMaterialId,
      String destinationKeyMaterialId) {}

  public Encrypted encrypt(
      RequestContext ctx,
      String keyId,
      byte[] plaintext,
      EncryptionContext context,
      String algorithm,
      boolean dryRun) {
    KeyRecord key = keys.resolveFor(ctx, keyId, "Encrypt");
    if (KeySpec.requireUsage(ctx, key, KeySpec.ENCRYPT_DECRYPT, "Encrypt").isRsa()) {
      return asymmetric.encrypt(ctx, key, plaintext, context, algorithm, dryRun);
    }
    checkAlgorithm(ctx, key, algorithm);
    dryRunStop(dryRun);
    return new Encrypted(key.arn(), seal(key, plaintext, context));
  }

  /**
   * Decrypt. {@code ignoreCiphertext} is DryRunModifiers IGNORE_CIPHERTEXT: a dry run that checks
   * only the named key, so the blob may be absent.
   */
  public Decrypted decrypt(
      RequestContext ctx,
      byte[] blob,
      EncryptionContext context,
      String keyId,
      String algorithm,
      boolean dryRun,
      boolean ignoreCiphertext) {
    return decrypt(
        ctx, blob, context, keyId, "keyId", Resource.KEY, algorithm, dryRun, ignoreCiphertext);
  }

  private Decrypted decrypt(
      RequestContext ctx,
      byte[] blob,
      EncryptionContext context,
      String keyId,
      String keyIdField,
      Resource role,
      String algorithm,
      boolean dryRun,
      boolean ignoreCiphertext) {
    // The key state table's row: ReEncrypt's source key is checked as ReEncrypt.
    String operation = role == Resource.KEY ? "Decrypt" : "ReEncrypt";
    if (blob == null) {
      // Decrypt, ReEncrypt: CiphertextBlob is required except in a dry run that ignores it,
      // which then needs the key named.
      if (!(dryRun && ignoreCiphertext)) {
        throw KmsException.validation("null", "ciphertextBlob", "Member must not be null");
      }
      if (keyId == null) {
        throw KmsException.validation("null", keyIdField, "Member must not be null");
      }
      KeyRecord key = keys.resolveFor(ctx, keyId, operation, role);
      if (KeySpec.requireUsage(ctx, key, KeySpec.ENCRYPT_DECRYPT, "Decrypt").isRsa()) {
        asymmetric.checkEncryptionAlgorithm(ctx, key, algorithm);
      } else {
        checkAlgorithm(ctx, key, algorithm);
      }
      dryRunStop(true);
    }
    KeyRecord requested = keyId == null ? null : keys.resolve(ctx, keyId, role);
    if (requested != null && KeySpec.ofKey(requested.keySpec()).isHmac()) {
      // Decrypt, ReEncrypt: a KeyId (SourceKeyId) of an HMAC key, as AWS answers it.
      throw incorrectKey();
    }
    if (requested != null
        && KeySpec.requireUsage(ctx, requested, KeySpec.ENCRYPT_DECRYPT, "Decrypt").isRsa()) {
      // RSA ciphertexts carry no header: the key is the one the request names.
      keys.checkState(requested, operation);
      return asymmetric.decrypt(ctx, requested, blob, context, algorithm, dryRun);
    }
    CiphertextBlob parsed = CiphertextBlob.parse(blob).orElseThrow(KmsException::invalidCiphertext);
    KeyRecord key =
        (requested != null && requested.publicId().equals(parsed.publicKeyId())
                // The key the request names, already resolved and authorized: not twice.
                ? Optional.of(requested)
                // A multi-Region key's blob finds that key's row of the caller's region.
                : keys.byPublicId(ctx, parsed.publicKeyId(), role))
            .filter(k -> KeySpec.ofKey(k.keySpec()).isSymmetric())
            .orElseThrow(KmsException::invalidCiphertext);
    if (requested != null && !requested.keyId().equals(key.keyId())) {
      throw incorrectKey();
    }
    keys.checkState(key, operation);
    checkAlgorithm(ctx, key, algorithm);
    dryRunStop(dryRun);
    return new Decrypted(
        key.arn(),
        open(key, parsed, context),
        SYMMETRIC_DEFAULT,
        KeyMaterialIds.toWire(MaterialId.of(parsed.materialId()).hex()));
  }

  /** IncorrectKeyException in AWS's words. */
  private static KmsException incorrectKey() {
    return Errors.incorrectKey();
  }

  public ReEncrypted reEncrypt(
      RequestContext ctx,
      byte[] blob,
      EncryptionContext sourceContext,
      String sourceKeyId,
      String sourceAlgorithm,
      String destinationKeyId,
      EncryptionContext destinationContext,
      String destinationAlgorithm,
      boolean dryRun,
      boolean ignoreCiphertext) {
    KeyRecord destination =
        keys.resolveFor(ctx, destinationKeyId, "ReEncrypt", Resource.DESTINATION_KEY);
    boolean rsa =
        KeySpec.requireUsage(ctx, destination, KeySpec.ENCRYPT_DECRYPT, "ReEncrypt").isRsa();
    if (!rsa) {
      checkAlgorithm(ctx, destination, destinationAlgorithm);
    }
    Decrypted source =
        decrypt(
            ctx,
            blob,
            sourceContext,
            sourceKeyId,
            "sourceKeyId",
            Resource.SOURCE_KEY,
            sourceAlgorithm,
            dryRun,
            ignoreCiphertext);
    try (SecretBytes plaintext = source.plaintext()) {
      Encrypted sealed =
          rsa
              ? asymmetric.encrypt(
                  ctx,
                  destination,
                  plaintext.unsafeView(),
                  destinationContext,
                  destinationAlgorithm,
                  false)
              : new Encrypted(
                  destination.arn(), seal(destination, plaintext.unsafeView(), destinationContext));
      return new ReEncrypted(
          source.keyArn(),
          sealed.keyArn(),
          sealed.ciphertextBlob(),
          source.algorithm(),
          sealed.algorithm(),
          source.keyMaterialId(),
          rsa ? null : KeyMaterialIds.toWire(destination.currentMaterialId()));
    }
  }

  /**
   * GenerateDataKey and GenerateDataKeyWithoutPlaintext: exactly one of {@code keySpec} (AES_128,
   * AES_256) and {@code numberOfBytes} (1..1024, checked by the API model).
   */
  public DataKey generateDataKey(
      RequestContext ctx,
      String keyId,
      String keySpec,
      Integer numberOfBytes,
      EncryptionContext context,
      boolean withPlaintext,
      boolean dryRun) {
    if ((keySpec == null) == (numberOfBytes == null)) {
      throw ValidationErrors.keySpecOrNumberOfBytes();
    }
    int length = numberOfBytes != null ? numberOfBytes : "AES_128".equals(keySpec) ? 16 : 32;
    String operation = withPlaintext ? "GenerateDataKey" : "GenerateDataKeyWithoutPlaintext";
    KeyRecord key = keys.resolveFor(ctx, keyId, operation);
    KeySpec.requireSymmetric(ctx, key, operation);
    dryRunStop(dryRun);
    SecretBytes dataKey = SecretBytes.wrap(random.generateRandom(length));
    String material = KeyMaterialIds.toWire(key.currentMaterialId());
    try {
      byte[] blob = seal(key, dataKey.unsafeView(), context);
      if (!withPlaintext) {
        dataKey.close();
        return new DataKey(key.arn(), blob, null, material);
      }
      return new DataKey(key.arn(), blob, dataKey, material);
    } catch (RuntimeException e) {
      dataKey.close();
      throw e;
    }
  }

  /** GenerateRandom: 1..1024 bytes from the HSM's RNG (range checked by the API model). */
  public SecretBytes generateRandom(int numberOfBytes) {
    return SecretBytes.wrap(random.generateRandom(numberOfBytes));
  }

  /**
   * Encrypts under a symmetric CMK into a v1 blob, inside the HSM. Callers have checked that the
   * key is a symmetric encryption key in a usable state.
   */
  byte[] seal(KeyRecord key, byte[] plaintext, EncryptionContext context) {
    String keyId = key.publicId();
    MaterialId material = MaterialId.fromHex(key.currentMaterialId());
    // Counted before the HSM is asked, so that no encryption passes the limit uncounted.
    usage.beforeEncrypt(key);
    byte[] materialBytes = material.bytes();
    byte[] aad = CiphertextBlob.aad(keyId, materialBytes, context);
    byte[] ivAndCiphertext = hsm.encrypt(material, plaintext, aad);
    return CiphertextBlob.encode(keyId, materialBytes, ivAndCiphertext);
  }

  private SecretBytes open(KeyRecord key, CiphertextBlob blob, EncryptionContext context) {
    MaterialId material = MaterialId.of(blob.materialId());
    String materialHex = material.hex();
    boolean known =
        materialHex.equals(key.currentMaterialId())
            || store.materials(keys.materialOwner(key)).stream()
                .map(MaterialRecord::materialId)
                .anyMatch(materialHex::equals);
    if (!known) {
      throw KmsException.invalidCiphertext();
    }
    byte[] aad = blob.aad(context);
    try {
      return SecretBytes.wrap(hsm.decrypt(material, blob.iv(), blob.ciphertextAndTag(), aad));
    } catch (HsmException e) {
      if (e.isAuthenticationFailure()) {
        throw KmsException.invalidCiphertext();
      }
      throw e;
    } finally {
      Arrays.fill(aad, (byte) 0);
    }
  }

  private static void checkAlgorithm(RequestContext ctx, KeyRecord key, String algorithm) {
    if (algorithm != null && !SYMMETRIC_DEFAULT.equals(algorithm)) {
      throw Errors.invalidEncryptionAlgorithm(algorithm, key.arn());
    }
  }

  static void dryRunStop(boolean dryRun) {
    if (dryRun) {
      throw Errors.dryRun();
    }
  }
}
