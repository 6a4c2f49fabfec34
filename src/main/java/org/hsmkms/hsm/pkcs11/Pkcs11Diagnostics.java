package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EXTRACTABLE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_NEVER_EXTRACTABLE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_SENSITIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_TOKEN;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.pkcs11.KeyHandles.Owner;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.Session;

/**
 * What tests and operators' tools may ask of the token about the service's objects: attributes that
 * matter for security, counts of session objects and working copies, which JNI layer does AES-GCM.
 * The service itself never uses this class.
 */
public final class Pkcs11Diagnostics {

  /** What the token says about a key object's protection. */
  public record KeyAttributes(
      boolean token, boolean sensitive, boolean extractable, boolean neverExtractable) {}

  private final SessionExecutor executor;
  private final KeyHandles handles;
  private final WorkingCopies copies;
  private final GcmLayer gcm;

  Pkcs11Diagnostics(
      SessionExecutor executor, KeyHandles handles, WorkingCopies copies, GcmLayer gcm) {
    this.executor = executor;
    this.handles = handles;
    this.copies = copies;
    this.gcm = gcm;
  }

  /** How many session objects the service holds in the token now, working copies aside. */
  public int sessionObjectCount() {
    return executor.call(
        "C_FindObjects(session objects)",
        s ->
            s.findAllObjectsSingle(new AttributeVector().token(false)).length
                - s.findAllObjectsSingle(
                        new AttributeVector().token(false).label(WorkingCopies.LABEL))
                    .length);
  }

  /** How many keys have a working copy. */
  public int workingCopyCount() {
    return copies.count();
  }

  /** The attributes of the working copy of a CMK, if it has one now. */
  public Optional<KeyAttributes> workingCopyAttributes(MaterialId key) {
    return executor.call(
        "C_GetAttributeValue(working copy)",
        s -> {
          Long h = copies.handleOf(key);
          return h == null ? Optional.<KeyAttributes>empty() : Optional.of(attributes(s, h));
        });
  }

  /** The attributes of a CMK's key object (its secret key or private key). */
  public KeyAttributes keyAttributes(MaterialId key) {
    return executor.call("C_GetAttributeValue", s -> attributes(s, handles.key(s, key, Owner.CMK)));
  }

  /** The attributes of a service key's object. */
  public KeyAttributes serviceKeyAttributes(MaterialId key) {
    return executor.call(
        "C_GetAttributeValue", s -> attributes(s, handles.key(s, key, Owner.SERVICE)));
  }

  /**
   * Borrows every session of the pool and keeps them until the result is closed: the HSM as it is
   * when every session is busy or the device gives none (readiness and recovery tests).
   */
  public AutoCloseable holdAllSessions() {
    SessionPool pool = executor.pool();
    List<Session> held = new ArrayList<>();
    try {
      while (held.size() < pool.max()) {
        held.add(pool.borrow());
      }
    } catch (RuntimeException e) {
      held.forEach(pool::giveBack);
      throw e;
    }
    return () -> held.forEach(pool::giveBack);
  }

  /** Which JNI layer does AES-GCM: "jdk" or "iaik". */
  public String aesGcmLayer() {
    return gcm.name();
  }

  private static KeyAttributes attributes(Session s, long h) throws PKCS11Exception {
    AttributeVector a =
        s.getAttrValues(h, CKA_TOKEN, CKA_SENSITIVE, CKA_EXTRACTABLE, CKA_NEVER_EXTRACTABLE);
    return new KeyAttributes(
        Boolean.TRUE.equals(a.token()),
        Boolean.TRUE.equals(a.sensitive()),
        Boolean.TRUE.equals(a.extractable()),
        Boolean.TRUE.equals(a.neverExtractable()));
  }
}
