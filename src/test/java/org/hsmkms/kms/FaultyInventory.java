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
 * The token's key inventory with one fault injected: every key generation, or every destruction,
 * fails as a device fault would. A generation that fails first notes what the store held for the
 * key at that moment. Everything else is the real inventory's.
 */
final class FaultyInventory implements KeyInventory {
  static final HsmException FAULT = new HsmException(HsmException.Kind.INTERNAL, "injected fault");

  /** Which calls fail. */
  enum Fault {
    GENERATION,
    DESTRUCTION
  }

  private final KeyInventory real;
  private final Fault fault;
  private MetadataStore store;

  /** The key's row (null if none) and tags, as each failed generation found them. */
  final List<KeyRecord> rowsSeen = new ArrayList<>();

  final List<Map<String, String>> tagsSeen = new ArrayList<>();

  /** The material ids of the failed calls. */
  final List<MaterialId> failed = new ArrayList<>();

  FaultyInventory(KeyInventory real, Fault fault) {
    this.real = real;
    this.fault = fault;
  }

  /** The store whose rows a failed generation notes. */
  void watch(MetadataStore store) {
    this.store = store;
  }

  private HsmException failGeneration(MaterialId id, String label) {
    rowsSeen.add(store.findKey(label).orElse(null));
    tagsSeen.add(store.tags(label));
    failed.add(id);
    return FAULT;
  }

  @Override
  public void generateAesKey(MaterialId id, String label) {
    if (fault == Fault.GENERATION) {
      throw failGeneration(id, label);
    }
    real.generateAesKey(id, label);
  }

  @Override
  public void generateHmacKey(MaterialId id, int lengthBytes, String label) {
    if (fault == Fault.GENERATION) {
      throw failGeneration(id, label);
    }
    real.generateHmacKey(id, lengthBytes, label);
  }

  @Override
  public void generateKeyPair(MaterialId id, KeyPairType type, KeyPairUsage usage, String label) {
    if (fault == Fault.GENERATION) {
      throw failGeneration(id, label);
    }
    real.generateKeyPair(id, type, usage, label);
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
    if (fault == Fault.DESTRUCTION) {
      failed.add(id);
      throw FAULT;
    }
    real.destroyKey(id);
  }
}
