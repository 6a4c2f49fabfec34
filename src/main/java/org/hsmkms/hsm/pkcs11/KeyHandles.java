package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_ID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_LABEL;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_PRIVATE_KEY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_PUBLIC_KEY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_SECRET_KEY;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.HsmException.Kind;
import org.hsmkms.hsm.KeyInventory;
import org.hsmkms.hsm.KeyPairType;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.ServiceKeys;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.Session;

/**
 * Finds key objects by {@code CKA_ID} and label, and caches their handles.
 *
 * <p>An object is ours only if its label says so: a CMK's starts with {@code hsm-kms:}, a service
 * key's with {@code hsm-kms-service:}. An id alone never selects an object, so neither a foreign
 * object that happens to share an id nor a service key named by a damaged metadata row can be used
 * or destroyed as a CMK. Handles are only a cache: a stale one makes the session executor empty the
 * cache and the work look the object up again.
 */
final class KeyHandles {

  /** Whose objects a lookup may return, told by their label. */
  enum Owner {
    CMK(KeyInventory.LABEL_PREFIX),
    SERVICE(ServiceKeys.LABEL_PREFIX),
    /** The wrapping key pairs of imports ({@link org.hsmkms.hsm.KeyImport}). */
    IMPORT(org.hsmkms.hsm.KeyImport.LABEL_PREFIX);

    final String labelPrefix;

    Owner(String labelPrefix) {
      this.labelPrefix = labelPrefix;
    }
  }

  private static final long[] SECRET_OR_PRIVATE = {CKO_SECRET_KEY, CKO_PRIVATE_KEY};
  private static final long[] SECRET = {CKO_SECRET_KEY};
  private static final long[] PUBLIC = {CKO_PUBLIC_KEY};

  /** At most this many objects with one id are examined; ours are one per class. */
  private static final int MAX_SAME_ID = 8;

  private final Map<MaterialId, Long> keys = new ConcurrentHashMap<>();
  private final Map<MaterialId, Long> serviceKeys = new ConcurrentHashMap<>();
  private final Map<MaterialId, Long> publicKeys = new ConcurrentHashMap<>();

  /** Key pair types by id: immutable for an id, so cached. */
  private final Map<MaterialId, KeyPairType> types = new ConcurrentHashMap<>();

  /**
   * The ids of the token objects of {@code owner} among the classes {@code objectClasses}: one
   * listing per class (a search visits every object, so callers list once instead of searching per
   * id). Objects whose id is empty or too long for a {@link MaterialId} are not ours.
   */
  static List<MaterialId> listIds(Session s, Owner owner, long... objectClasses)
      throws PKCS11Exception {
    List<MaterialId> ids = new ArrayList<>();
    for (long objectClass : objectClasses) {
      AttributeVector template = new AttributeVector().class_(objectClass).token(true);
      for (long h : s.findAllObjectsSingle(template)) {
        AttributeVector attrs = s.getAttrValues(h, CKA_ID, CKA_LABEL);
        byte[] id = attrs.id();
        String label = attrs.label();
        if (id != null
            && id.length > 0
            && id.length <= MaterialId.MAX_BYTES
            && label != null
            && label.startsWith(owner.labelPrefix)) {
          ids.add(MaterialId.of(id));
        }
      }
    }
    return ids;
  }

  /** The handle of the object holding a CMK's secret: its secret key or its private key. */
  long key(Session s, MaterialId id) throws PKCS11Exception {
    Long h = keys.get(id);
    return h != null ? h : lookUp(keys, s, id, Owner.CMK, "key object", SECRET_OR_PRIVATE);
  }

  /** The handle of a service key's secret key object. */
  long serviceKey(Session s, MaterialId id) throws PKCS11Exception {
    Long h = serviceKeys.get(id);
    return h != null ? h : lookUp(serviceKeys, s, id, Owner.SERVICE, "service key", SECRET);
  }

  /** The handle of the key object of {@code owner}: a CMK's secret, or a service key. */
  long key(Session s, MaterialId id, Owner owner) throws PKCS11Exception {
    return owner == Owner.CMK ? key(s, id) : serviceKey(s, id);
  }

  /** The handle of a CMK pair's public key object. */
  long publicKey(Session s, MaterialId id) throws PKCS11Exception {
    Long h = publicKeys.get(id);
    return h != null ? h : lookUp(publicKeys, s, id, Owner.CMK, "public key object", PUBLIC);
  }

  /** Finds the first object of {@code classes} (in that order) and caches its handle. */
  private static long lookUp(
      Map<MaterialId, Long> cache,
      Session s,
      MaterialId id,
      Owner owner,
      String what,
      long[] classes)
      throws PKCS11Exception {
    for (int attempt = 0; attempt < 2; attempt++) {
      for (long objectClass : classes) {
        Long h = find(s, id, objectClass, owner);
        if (h != null) {
          cache.put(id, h);
          return h;
        }
      }
      // An object another process made may be unlisted here (SoftHSM2): list again, once.
      if (attempt == 0 && !SoftHsm2Rescan.request()) {
        break;
      }
    }
    throw new HsmException(Kind.KEY_NOT_FOUND, "no " + what + " with id " + id);
  }

  /** The type of a CMK pair, read from its public key once. */
  KeyPairType type(Session s, MaterialId id) throws PKCS11Exception {
    KeyPairType t = types.get(id);
    if (t == null) {
      t = KeyPairObjects.typeOf(s, publicKey(s, id));
      types.put(id, t);
    }
    return t;
  }

  /** Remembers the handles of a key generated now. */
  void rememberKey(MaterialId id, Owner owner, long handle) {
    (owner == Owner.CMK ? keys : serviceKeys).put(id, handle);
  }

  /** Remembers the handles of a pair generated now. */
  void rememberPair(MaterialId id, KeyPairType type, long privateKey, long publicKey) {
    keys.put(id, privateKey);
    publicKeys.put(id, publicKey);
    types.put(id, type);
  }

  /** Forgets a CMK's handles (its objects are being destroyed, or a handle named another). */
  void forget(MaterialId id) {
    keys.remove(id);
    publicKeys.remove(id);
    types.remove(id);
  }

  /** Forgets every handle. */
  void clear() {
    keys.clear();
    serviceKeys.clear();
    publicKeys.clear();
  }

  /**
   * The token object of {@code objectClass} with this id whose label belongs to {@code owner}, or
   * null. Two such objects are an error: the service never makes two.
   */
  static Long find(Session s, MaterialId id, long objectClass, Owner owner) throws PKCS11Exception {
    AttributeVector template = new AttributeVector().class_(objectClass).token(true).id(id.bytes());
    Long found = null;
    for (long h : s.findObjectsSingle(template, MAX_SAME_ID)) {
      if (isOwnedBy(s, h, owner)) {
        if (found != null) {
          throw new HsmException(Kind.INTERNAL, "two key objects share id " + id);
        }
        found = h;
      }
    }
    return found;
  }

  /** Whether the object's label marks it as one of {@code owner}'s. */
  static boolean isOwnedBy(Session s, long handle, Owner owner) throws PKCS11Exception {
    String label = s.getAttrValues(handle, CKA_LABEL).label();
    return label != null && label.startsWith(owner.labelPrefix);
  }
}
