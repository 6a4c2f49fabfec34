package org.hsmkms;

import java.time.Clock;
import org.hsmkms.api.KmsApi;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.kms.Aliases;
import org.hsmkms.kms.AsymmetricOperations;
import org.hsmkms.kms.CryptoOperations;
import org.hsmkms.kms.DataKeyPairPool;
import org.hsmkms.kms.DataKeyPairs;
import org.hsmkms.kms.Grants;
import org.hsmkms.kms.KeyLastUsage;
import org.hsmkms.kms.KeyManagement;
import org.hsmkms.kms.KeyMaterialImport;
import org.hsmkms.kms.KeyPairServices;
import org.hsmkms.kms.KeyPolicies;
import org.hsmkms.kms.KeyRotations;
import org.hsmkms.kms.KeyUsageTracker;
import org.hsmkms.kms.Keys;
import org.hsmkms.kms.MacOperations;
import org.hsmkms.kms.MaterialRotation;
import org.hsmkms.kms.ResourceQuotas;
import org.hsmkms.kms.UsageLimits;
import org.hsmkms.store.MetadataStore;

/**
 * The composition root's part that wires the KMS services behind the HTTP listener over the open
 * HSM and store: key management, policies, aliases, the cryptographic operations, key pairs and
 * MACs, grants, rotations, last uses and imports. It opens nothing: the parts it is given are
 * opened, and closed, by {@link Application}.
 *
 * <p>Security: every service reaches a key through {@code keys}, whose lookups authorize the caller
 * (key policy and grants); encryptions count against {@code usageLimits}.
 */
final class KmsServices {
  private KmsServices() {}

  static KmsApi api(
      Pkcs11Hsm hsm,
      MetadataStore store,
      Keys keys,
      Clock clock,
      UsageLimits usageLimits,
      DataKeyPairPool keyPairPool,
      MaterialRotation materialRotation,
      KeyUsageTracker keyUsage,
      KeyMaterialImport imports,
      ResourceQuotas quotas) {
    AsymmetricOperations asymmetric =
        new AsymmetricOperations(
            hsm.publicKeys(), hsm.signing(), hsm.asymmetricDecryption(), hsm.keyAgreement(), keys);
    CryptoOperations crypto =
        new CryptoOperations(hsm.symmetric(), hsm.random(), store, keys, asymmetric, usageLimits);
    KeyPairServices keyPairs =
        new KeyPairServices(
            asymmetric,
            new MacOperations(hsm.mac(), keys),
            new DataKeyPairs(keys, crypto, keyPairPool));
    KeyPolicies policies = new KeyPolicies(store, keys, quotas);
    return new KmsApi(
        new KeyManagement(hsm.inventory(), hsm.random(), store, keys, policies, clock, quotas),
        policies,
        new Aliases(store, keys, clock, quotas),
        crypto,
        keyPairs,
        new Grants(store, keys, hsm.random(), clock, quotas),
        new KeyRotations(store, keys, materialRotation, clock),
        new KeyLastUsage(keys, keyUsage),
        keyUsage,
        imports);
  }
}
