package org.hsmkms.kms;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.KeyImport;
import org.hsmkms.hsm.KeyImport.Material;
import org.hsmkms.hsm.KeyImport.Wrapping;
import org.hsmkms.hsm.KeyInventory;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.RandomSource;
import org.hsmkms.store.ImportParametersRecord;
import org.hsmkms.store.ImportedMaterialRecord;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Imported key material (BYOK): GetParametersForImport, ImportKeyMaterial and
 * DeleteImportedKeyMaterial, as AWS does them.
 *
 * <p>Security: the wrapping key pair is made in the HSM and its private key never leaves it; the
 * import token is 32 random bytes from the HSM, stored only as its SHA-256 with what it is bound to
 * (key, wrapping key, algorithm, expiry), so it can be neither forged nor moved to another key. The
 * material is unwrapped inside the HSM under the key's first material id (ciphertext blobs name
 * it), so re-importing the same material restores every old ciphertext. "Same" is decided by a
 * fingerprint made in the HSM at the first import (never by the material). A key in PendingImport
 * never has a valid HSM object: one left by a failed or interrupted import is destroyed first.
 */
public final class KeyMaterialImport {
  private static final Logger LOG = LoggerFactory.getLogger(KeyMaterialImport.class);

  /** "Each wrapping public key and import token set is valid for 24 hours." */
  static final Duration PARAMETERS_VALIDITY = Duration.ofHours(24);

  private final KeyImport hsm;
  private final KeyInventory inventory;
  private final RandomSource random;
  private final MetadataStore store;
  private final Keys keys;
  private final Clock clock;

  public KeyMaterialImport(
      KeyImport hsm,
      KeyInventory inventory,
      RandomSource random,
      MetadataStore store,
      Keys keys,
      Clock clock) {
    this.hsm = hsm;
    this.inventory = inventory;
    this.random = random;
    this.store = store;
    this.keys = keys;
    this.clock = clock;
  }

  /** GetParametersForImport's answer. The token and public key are not secrets. */
  public record ImportParameters(
      String keyArn, byte[] importToken, byte[] publicKey, Instant parametersValidTo) {}

  public ImportParameters getParametersForImport(
      RequestContext ctx, String keyId, String algorithm, String wrappingKeySpec) {
    KeyRecord key = keys.resolveFor(ctx, keyId, "GetParametersForImport");
    ImportRules.requireExternal(key);
    Wrapping wrapping = ImportRules.wrapping(algorithm);
    int bits = ImportRules.wrappingKeyBits(wrappingKeySpec);
    ImportRules.checkCombination(KeySpec.ofKey(key.keySpec()), wrapping, algorithm);
    MaterialId wrappingKey = MaterialId.of(random.generateRandom(16));
    byte[] publicKey = hsm.generateWrappingKey(wrappingKey, bits, wrapping, key.keyId());
    CrashPoints.reach(CrashPoints.IMPORT_WRAPPING_KEY_MADE);
    String token = GrantTokens.newToken(random);
    Instant validTo = clock.instant().plus(PARAMETERS_VALIDITY);
    try {
      store.insertImportParameters(
          new ImportParametersRecord(
              GrantTokens.hash(token),
              key.keyId(),
              wrappingKey.hex(),
              algorithm,
              wrappingKeySpec,
              validTo,
              false));
    } catch (RuntimeException e) {
      hsm.destroyWrappingKey(wrappingKey);
      throw e;
    }
    return new ImportParameters(
        key.arn(), token.getBytes(StandardCharsets.US_ASCII), publicKey, validTo);
  }

  /** ImportKeyMaterial's request, as the model has it. */
  public record ImportRequest(
      String keyId,
      byte[] importToken,
      byte[] encryptedKeyMaterial,
      Instant validTo,
      String expirationModel,
      String importType,
      String keyMaterialDescription,
      String keyMaterialId) {}

  /** What ImportKeyMaterial and DeleteImportedKeyMaterial answer: the key's ARN and material. */
  public record Imported(String keyArn, String keyMaterialId) {}

  /** ImportKeyMaterial; answers the key's ARN and the id of its (one) imported material. */
  public Imported importKeyMaterial(RequestContext ctx, ImportRequest req) {
    KeyRecord key = keys.resolveFor(ctx, req.keyId(), "ImportKeyMaterial");
    ImportRules.requireExternal(key);
    refuseMultipleMaterials(req);
    Instant now = clock.instant();
    ImportRules.Expiration expiration =
        ImportRules.expiration(req.expirationModel(), req.validTo(), now);
    ImportParametersRecord parameters = parametersOf(req.importToken(), key);
    if (!now.isBefore(parameters.validTo()) || parameters.wrappingKeyDestroyed()) {
      throw ImportErrors.importTokenExpired();
    }
    KeySpec spec = KeySpec.ofKey(key.keySpec());
    Material material = ImportRules.material(spec, key.keyUsage());
    Wrapping wrapping = ImportRules.wrapping(parameters.wrappingAlgorithm());
    synchronized (keys.lifecycleLock()) {
      // A compare-and-set lost to another node: the material this attempt made was destroyed
      // (pending) or never replaced the current one, and the next attempt decides again.
      return ConflictRetry.retry(
          () -> {
            KeyRecord current =
                store.findKey(key.keyId()).orElseThrow(() -> ImportErrors.keyGone(key.arn()));
            // The state again, under the lock: it may have changed since the key was resolved.
            keys.checkState(current, "ImportKeyMaterial");
            KeyState state = KeyState.fromAwsName(current.keyState());
            Optional<ImportedMaterialRecord> known = store.findImportedMaterial(current.keyId());
            if ("NEW_KEY_MATERIAL".equals(req.importType()) && known.isPresent()) {
              throw NotSupportedErrors.newMaterialForKeyWithMaterial();
            }
            if ("EXISTING_KEY_MATERIAL".equals(req.importType()) && known.isEmpty()) {
              throw ImportErrors.noMaterialImportedBefore(current.arn());
            }
            boolean pending = state == KeyState.PENDING_IMPORT;
            MaterialId target = MaterialId.fromHex(current.currentMaterialId());
            if (pending) {
              // A PendingImport key has no valid material: whatever a failed import left goes.
              inventory.destroyKey(target);
            }
            String fingerprint =
                unwrap(parameters, wrapping, req.encryptedKeyMaterial(), material, target, pending);
            CrashPoints.reach(CrashPoints.IMPORT_UNWRAPPED);
            try {
              if (known.isPresent() && !known.get().fingerprint().equals(fingerprint)) {
                throw ImportErrors.incorrectKeyMaterial();
              }
              KeyRecord after =
                  pending ? current.withState(KeyState.ENABLED.awsName(), null, null) : current;
              store.completeImport(
                  new ImportedMaterialRecord(
                      current.keyId(), fingerprint, expiration.model(), expiration.validTo(), now),
                  after);
            } catch (RuntimeException e) {
              if (pending) {
                inventory.destroyKey(target);
              }
              throw e;
            }
            LOG.info(
                "key {}: key material imported ({}, {})",
                current.keyId(),
                parameters.wrappingAlgorithm(),
                expiration.model());
            return new Imported(current.arn(), KeyMaterialIds.toWire(current.currentMaterialId()));
          });
    }
  }

  /** DeleteImportedKeyMaterial: the material is destroyed, the key goes to PendingImport. */
  public Imported deleteImportedKeyMaterial(RequestContext ctx, String keyId, String materialId) {
    if (materialId != null) {
      throw NotSupportedErrors.keyMaterialId();
    }
    KeyRecord key = keys.resolveFor(ctx, keyId, "DeleteImportedKeyMaterial");
    ImportRules.requireExternal(key);
    synchronized (keys.lifecycleLock()) {
      ConflictRetry.retry(
          () -> {
            KeyRecord current = store.findKey(key.keyId()).orElseThrow();
            keys.checkState(current, "DeleteImportedKeyMaterial");
            withdraw(current);
          });
    }
    LOG.info("key {}: imported key material deleted", key.keyId());
    return new Imported(key.arn(), KeyMaterialIds.toWire(key.currentMaterialId()));
  }

  /**
   * Takes a key's material out of use: the row goes to PendingImport first (so nothing uses the
   * material any more), then the HSM objects are destroyed. A crash in between leaves an object of
   * a PendingImport key, which {@link ImportSweep#reconcile} destroys. Under the lifecycle lock.
   */
  void withdraw(KeyRecord current) {
    if (!KeyState.PENDING_IMPORT.awsName().equals(current.keyState())) {
      store.updateKey(current.withState(KeyState.PENDING_IMPORT.awsName(), null, null));
    }
    inventory.destroyKey(MaterialId.fromHex(current.currentMaterialId()));
  }

  /** The parameters the token names, if they were issued for {@code key}. */
  private ImportParametersRecord parametersOf(byte[] token, KeyRecord key) {
    String text = new String(token, StandardCharsets.US_ASCII);
    Optional<ImportParametersRecord> found =
        GrantTokens.wellFormed(text)
            ? store.findImportParameters(GrantTokens.hash(text))
            : Optional.empty();
    if (found.isEmpty() || !found.get().keyId().equals(key.keyId())) {
      throw ImportErrors.invalidImportToken(key.arn());
    }
    return found.get();
  }

  /** Unwraps in the HSM; answers the SHA-256 (hex) of the material's fingerprint. */
  private String unwrap(
      ImportParametersRecord parameters,
      Wrapping wrapping,
      byte[] encrypted,
      Material material,
      MaterialId target,
      boolean persistent) {
    byte[] fingerprint;
    try {
      fingerprint =
          hsm.importMaterial(
              MaterialId.fromHex(parameters.wrappingKeyId()),
              wrapping,
              encrypted,
              material,
              target,
              parameters.keyId(),
              persistent);
    } catch (HsmException e) {
      if (e.isAuthenticationFailure()) {
        throw KmsException.invalidCiphertext();
      }
      if (e.kind() == HsmException.Kind.KEY_NOT_FOUND) {
        throw ImportErrors.importTokenExpired();
      }
      throw e;
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(fingerprint));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    } finally {
      Arrays.fill(fingerprint, (byte) 0);
    }
  }

  /**
   * The model's newer members for several materials per key (rotation of imported material): this
   * service keeps one imported material per key, so NEW_KEY_MATERIAL after the first import, a
   * KeyMaterialId and a KeyMaterialDescription are refused.
   */
  private static void refuseMultipleMaterials(ImportRequest req) {
    if (req.keyMaterialId() != null || req.keyMaterialDescription() != null) {
      throw NotSupportedErrors.keyMaterialIdAndDescription();
    }
  }
}
