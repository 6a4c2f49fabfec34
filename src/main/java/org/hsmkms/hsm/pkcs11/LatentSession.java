package org.hsmkms.hsm.pkcs11;

import java.util.List;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.KeyPairTemplate;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11KeyPair;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.SessionInfo;
import org.xipki.pkcs11.wrapper.Token;

/**
 * A session of the IAIK wrapper whose every Cryptoki function first spends one round trip of the
 * {@link CallLatency} model, on the calling thread that holds it. The overrides are the wrapper's
 * methods that each make one Cryptoki call; its composite methods ({@code encryptSingle}, {@code
 * findObjectsSingle}, {@code getAttrValues(long, long...)}, ...) call them, so each is charged as
 * many round trips as Cryptoki functions it makes. Used only when the model is on (benchmarks).
 */
final class LatentSession extends Session {
  private final CallLatency latency;

  LatentSession(Token token, long handle, CallLatency latency) {
    super(token, handle);
    this.latency = latency;
  }

  @Override
  public void closeSession() throws PKCS11Exception {
    latency.charge(1);
    super.closeSession();
  }

  @Override
  public SessionInfo getSessionInfo() throws PKCS11Exception {
    latency.charge(1);
    return super.getSessionInfo();
  }

  @Override
  public void login(long userType, char[] pin) throws PKCS11Exception {
    latency.charge(1);
    super.login(userType, pin);
  }

  @Override
  public long createObject(AttributeVector template) throws PKCS11Exception {
    latency.charge(1);
    return super.createObject(template);
  }

  @Override
  public long copyObject(long object, AttributeVector template) throws PKCS11Exception {
    latency.charge(1);
    return super.copyObject(object, template);
  }

  @Override
  public void destroyObject(long object) throws PKCS11Exception {
    latency.charge(1);
    super.destroyObject(object);
  }

  @Override
  public void findObjectsInit(AttributeVector template) throws PKCS11Exception {
    latency.charge(1);
    super.findObjectsInit(template);
  }

  @Override
  public long[] findObjects(int max) throws PKCS11Exception {
    latency.charge(1);
    return super.findObjects(max);
  }

  @Override
  public void findObjectsFinal() throws PKCS11Exception {
    latency.charge(1);
    super.findObjectsFinal();
  }

  @Override
  public void encryptInit(Mechanism mechanism, long key) throws PKCS11Exception {
    latency.charge(1);
    super.encryptInit(mechanism, key);
  }

  @Override
  public byte[] encrypt(byte[] in) throws PKCS11Exception {
    latency.charge(1);
    return super.encrypt(in);
  }

  @Override
  public void decryptInit(Mechanism mechanism, long key) throws PKCS11Exception {
    latency.charge(1);
    super.decryptInit(mechanism, key);
  }

  @Override
  public byte[] decrypt(byte[] in) throws PKCS11Exception {
    latency.charge(1);
    return super.decrypt(in);
  }

  @Override
  public void signInit(Mechanism mechanism, long key) throws PKCS11Exception {
    latency.charge(1);
    super.signInit(mechanism, key);
  }

  @Override
  public byte[] sign(byte[] data) throws PKCS11Exception {
    latency.charge(1);
    return super.sign(data);
  }

  @Override
  public void verifyInit(Mechanism mechanism, long key) throws PKCS11Exception {
    latency.charge(1);
    super.verifyInit(mechanism, key);
  }

  @Override
  public void verify(byte[] data, byte[] signature) throws PKCS11Exception {
    latency.charge(1);
    super.verify(data, signature);
  }

  @Override
  public long generateKey(Mechanism mechanism, AttributeVector template) throws PKCS11Exception {
    latency.charge(1);
    return super.generateKey(mechanism, template);
  }

  @Override
  public PKCS11KeyPair generateKeyPair(Mechanism mechanism, KeyPairTemplate template)
      throws PKCS11Exception {
    latency.charge(1);
    return super.generateKeyPair(mechanism, template);
  }

  @Override
  public long unwrapKey(Mechanism mechanism, long key, byte[] wrapped, AttributeVector template)
      throws PKCS11Exception {
    latency.charge(1);
    return super.unwrapKey(mechanism, key, wrapped, template);
  }

  @Override
  public long deriveKey(Mechanism mechanism, long base, AttributeVector template)
      throws PKCS11Exception {
    latency.charge(1);
    return super.deriveKey(mechanism, base, template);
  }

  @Override
  public byte[] generateRandom(int n) throws PKCS11Exception {
    latency.charge(1);
    return super.generateRandom(n);
  }

  @Override
  public AttributeVector getAttrValues(long object, List<Long> types) throws PKCS11Exception {
    latency.charge(1);
    return super.getAttrValues(object, types);
  }
}
