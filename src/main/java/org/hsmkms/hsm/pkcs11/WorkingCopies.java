package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EXTRACTABLE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_SENSITIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_TOKEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_KEY_HANDLE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_OBJECT_HANDLE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_USER_NOT_LOGGED_IN;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import org.hsmkms.hsm.KeyInventory;
import org.hsmkms.hsm.MaterialId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.Session;

/**
 * Working copies of AES key objects: session objects ({@code CKA_TOKEN=false}) made inside the
 * token with {@code C_CopyObject}, used for encryption and decryption instead of the token object.
 *
 * <p>Why: some tokens pay a fixed cost for every use of a token object (SoftHSM2's file store
 * re-reads the object's file on each {@code C_EncryptInit}), which a session object does not. A
 * copy never leaves the token: it keeps the original's {@code CKA_SENSITIVE=true}, {@code
 * CKA_EXTRACTABLE=false} and {@code CKA_NEVER_EXTRACTABLE=true} (the token refuses to relax them),
 * and is itself made unmodifiable, so that it can be neither changed nor copied to the token.
 * Copies live in one dedicated session and vanish with it, and with the process.
 *
 * <p>A key whose copy the token refuses (e.g. an object created with {@code CKA_MODIFIABLE=false},
 * which SoftHSM2 will not copy to a session object) is used as the token object: copies are an
 * optimisation, never a condition of service. At most {@code max} keys have a copy; when a key
 * without one is used and there is no room, the tenth of the copies used longest ago are destroyed
 * first, at most once a second, so the copies follow the keys in use without churning when more
 * keys are in use than there are copies (those beyond use their token object).
 *
 * <p>Safety of handles: a handle is only used under the read lock, and copies are destroyed (or
 * their session closed) only under the write lock, so no request can use a handle that the token
 * may already have given to another object.
 */
final class WorkingCopies implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkingCopies.class);

  /** Label of every working copy; also how they are told apart from other session objects. */
  static final String LABEL = KeyInventory.LABEL_PREFIX + "working-copy";

  /** Opens a logged-in session for the copies. */
  @FunctionalInterface
  interface SessionOpener {
    Session open() throws PKCS11Exception;
  }

  /** The handle of the token object to copy, found on the caller's session. */
  @FunctionalInterface
  interface TokenHandle {
    long get() throws PKCS11Exception;
  }

  /** Work with a key handle: the copy's, or the token object's. */
  @FunctionalInterface
  interface KeyWork<T> {
    T run(long key) throws PKCS11Exception;
  }

  private final SessionOpener opener;
  private final int max;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<MaterialId, Copy> copies = new ConcurrentHashMap<>();

  /** A copy's handle, and when it was last used (for eviction). */
  private static final class Copy {
    final long handle;
    final long tokenObject;
    volatile long lastUsed;

    Copy(long handle, long tokenObject, long now) {
      this.handle = handle;
      this.tokenObject = tokenObject;
      this.lastUsed = now;
    }
  }

  private final Set<MaterialId> refused = ConcurrentHashMap.newKeySet();

  /** Guards {@link #session} and the making of copies (a session is used by one thread at once). */
  private final Object copyLock = new Object();

  private Session session;

  /** When copies were last evicted to make room (in {@link #nanoTime}'s terms). */
  private volatile long lastEviction;

  private static final long EVICTION_INTERVAL_NANOS = 1_000_000_000L;

  /** Changed (under the write lock) whenever every copy is dropped. */
  private volatile long epoch;

  /** The time source for eviction: {@link System#nanoTime} but in tests. */
  private final LongSupplier nanoTime;

  WorkingCopies(SessionOpener opener, int max) {
    this(opener, max, System::nanoTime);
  }

  WorkingCopies(SessionOpener opener, int max, LongSupplier nanoTime) {
    this.opener = opener;
    this.max = max;
    this.nanoTime = nanoTime;
    this.lastEviction = nanoTime.getAsLong() - EVICTION_INTERVAL_NANOS;
  }

  boolean enabled() {
    return max > 0;
  }

  /**
   * Runs {@code work} with the working copy of key {@code id}, made now if there is none, or with
   * the token object when there can be no copy. A stale copy handle drops every copy and is
   * rethrown, so that the caller's retry makes a fresh one.
   */
  <T> T use(MaterialId id, TokenHandle tokenHandle, KeyWork<T> work) throws PKCS11Exception {
    if (!enabled()) {
      return work.run(tokenHandle.get());
    }
    if (copies.size() >= max
        && !copies.containsKey(id)
        && !refused.contains(id)
        && nanoTime.getAsLong() - lastEviction >= EVICTION_INTERVAL_NANOS) {
      evictLeastRecentlyUsed();
    }
    long seen;
    PKCS11Exception stale = null;
    boolean sessionLost = false;
    lock.readLock().lock();
    try {
      seen = epoch;
      Copy entry = copies.get(id);
      Long copy = null;
      if (entry != null) {
        entry.lastUsed = nanoTime.getAsLong();
        copy = entry.handle;
      } else if (!refused.contains(id) && copies.size() < max) {
        try {
          copy = make(id, tokenHandle.get());
        } catch (SessionLost e) {
          sessionLost = true;
        }
      }
      if (copy == null) {
        if (!sessionLost) {
          return work.run(tokenHandle.get());
        }
      } else {
        try {
          return work.run(copy);
        } catch (PKCS11Exception e) {
          long code = e.getErrorCode();
          if (code != CKR_KEY_HANDLE_INVALID && code != CKR_OBJECT_HANDLE_INVALID) {
            throw e;
          }
          stale = e;
        }
      }
    } finally {
      lock.readLock().unlock();
    }
    // The copies' session is gone (or one copy is): start again with a new session.
    dropAll(seen);
    if (stale != null) {
      throw stale;
    }
    return work.run(tokenHandle.get());
  }

  /** Signals that the copies' session died while making a copy. */
  private static final class SessionLost extends Exception {
    SessionLost() {
      super(null, null, false, false);
    }
  }

  /** Makes the copy of {@code id}, or returns null if the token refuses it. Under the read lock. */
  private Long make(MaterialId id, long tokenObject) throws SessionLost, PKCS11Exception {
    synchronized (copyLock) {
      Copy existing = copies.get(id);
      if (existing != null) {
        return existing.handle;
      }
      if (copies.size() >= max) {
        // Another thread made the last copy allowed since the caller looked: the token object.
        return null;
      }
      try {
        if (session == null) {
          session = opener.open();
        }
        // CKA_MODIFIABLE last: the token applies the template in order, and the attributes before
        // it can only be set while the new object is still modifiable.
        AttributeVector template =
            new AttributeVector().token(false).label(LABEL).modifiable(false);
        long copy = session.copyObject(tokenObject, template);
        AttributeVector a = session.getAttrValues(copy, CKA_TOKEN, CKA_SENSITIVE, CKA_EXTRACTABLE);
        if (!Boolean.FALSE.equals(a.token())
            || !Boolean.TRUE.equals(a.sensitive())
            || !Boolean.FALSE.equals(a.extractable())) {
          // Never expected; a copy that is not at least as protected as its original is not used.
          session.destroyObject(copy);
          refused.add(id);
          LOG.warn("working copy of key object {} is not protected as required; not used", id);
          return null;
        }
        copies.put(id, new Copy(copy, tokenObject, nanoTime.getAsLong()));
        return copy;
      } catch (PKCS11Exception e) {
        long code = e.getErrorCode();
        if (isLost(code)) {
          LOG.warn("working copies: session lost ({}); starting again", e.getErrorName());
          throw new SessionLost();
        }
        if (code == CKR_KEY_HANDLE_INVALID || code == CKR_OBJECT_HANDLE_INVALID) {
          throw e; // the token object's handle is stale: the caller looks it up again
        }
        refused.add(id);
        LOG.info(
            "key object {} cannot be copied to a session object ({}); the token object is used",
            id,
            e.getErrorName());
        return null;
      }
    }
  }

  /** The copies' session is unusable: dead, or the token logged out (its copies are gone). */
  private static boolean isLost(long code) {
    return SessionExecutor.isDeadSession(code) || code == CKR_USER_NOT_LOGGED_IN;
  }

  /** Drops every copy by closing their session, unless that already happened after {@code seen}. */
  void dropAll(long seen) {
    lock.writeLock().lock();
    try {
      if (epoch != seen) {
        return;
      }
      closeSession();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Destroys the tenth (at least one) of the copies used longest ago. Under the write lock, so no
   * request holds any of their handles.
   */
  private void evictLeastRecentlyUsed() {
    lock.writeLock().lock();
    try {
      if (copies.size() < max || nanoTime.getAsLong() - lastEviction < EVICTION_INTERVAL_NANOS) {
        return; // another thread made room meanwhile
      }
      lastEviction = nanoTime.getAsLong();
      List<Map.Entry<MaterialId, Copy>> byAge = new ArrayList<>(copies.entrySet());
      byAge.sort(Comparator.comparingLong(e -> e.getValue().lastUsed));
      int evict = Math.max(1, max / 10);
      synchronized (copyLock) {
        for (int i = 0; i < evict && i < byAge.size(); i++) {
          copies.remove(byAge.get(i).getKey());
          try {
            if (session != null) {
              session.destroyObject(byAge.get(i).getValue().handle);
            }
          } catch (PKCS11Exception e) {
            // The handle is forgotten either way; start afresh so that it cannot be reused.
            closeSession();
            return;
          }
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Destroys the copy of {@code id}, if any (its key object is being destroyed). */
  void destroy(MaterialId id) {
    lock.writeLock().lock();
    try {
      refused.remove(id);
      Copy copy = copies.remove(id);
      if (copy == null) {
        return;
      }
      synchronized (copyLock) {
        try {
          if (session != null) {
            session.destroyObject(copy.handle);
          }
        } catch (PKCS11Exception e) {
          // The handle is forgotten either way; start afresh so that it cannot be reused.
          closeSession();
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Whether the token object a copy was made from still exists (with its id). */
  @FunctionalInterface
  interface OriginalCheck {
    boolean exists(MaterialId id, long tokenObject);
  }

  /** Copies checked per call of {@link #dropOrphans}, so that a check stays cheap. */
  static final int ORPHAN_CHECKS_PER_ROUND = 200;

  /** Where the next round of {@link #dropOrphans} starts. */
  private int orphanCursor;

  /**
   * Destroys the copies whose token object is gone (destroyed outside this process, e.g. by an
   * operator): a copy must not outlive its key. Checks up to {@link #ORPHAN_CHECKS_PER_ROUND}
   * copies per call, in turn, so with N copies each is checked every N/200 calls at least. Run
   * periodically from one thread; returns how many went.
   */
  int dropOrphans(OriginalCheck check) {
    List<Map.Entry<MaterialId, Copy>> all = List.copyOf(copies.entrySet());
    if (all.isEmpty()) {
      return 0;
    }
    int dropped = 0;
    int n = Math.min(all.size(), ORPHAN_CHECKS_PER_ROUND);
    for (int i = 0; i < n; i++) {
      Map.Entry<MaterialId, Copy> e = all.get((orphanCursor + i) % all.size());
      if (!check.exists(e.getKey(), e.getValue().tokenObject)) {
        LOG.warn("key object {} is gone from the token; its working copy is destroyed", e.getKey());
        destroy(e.getKey());
        dropped++;
      }
    }
    orphanCursor = (orphanCursor + n) % Math.max(1, all.size());
    return dropped;
  }

  /** How many copies exist now. */
  int count() {
    return copies.size();
  }

  /** The handle of the copy of {@code id}, for attribute checks, or null. */
  Long handleOf(MaterialId id) {
    Copy c = copies.get(id);
    return c == null ? null : c.handle;
  }

  /** Under the write lock. */
  private void closeSession() {
    synchronized (copyLock) {
      if (session != null) {
        try {
          session.closeSession();
        } catch (PKCS11Exception e) {
          LOG.debug("closing the working copies' session: {}", e.getErrorName());
        }
        session = null;
      }
      copies.clear();
      epoch++;
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      closeSession();
      refused.clear();
    } finally {
      lock.writeLock().unlock();
    }
  }
}
