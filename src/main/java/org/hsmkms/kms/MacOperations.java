package org.hsmkms.kms;

import org.hsmkms.hsm.MaterialId;
import org.hsmkms.store.KeyRecord;

/**
 * GenerateMac and VerifyMac with HMAC CMKs. The key is a generic secret in the HSM, as long as the
 * digest, sensitive and never extractable; tags are computed and checked inside the HSM.
 */
public final class MacOperations {
  private final org.hsmkms.hsm.Mac hsm;
  private final Keys keys;

  public MacOperations(org.hsmkms.hsm.Mac hsm, Keys keys) {
    this.hsm = hsm;
    this.keys = keys;
  }

  /** GenerateMac's answer. */
  public record Mac(String keyArn, byte[] mac, String macAlgorithm) {}

  public Mac generateMac(
      RequestContext ctx, String keyId, byte[] message, String algorithm, boolean dryRun) {
    KeyRecord key = keys.resolveFor(ctx, keyId, "GenerateMac");
    KeySpec spec = check(ctx, key, algorithm, "GenerateMac");
    CryptoOperations.dryRunStop(dryRun);
    return new Mac(
        key.arn(),
        hsm.computeMac(MaterialId.fromHex(key.currentMaterialId()), spec.macScheme(), message),
        algorithm);
  }

  /** VerifyMac: returns the key ARN; a MAC that does not verify is KMSInvalidMacException. */
  public String verifyMac(
      RequestContext ctx,
      String keyId,
      byte[] message,
      String algorithm,
      byte[] mac,
      boolean dryRun) {
    KeyRecord key = keys.resolveFor(ctx, keyId, "VerifyMac");
    KeySpec spec = check(ctx, key, algorithm, "VerifyMac");
    CryptoOperations.dryRunStop(dryRun);
    if (!hsm.verifyMac(
        MaterialId.fromHex(key.currentMaterialId()), spec.macScheme(), message, mac)) {
      throw Errors.invalidMac();
    }
    return key.arn();
  }

  private static KeySpec check(
      RequestContext ctx, KeyRecord key, String algorithm, String operation) {
    KeySpec spec = KeySpec.requireUsage(ctx, key, KeySpec.GENERATE_VERIFY_MAC, operation);
    // Each HMAC key spec allows exactly its own MAC algorithm (HMAC_256: HMAC_SHA_256).
    if (!spec.macAlgorithms().contains(algorithm)) {
      throw KeySpec.incompatibleAlgorithm(algorithm, spec);
    }
    return spec;
  }
}
