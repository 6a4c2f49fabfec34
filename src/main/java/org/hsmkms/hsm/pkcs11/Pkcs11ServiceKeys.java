package org.hsmkms.hsm.pkcs11;

import org.hsmkms.hsm.MacScheme;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.ServiceKeys;
import org.hsmkms.hsm.pkcs11.KeyHandles.Owner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's own keys: AES keys made like CMKs, used through AES-GCM only, and HMAC keys (the
 * audit trail's chain key), used through HMAC-SHA256 only; all labelled apart from CMKs.
 */
final class Pkcs11ServiceKeys implements ServiceKeys {
  private static final Logger LOG = LoggerFactory.getLogger(Pkcs11ServiceKeys.class);

  /** Serialised in this process (across instances) so that two callers cannot both create one. */
  private static final Object LOCK = new Object();

  private final Pkcs11KeyInventory inventory;
  private final Pkcs11AesGcm gcm;
  private final Pkcs11Mac mac;

  Pkcs11ServiceKeys(Pkcs11KeyInventory inventory, Pkcs11AesGcm gcm, Pkcs11Mac mac) {
    this.inventory = inventory;
    this.gcm = gcm;
    this.mac = mac;
  }

  @Override
  public boolean ensureServiceKey(MaterialId id, String label) {
    synchronized (LOCK) {
      if (inventory.serviceKeyExists(id)) {
        return false;
      }
      inventory.generateAes(id, LABEL_PREFIX + label, Owner.SERVICE);
      LOG.info("generated service key '{}{}' in the token", LABEL_PREFIX, label);
      return true;
    }
  }

  @Override
  public boolean ensureServiceMacKey(MaterialId id, String label) {
    synchronized (LOCK) {
      if (inventory.serviceKeyExists(id)) {
        return false;
      }
      inventory.generateHmac(
          id, MacScheme.HMAC_SHA256.length(), LABEL_PREFIX + label, Owner.SERVICE);
      LOG.info("generated service HMAC key '{}{}' in the token", LABEL_PREFIX, label);
      return true;
    }
  }

  @Override
  public byte[] serviceMac(MaterialId key, byte[] message) {
    return mac.computeMac(key, MacScheme.HMAC_SHA256, message);
  }

  @Override
  public byte[] encrypt(MaterialId key, byte[] plaintext, byte[] aad) {
    return gcm.encrypt(key, plaintext, aad);
  }

  @Override
  public byte[] decrypt(MaterialId key, byte[] iv, byte[] ciphertextAndTag, byte[] aad) {
    return gcm.decrypt(key, iv, ciphertextAndTag, aad);
  }
}
