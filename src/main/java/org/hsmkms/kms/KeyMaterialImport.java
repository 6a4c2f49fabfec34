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
import org.hsmkms.kms.cluster.ClusterNode;
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
 *
 * <p>Several nodes: an import, a deletion and an expiry of a key's material each own the key's row
 * first (an exclusive claim in the database), so that no node destroys an object another live node
 * is importing, and none withdraws material another is importing again; the loser answers
 * KMSInvalidStateException. A wrapping key pair is leased ({@link #wrappingLease}) from before the
 * HSM makes it until its parameters are recorded, so that start-up repair on another node leaves
 * it. What a dead node held is repaired by {@link ImportSweep}.
 */
public final class KeyMaterialImport {
  private static final Logger LOG = LoggerFactory.getLogger(KeyMaterialImport.class);

  /** "Each wrapping public key and import token set is valid for 24 hours." */
  static final Duration PARAMETERS_VALIDITY = Duration.ofHours(24);

  /** The prefix of the work ids of leases on wrapping key pairs. */
  static final String WRAPPING_LEASE = "wrapping:";

  private final KeyImport hsm;
  private final KeyInventory inventory;
  private final RandomSource random;
  private final MetadataStore store;
  private final Keys keys;
  private final Clock clock;
  private final ClusterNode cluster;

  /** Imports for a process that is its store's only user. */
  public KeyMaterialImport(
      KeyImport hsm,
      KeyInventory inventory,
      RandomSource random,
      MetadataStore store,
      Keys keys,
      Clock clock) {
    this(hsm, inventory, random, store, keys, clock, null);
  }

  /**
   * @param cluster this process as a node of the cluster sharing the store; null when it is the
   *     store's only user
   */
  public KeyMaterialImport(
      KeyImport hsm,
      KeyInventory inventory,
      RandomSource random,
      MetadataStore store,
      Keys keys,
      Clock clock,
      ClusterNode cluster) {
    this.cluster = cluster;
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
    String lease = wrappingLease(wrappingKey);
    if (cluster != null && !cluster.takeLease(lease)) {
      // 16 random bytes: a collision means a broken random source, not a busy cluster.
      throw new IllegalStateException("wrapping key id " + wrappingKey.hex() + " already leased");
    }
    byte[] publicKey;
    String token;
    Instant validTo;
    try {
      publicKey = hsm.generateWrappingKey(wrappingKey, bits, wrapping, key.keyId());
      CrashPoints.reach(CrashPoints.IMPORT_WRAPPING_KEY_MADE);
      token = GrantTokens.newToken(random);
      validTo = clock.instant().plus(PARAMETERS_VALIDITY);
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
    } finally {
      releaseLease(lease);
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
      own(key);
      try {
        // A compare-and-set lost to another writer: the material this attempt made was destroyed
        // (pending) or never replaced the current one, and the next attempt decides again.
        return ConflictRetry.retry(
            () -> importOwned(key, req, parameters, expiration, material, wrapping, now));
      } finally {
        disown(key.keyId());
      }
    }
  }

  /** ImportKeyMaterial's steps once this node owns the key's row (under the lifecycle lock). */
  private Imported importOwned(
      KeyRecord key,
      ImportRequest req,
      ImportParametersRecord parameters,
      ImportRules.Expiration expiration,
      Material material,
      Wrapping wrapping,
      Instant now) {
    // Read again, owned and under the lock: the key may have changed since it was resolved.
    KeyRecord current =
        store.findKey(key.keyId()).orElseThrow(() -> ImportErrors.keyGone(key.arn()));
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
  }

  /** DeleteImportedKeyMaterial: the material is destroyed, the key goes to PendingImport. */
  public Imported deleteImportedKeyMaterial(RequestContext ctx, String keyId, String materialId) {
    if (materialId != null) {
      throw NotSupportedErrors.keyMaterialId();
    }
    KeyRecord key = keys.resolveFor(ctx, keyId, "DeleteImportedKeyMaterial");
    ImportRules.requireExternal(key);
    synchronized (keys.lifecycleLock()) {
      own(key);
      try {
        ConflictRetry.retry(
            () -> {
              KeyRecord current = store.findKey(key.keyId()).orElseThrow();
              keys.checkState(current, "DeleteImportedKeyMaterial");
              withdraw(current);
            });
      } finally {
        disown(key.keyId());
      }
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

  /** The work id of the lease on a wrapping key pair that has no recorded parameters yet. */
  static String wrappingLease(MaterialId wrappingKey) {
    return WRAPPING_LEASE + wrappingKey.hex();
  }

  /** Owns the key's row for this node, or refuses: another live node works on its material. */
  private void own(KeyRecord key) {
    if (cluster != null && !cluster.ownKey(key.keyId())) {
      if (store.findKey(key.keyId()).isEmpty()) {
        throw ImportErrors.keyGone(key.arn());
      }
      throw ImportErrors.materialBusyOnAnotherNode(key.arn());
    }
  }

  /**
   * Gives the key's row up. A failure is only logged: the work is done, and the row counts as
   * abandoned (and is repaired, finding nothing to do) once this node is gone.
   */
  void disown(String keyId) {
    if (cluster == null) {
      return;
    }
    try {
      cluster.disownKey(keyId);
    } catch (RuntimeException e) {
      LOG.warn("key {}: giving up its ownership failed: {}", keyId, e.getMessage());
    }
  }

  private void releaseLease(String lease) {
    if (cluster == null) {
      return;
    }
    try {
      cluster.releaseLease(lease);
    } catch (RuntimeException e) {
      // The parameters are recorded (or the pair destroyed): a leftover lease only defers repair.
      LOG.warn("lease {}: release failed: {}", lease, e.getMessage());
    }
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
