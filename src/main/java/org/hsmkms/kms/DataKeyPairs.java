package org.hsmkms.kms;

import org.hsmkms.crypto.EncryptionContext;
import org.hsmkms.crypto.SecretBytes;
import org.hsmkms.hsm.ExportedKeyPair;
import org.hsmkms.store.KeyRecord;

/**
 * GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext: a key pair generated in the HSM
 * (taken from the {@link DataKeyPairPool} when one is ready), its private key sealed under a
 * symmetric CMK exactly as a data key is, so that plain Decrypt returns the PKCS#8 bytes.
 *
 * <p>Security: the private key exists in plaintext in this process only between leaving the HSM and
 * being sealed (and, for GenerateDataKeyPair, serialized into the answer); it is held in {@link
 * SecretBytes} and zeroed on every path.
 */
public final class DataKeyPairs {
  private final Keys keys;
  private final CryptoOperations crypto;
  private final DataKeyPairPool pool;

  public DataKeyPairs(Keys keys, CryptoOperations crypto, DataKeyPairPool pool) {
    this.keys = keys;
    this.crypto = crypto;
    this.pool = pool;
  }

  /**
   * The answer: public key (DER SPKI), sealed private key (v1 blob of the PKCS#8) and, for
   * GenerateDataKeyPair, the PKCS#8 itself, which the caller closes; and the KeyMaterialId of the
   * material that sealed it.
   */
  public record DataKeyPair(
      String keyArn,
      String keyPairSpec,
      byte[] publicKey,
      byte[] privateKeyCiphertextBlob,
      SecretBytes privateKeyPlaintext,
      String keyMaterialId) {}

  public DataKeyPair generateDataKeyPair(
      RequestContext ctx,
      String keyId,
      String keyPairSpec,
      EncryptionContext context,
      boolean withPlaintext,
      boolean dryRun) {
    KeyRecord key =
        keys.resolveFor(
            ctx,
            keyId,
            withPlaintext ? "GenerateDataKeyPair" : "GenerateDataKeyPairWithoutPlaintext");
    KeySpec.requireSymmetric(
        ctx, key, withPlaintext ? "GenerateDataKeyPair" : "GenerateDataKeyPairWithoutPlaintext");
    // KeyPairSpec: the model admits SM2 (China Regions only in AWS); no HSM here offers it.
    KeySpec spec =
        KeySpec.of(keyPairSpec)
            .filter(KeySpec::isAsymmetric)
            .orElseThrow(() -> NotSupportedErrors.keyPairSpec(keyPairSpec));
    CryptoOperations.dryRunStop(dryRun);
    ExportedKeyPair pair = pool.take(spec.keyPairType());
    try {
      byte[] blob = crypto.seal(key, pair.privateKey().unsafeView(), context);
      DataKeyPair answer =
          new DataKeyPair(
              key.arn(),
              keyPairSpec,
              pair.publicKey(),
              blob,
              withPlaintext ? pair.privateKey() : null,
              KeyMaterialIds.toWire(key.currentMaterialId()));
      if (!withPlaintext) {
        pair.close();
      }
      return answer;
    } catch (RuntimeException e) {
      pair.close();
      throw e;
    }
  }
}
