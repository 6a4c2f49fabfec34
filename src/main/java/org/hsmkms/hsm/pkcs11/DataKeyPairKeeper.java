package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_ID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_TOKEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_OBJECT_HANDLE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_USER_NOT_LOGGED_IN;

import java.util.Arrays;
import java.util.Optional;
import org.hsmkms.hsm.DataKeyPairSource;
import org.hsmkms.hsm.ExportedKeyPair;
import org.hsmkms.hsm.HsmException.Kind;
import org.hsmkms.hsm.KeyInventory;
import org.hsmkms.hsm.KeyPairType;
import org.hsmkms.hsm.PregeneratedKeyPair;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11KeyPair;
import org.xipki.pkcs11.wrapper.Session;

/**
 * Data key pairs: generated as session objects, read out once as SPKI and PKCS#8, destroyed. Pairs
 * made ahead of time live in a keeper session of their own (outside the session pool) that keeps
 * them alive until a request takes one.
 *
 * <p>Getting the private key out: the pair is generated with the private key non-sensitive and
 * extractable, and its attributes are read and encoded as PKCS#8. The alternative, {@code
 * C_WrapKey} with {@code CKM_AES_KEY_WRAP_PAD} under a session AES key and unwrapping in software,
 * was not chosen: the wrapping key would have to be known to this process, so it protects nothing
 * that reading the attributes exposes; KWP cannot wrap Ed25519 keys on SoftHSM2; and its output
 * would need parsing and trimming. The plaintext must reach this process anyway: it is the answer,
 * and {@code C_WrapKey} cannot use AES-GCM to seal it under the CMK. CMKs are never made this way.
 */
final class DataKeyPairKeeper implements DataKeyPairSource, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DataKeyPairKeeper.class);
  private static final String LABEL = KeyInventory.LABEL_PREFIX + "data-key-pair";

  private final SessionExecutor executor;
  private final LoggedInToken token;

  /** Guards the keeper session. */
  private final Object lock = new Object();

  private Session keeperSession;

  /** Changes whenever the keeper session is lost; pairs of an older epoch are gone. */
  private volatile long epoch;

  DataKeyPairKeeper(SessionExecutor executor, LoggedInToken token) {
    this.executor = executor;
    this.token = token;
  }

  @Override
  public ExportedKeyPair generateDataKeyPair(KeyPairType type) {
    return executor.call(
        "C_GenerateKeyPair(" + type + ", data key pair)",
        s -> {
          PKCS11KeyPair pair = generate(s, type, s.generateRandom(16));
          return exportAndDestroy(s, type, pair.getPrivateKey(), pair.getPublicKey());
        });
  }

  private static PKCS11KeyPair generate(Session s, KeyPairType type, byte[] id)
      throws PKCS11Exception {
    return s.generateKeyPair(
        KeyPairObjects.generationMechanism(type),
        KeyPairObjects.dataKeyPairTemplate(type, id, LABEL));
  }

  /** Reads a pair out and destroys both objects, also when reading fails. */
  private static ExportedKeyPair exportAndDestroy(
      Session s, KeyPairType type, long privateKey, long publicKey) throws PKCS11Exception {
    ExportedKeyPair out = null;
    try {
      out = KeyPairObjects.export(s, type, privateKey, publicKey);
    } finally {
      PKCS11Exception failed = null;
      for (long h : new long[] {privateKey, publicKey}) {
        try {
          s.destroyObject(h);
        } catch (PKCS11Exception e) {
          failed = e;
        }
      }
      if (failed != null && out != null) {
        out.close();
        throw failed;
      }
    }
    return out;
  }

  /** A pair waiting in the keeper session; valid only while that session (epoch) lives. */
  private record Pregenerated(
      KeyPairType type,
      long privateKey,
      long publicKey,
      byte[] id,
      long epoch,
      DataKeyPairKeeper owner)
      implements PregeneratedKeyPair {
    @Override
    public String toString() {
      return "PregeneratedKeyPair[" + type + "]";
    }
  }

  @Override
  public PregeneratedKeyPair pregenerateDataKeyPair(KeyPairType type) {
    synchronized (lock) {
      for (int attempt = 0; ; attempt++) {
        Session s = keeper();
        try {
          byte[] id = s.generateRandom(16);
          PKCS11KeyPair pair = generate(s, type, id);
          return new Pregenerated(type, pair.getPrivateKey(), pair.getPublicKey(), id, epoch, this);
        } catch (PKCS11Exception e) {
          long code = e.getErrorCode();
          boolean dead = SessionExecutor.isDeadSession(code);
          if (attempt == 0 && (dead || code == CKR_USER_NOT_LOGGED_IN)) {
            LOG.warn("key pair keeper session: {}; reopening", e.getErrorName());
            dropKeeper();
            continue;
          }
          throw SessionExecutor.fail(
              dead ? Kind.UNAVAILABLE : Kind.INTERNAL,
              "C_GenerateKeyPair(" + type + ", pregenerated)",
              e);
        }
      }
    }
  }

  @Override
  public Optional<ExportedKeyPair> takeDataKeyPair(PregeneratedKeyPair pair) {
    Pregenerated p = own(pair);
    if (p.epoch() != epoch) {
      return Optional.empty();
    }
    return executor.call(
        "take pregenerated key pair",
        s -> {
          try {
            if (!isIntact(s, p)) {
              return Optional.empty();
            }
            return Optional.of(exportAndDestroy(s, p.type(), p.privateKey(), p.publicKey()));
          } catch (PKCS11Exception e) {
            if (e.getErrorCode() == CKR_OBJECT_HANDLE_INVALID) {
              return Optional.empty();
            }
            throw e;
          }
        });
  }

  @Override
  public boolean isAlive(PregeneratedKeyPair pair) {
    return own(pair).epoch() == epoch;
  }

  @Override
  public void discardDataKeyPair(PregeneratedKeyPair pair) {
    Pregenerated p = own(pair);
    if (p.epoch() != epoch) {
      return;
    }
    executor.call(
        "discard pregenerated key pair",
        s -> {
          try {
            if (isIntact(s, p)) {
              s.destroyObject(p.privateKey());
              s.destroyObject(p.publicKey());
            }
          } catch (PKCS11Exception e) {
            if (e.getErrorCode() != CKR_OBJECT_HANDLE_INVALID) {
              throw e;
            }
          }
          return null;
        });
  }

  /**
   * The handles still name the objects generated for this pair: a handle of a lost session may be
   * reused by the token for another object, so the session-object flag and the random id are
   * checked before anything is read or destroyed.
   */
  private static boolean isIntact(Session s, Pregenerated p) throws PKCS11Exception {
    for (long h : new long[] {p.privateKey(), p.publicKey()}) {
      AttributeVector a = s.getAttrValues(h, CKA_TOKEN, CKA_ID);
      if (!Boolean.FALSE.equals(a.token()) || !Arrays.equals(p.id(), a.id())) {
        return false;
      }
    }
    return true;
  }

  private Pregenerated own(PregeneratedKeyPair pair) {
    if (!(pair instanceof Pregenerated p) || p.owner() != this) {
      throw new IllegalArgumentException("not a key pair of this HSM");
    }
    return p;
  }

  /** The keeper session, opened and logged in on first use. Under {@link #lock}. */
  private Session keeper() {
    if (keeperSession == null) {
      try {
        keeperSession = token.openLoggedIn();
      } catch (PKCS11Exception e) {
        throw SessionExecutor.fail(Kind.UNAVAILABLE, "C_OpenSession(key pair keeper)", e);
      }
    }
    return keeperSession;
  }

  /** Closes the keeper session, which destroys every pair it held; their references go stale. */
  private void dropKeeper() {
    if (keeperSession != null) {
      LoggedInToken.closeQuietly(keeperSession);
      keeperSession = null;
    }
    epoch++;
  }

  @Override
  public void close() {
    synchronized (lock) {
      dropKeeper();
    }
  }
}
