package org.hsmkms.kms;

import org.hsmkms.hsm.KeyInventory;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MaterialRecord;
import org.hsmkms.store.MetadataStore;
import org.hsmkms.store.RotationRecord;

/**
 * Removes at once a key that the service made for itself (the start-up warm-up's key): its key
 * materials are destroyed in the HSM and its rows leave the store, without the waiting period of
 * ScheduleKeyDeletion, which protects clients' keys from a mistake.
 *
 * <p>Security: only for a key of an account that the service alone uses; the caller names the
 * account, and a key of another account is refused (never a client's key, nor another node's).
 */
public final class ServiceKeyRemoval {
  private final KeyInventory hsm;
  private final MetadataStore store;
  private final Keys keys;

  public ServiceKeyRemoval(KeyInventory hsm, MetadataStore store, Keys keys) {
    this.hsm = hsm;
    this.store = store;
    this.keys = keys;
  }

  /**
   * Destroys the materials of key {@code keyId} of {@code account} and removes its rows; nothing if
   * there is no such key.
   *
   * @throws IllegalArgumentException if the key is of another account
   */
  public void remove(String account, String keyId) {
    KeyRecord key = store.findKey(keyId).orElse(null);
    if (key == null) {
      return;
    }
    if (!account.equals(key.account())) {
      throw new IllegalArgumentException("key " + keyId + " is not of the service's own account");
    }
    for (MaterialRecord m : store.materials(keys.materialOwner(key))) {
      hsm.destroyKey(MaterialId.fromHex(m.materialId()));
    }
    hsm.destroyKey(MaterialId.fromHex(key.currentMaterialId()));
    for (RotationRecord r : store.rotations(keyId)) {
      if (!r.completed()) {
        hsm.destroyKey(MaterialId.fromHex(r.materialId()));
      }
    }
    store.deleteRotationData(keyId);
    store.deleteKey(keyId);
  }
}
