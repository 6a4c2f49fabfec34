package org.hsmkms.kms;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.KeyInventory;
import org.hsmkms.hsm.KeyPairType;
import org.hsmkms.hsm.KeyPairUsage;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MetadataStore;

/**
 * The token's key inventory with one fault injected: every key generation fails as a device fault
 * would, after noting what the store held for the key at that moment. Everything else is the real
 * inventory's.
 */
final class FailingGeneration implements KeyInventory {
  static final HsmException FAULT =
      new HsmException(HsmException.Kind.INTERNAL, "injected generation fault");

  private final KeyInventory real;
  private MetadataStore store;

  /** The key's row, its tags and the material id, as each failed generation found them. */
  final List<KeyRecord> seen = new ArrayList<>();

  final List<Map<String, String>> tagsSeen = new ArrayList<>();
  final List<MaterialId> materials = new ArrayList<>();

  FailingGeneration(KeyInventory real) {
    this.real = real;
  }

  /** The store whose rows a generation notes. */
  void watch(MetadataStore store) {
    this.store = store;
  }

  private HsmException fail(MaterialId id, String label) {
    seen.add(store.findKey(label).orElse(null));
    tagsSeen.add(store.tags(label));
    materials.add(id);
    return FAULT;
  }

  @Override
  public void generateAesKey(MaterialId id, String label) {
    throw fail(id, label);
  }

  @Override
  public void generateHmacKey(MaterialId id, int lengthBytes, String label) {
    throw fail(id, label);
  }

  @Override
  public void generateKeyPair(MaterialId id, KeyPairType type, KeyPairUsage usage, String label) {
    throw fail(id, label);
  }

  @Override
  public boolean keyExists(MaterialId id) {
    return real.keyExists(id);
  }

  @Override
  public List<MaterialId> listKeyIds() {
    return real.listKeyIds();
  }

  @Override
  public void destroyKey(MaterialId id) {
    real.destroyKey(id);
  }
}
