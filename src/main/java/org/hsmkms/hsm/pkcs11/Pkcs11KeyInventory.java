package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_AES_KEY_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKM_GENERIC_SECRET_KEY_GEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_PRIVATE_KEY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_PUBLIC_KEY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_SECRET_KEY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_ATTRIBUTE_TYPE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_ATTRIBUTE_VALUE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_TEMPLATE_INCONSISTENT;

import java.util.List;
import java.util.function.Supplier;
import org.hsmkms.hsm.KeyInventory;
import org.hsmkms.hsm.KeyPairType;
import org.hsmkms.hsm.KeyPairUsage;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.pkcs11.KeyHandles.Owner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.KeyPairTemplate;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11KeyPair;
import org.xipki.pkcs11.wrapper.Session;

/**
 * The CMK objects of the token: generation (with {@code CKA_ALLOWED_MECHANISMS} where the token
 * knows it), lookup, listing and destruction, always by id and label together ({@link KeyHandles}).
 */
final class Pkcs11KeyInventory implements KeyInventory {
  private static final Logger LOG = LoggerFactory.getLogger(Pkcs11KeyInventory.class);

  private final SessionExecutor executor;
  private final KeyHandles handles;
  private final WorkingCopies copies;

  /** Cleared once the token refuses {@code CKA_ALLOWED_MECHANISMS} in a template. */
  private volatile boolean allowedMechanisms = true;

  Pkcs11KeyInventory(SessionExecutor executor, KeyHandles handles, WorkingCopies copies) {
    this.executor = executor;
    this.handles = handles;
    this.copies = copies;
  }

  @Override
  public void generateAesKey(MaterialId id, String label) {
    generateAes(id, LABEL_PREFIX + label, Owner.CMK);
  }

  /** An AES-256 key of {@code owner} (a CMK or a service key), allowed AES-GCM only. */
  void generateAes(MaterialId id, String fullLabel, Owner owner) {
    executor.call(
        "C_GenerateKey(CKM_AES_KEY_GEN)",
        s -> {
          long h =
              generateSecret(
                  s,
                  CKM_AES_KEY_GEN,
                  () -> KeyTemplates.aesKey(id, fullLabel),
                  KeyTemplates.AES_KEY_MECHANISMS);
          handles.rememberKey(id, owner, h);
          return null;
        });
  }

  @Override
  public void generateHmacKey(MaterialId id, int lengthBytes, String label) {
    generateHmac(id, lengthBytes, LABEL_PREFIX + label, Owner.CMK);
  }

  /** A generic secret of {@code owner} (a CMK or a service key), allowed its HMAC only. */
  void generateHmac(MaterialId id, int lengthBytes, String fullLabel, Owner owner) {
    executor.call(
        "C_GenerateKey(CKM_GENERIC_SECRET_KEY_GEN)",
        s -> {
          long h =
              generateSecret(
                  s,
                  CKM_GENERIC_SECRET_KEY_GEN,
                  () -> KeyTemplates.hmacKey(lengthBytes, id, fullLabel),
                  KeyTemplates.hmacMechanisms(lengthBytes));
          handles.rememberKey(id, owner, h);
          return null;
        });
  }

  /** A secret key from a fresh template, with the allowed mechanisms if the token takes them. */
  private long generateSecret(
      Session s, long mechanism, Supplier<AttributeVector> template, long[] allowed)
      throws PKCS11Exception {
    if (allowedMechanisms) {
      try {
        return s.generateKey(new Mechanism(mechanism), template.get().allowedMechanisms(allowed));
      } catch (PKCS11Exception e) {
        if (!refusesAllowedMechanisms(e)) {
          throw e;
        }
      }
    }
    return s.generateKey(new Mechanism(mechanism), template.get());
  }

  @Override
  public void generateKeyPair(MaterialId id, KeyPairType type, KeyPairUsage usage, String label) {
    executor.call(
        "C_GenerateKeyPair(" + type + ")",
        s -> {
          Mechanism mechanism = KeyPairObjects.generationMechanism(type);
          PKCS11KeyPair pair = null;
          if (allowedMechanisms) {
            KeyPairTemplate t =
                KeyPairObjects.cmkTemplate(type, usage, id.bytes(), LABEL_PREFIX + label);
            t.privateKey().allowedMechanisms(KeyTemplates.privateKeyMechanisms(type, usage));
            try {
              pair = s.generateKeyPair(mechanism, t);
            } catch (PKCS11Exception e) {
              if (!refusesAllowedMechanisms(e)) {
                throw e;
              }
            }
          }
          if (pair == null) {
            pair =
                s.generateKeyPair(
                    mechanism,
                    KeyPairObjects.cmkTemplate(type, usage, id.bytes(), LABEL_PREFIX + label));
          }
          handles.rememberPair(id, type, pair.getPrivateKey(), pair.getPublicKey());
          return null;
        });
  }

  /** Whether the token refused the template for the allowed mechanisms; remembered if so. */
  private boolean refusesAllowedMechanisms(PKCS11Exception e) {
    long code = e.getErrorCode();
    if (code != CKR_ATTRIBUTE_TYPE_INVALID
        && code != CKR_ATTRIBUTE_VALUE_INVALID
        && code != CKR_TEMPLATE_INCONSISTENT) {
      return false;
    }
    allowedMechanisms = false;
    LOG.warn(
        "the token refuses CKA_ALLOWED_MECHANISMS ({}): new keys are made without it, so any"
            + " holder of the token's PIN can use them with any mechanism their attributes allow",
        e.getErrorName());
    return true;
  }

  @Override
  public boolean keyExists(MaterialId id) {
    return executor.call(
        "C_FindObjects", s -> exists(s, id) || SoftHsm2Rescan.request() && exists(s, id));
  }

  private static boolean exists(Session s, MaterialId id) throws PKCS11Exception {
    return KeyHandles.find(s, id, CKO_SECRET_KEY, Owner.CMK) != null
        || KeyHandles.find(s, id, CKO_PRIVATE_KEY, Owner.CMK) != null;
  }

  /** Whether the token holds a service key with this id. */
  boolean serviceKeyExists(MaterialId id) {
    return executor.call(
        "C_FindObjects", s -> KeyHandles.find(s, id, CKO_SECRET_KEY, Owner.SERVICE) != null);
  }

  @Override
  public List<MaterialId> listKeyIds() {
    return executor.call(
        "C_FindObjects", s -> KeyHandles.listIds(s, Owner.CMK, CKO_SECRET_KEY, CKO_PRIVATE_KEY));
  }

  @Override
  public void destroyKey(MaterialId id) {
    executor.call(
        "C_DestroyObject",
        s -> {
          for (long objectClass : new long[] {CKO_SECRET_KEY, CKO_PRIVATE_KEY, CKO_PUBLIC_KEY}) {
            Long h = KeyHandles.find(s, id, objectClass, Owner.CMK);
            if (h != null) {
              s.destroyObject(h);
            }
          }
          copies.destroy(id);
          handles.forget(id);
          return null;
        });
  }
}
