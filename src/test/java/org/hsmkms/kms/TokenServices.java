package org.hsmkms.kms;

import static org.hsmkms.kms.StoredKeys.caller;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.hsmkms.hsm.KeyInventory;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.hsm.pkcs11.Pkcs11Settings;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MaterialRecord;
import org.hsmkms.testing.MutableClock;
import org.hsmkms.testing.TestToken;
import org.junit.jupiter.api.function.Executable;

/**
 * The kms/ services wired as the application wires them, over the roles of a real HSM (the test
 * token) and a real store of the test's own ({@link StoredKeys}), with a clock the test moves.
 * Closing it destroys the token objects of every key left in its store, so that test classes do not
 * fill the shared token.
 */
final class TokenServices implements AutoCloseable {
  static final String SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT";
  static final String ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT";
  static final String SIGN_VERIFY = "SIGN_VERIFY";
  static final String KEY_AGREEMENT = "KEY_AGREEMENT";
  static final String GENERATE_VERIFY_MAC = "GENERATE_VERIFY_MAC";

  final Pkcs11Hsm hsm;
  final StoredKeys stored;
  final MutableClock clock = new MutableClock();
  final Keys keys;
  final KeyPolicies policies;
  final KeyManagement management;
  final AsymmetricOperations asymmetric;
  final CryptoOperations crypto;
  final MacOperations macs;
  final Reconciler reconciler;

  /** The test token, logged in, with two sessions (one per test class; close it after). */
  static Pkcs11Hsm openHsm() {
    TestToken.dir();
    return Pkcs11Hsm.open(
        new Pkcs11Settings(
            TestToken.module(), TestToken.LABEL, TestToken.PIN.toCharArray(), 2, 5000L, 10));
  }

  TokenServices(Pkcs11Hsm hsm, Path dir) {
    this(hsm, hsm.inventory(), dir);
  }

  /** With {@code inventory} in place of the HSM's own (which it wraps to inject a fault). */
  TokenServices(Pkcs11Hsm hsm, KeyInventory inventory, Path dir) {
    this.hsm = hsm;
    // The store keeps instants to the millisecond: a clock on whole milliseconds lets tests compare
    // dates exactly, e.g. a deletion due at the very instant the clock shows.
    clock.advance(Duration.ofNanos(-(clock.instant().getNano() % 1_000_000)));
    this.stored = new StoredKeys(dir);
    this.keys = new Keys(stored.store);
    this.policies = new KeyPolicies(stored.store, keys);
    this.management =
        new KeyManagement(inventory, hsm.random(), stored.store, keys, policies, clock);
    this.asymmetric =
        new AsymmetricOperations(
            hsm.publicKeys(), hsm.signing(), hsm.asymmetricDecryption(), hsm.keyAgreement(), keys);
    this.crypto =
        new CryptoOperations(hsm.symmetric(), hsm.random(), stored.store, keys, asymmetric);
    this.macs = new MacOperations(hsm.mac(), keys);
    this.reconciler = new Reconciler(hsm.inventory(), stored.store, keys, clock);
  }

  /** A new key of the test account made by CreateKey, its material generated in the token. */
  KeyRecord create(String keySpec, String keyUsage) {
    return create(caller(), keySpec, keyUsage);
  }

  KeyRecord create(RequestContext ctx, String keySpec, String keyUsage) {
    KeyMetadata md =
        management.createKey(
            ctx,
            new CreateKeyRequest(
                keySpec, null, keyUsage, null, null, null, null, null, null, false));
    return row(md.keyId());
  }

  /** A new symmetric encryption key of the test account. */
  KeyRecord symmetricKey() {
    return create(SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT);
  }

  /** The key's row as stored now. */
  KeyRecord row(String keyId) {
    return stored.store.findKey(keyId).orElseThrow();
  }

  /**
   * Puts the key in {@code state} as the store would hold it (a pending deletion due in 7 days).
   */
  KeyRecord setState(KeyRecord key, KeyState state) {
    boolean pending = state == KeyState.PENDING_DELETION;
    stored.store.updateKey(
        row(key.keyId())
            .withState(
                state.awsName(),
                pending ? clock.instant().plus(Duration.ofDays(7)) : null,
                pending ? 7 : null));
    return row(key.keyId());
  }

  MaterialId material(KeyRecord key) {
    return MaterialId.fromHex(key.currentMaterialId());
  }

  /** The error code of the KmsException {@code call} throws. */
  static ErrorCode refusal(Executable call) {
    return assertThrows(KmsException.class, call).code();
  }

  @Override
  public void close() {
    try {
      for (KeyRecord key : stored.store.allKeys()) {
        List<MaterialRecord> materials = stored.store.materials(key.keyId());
        for (MaterialRecord m : materials) {
          hsm.inventory().destroyKey(MaterialId.fromHex(m.materialId()));
        }
      }
    } finally {
      stored.close();
    }
  }
}
