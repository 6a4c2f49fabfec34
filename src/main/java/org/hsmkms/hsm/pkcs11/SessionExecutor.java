package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_DEVICE_ERROR;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_DEVICE_REMOVED;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_KEY_HANDLE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_OBJECT_HANDLE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_SESSION_CLOSED;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_SESSION_HANDLE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_TOKEN_NOT_PRESENT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_USER_NOT_LOGGED_IN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKS_RW_USER_FUNCTIONS;

import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.HsmException.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.Session;

/**
 * Runs one unit of work on a pooled session: borrow, run, recover by {@code CKR_*} code, give back.
 *
 * <p>Recovery, each kind at most once per call: a dead session ({@code SESSION_HANDLE_INVALID},
 * {@code SESSION_CLOSED}, {@code DEVICE_*}, {@code TOKEN_NOT_PRESENT}) is discarded with the other
 * idle ones and the work retried on a fresh session; {@code USER_NOT_LOGGED_IN} logs in again; a
 * stale object handle empties the handle cache so the work looks the object up again. Every other
 * failure is reported as an {@link HsmException} that carries the code.
 */
final class SessionExecutor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SessionExecutor.class);

  /** One unit of work on a borrowed session. */
  @FunctionalInterface
  interface SessionWork<T> {
    T run(Session s) throws PKCS11Exception;
  }

  private final LoggedInToken token;
  private final SessionPool pool;
  private final KeyHandles handles;

  SessionExecutor(LoggedInToken token, SessionPool pool, KeyHandles handles) {
    this.token = token;
    this.pool = pool;
    this.handles = handles;
  }

  <T> T call(String what, SessionWork<T> work) {
    boolean reopened = false;
    boolean reloggedIn = false;
    boolean refound = false;
    while (true) {
      Session s = pool.borrow();
      boolean dead = false;
      try {
        if (reopened && !reloggedIn) {
          // Losing every session logs the token out; private objects are invisible until login.
          reloggedIn = true;
          token.login(s);
        }
        return work.run(s);
      } catch (PKCS11Exception e) {
        long code = e.getErrorCode();
        if (isDeadSession(code) && !reopened) {
          reopened = true;
          dead = true;
          LOG.warn("{}: {}; reopening sessions", what, e.getErrorName());
        } else if (code == CKR_USER_NOT_LOGGED_IN && !reloggedIn) {
          reloggedIn = true;
          LOG.warn("{}: token not logged in; logging in again", what);
          try {
            token.login(s);
          } catch (PKCS11Exception le) {
            throw fail(Kind.UNAVAILABLE, "C_Login", le);
          }
        } else if ((code == CKR_OBJECT_HANDLE_INVALID || code == CKR_KEY_HANDLE_INVALID)
            && !refound) {
          refound = true;
          handles.clear();
        } else {
          dead = isDeadSession(code);
          throw fail(dead ? Kind.UNAVAILABLE : Kind.INTERNAL, what, e);
        }
      } finally {
        if (dead) {
          pool.discard(s);
          pool.discardIdle();
        } else {
          pool.giveBack(s);
        }
      }
    }
  }

  /**
   * Readiness: a session is obtainable within {@code waitMillis} and the token is logged in on it
   * ({@code C_GetSessionInfo}); a token found logged out is logged in again, as a request would do.
   *
   * @throws HsmException (UNAVAILABLE) naming what failed
   */
  void probe(long waitMillis) {
    Session s = pool.borrow(waitMillis);
    boolean dead = false;
    try {
      if (s.getSessionInfo().getState() != CKS_RW_USER_FUNCTIONS) {
        LOG.warn("readiness probe: token not logged in; logging in again");
        token.login(s);
        if (s.getSessionInfo().getState() != CKS_RW_USER_FUNCTIONS) {
          throw new HsmException(Kind.UNAVAILABLE, "token not logged in");
        }
      }
    } catch (PKCS11Exception e) {
      dead = isDeadSession(e.getErrorCode());
      throw fail(Kind.UNAVAILABLE, "C_GetSessionInfo", e);
    } finally {
      if (dead) {
        pool.discard(s);
        pool.discardIdle();
      } else {
        pool.giveBack(s);
      }
    }
  }

  SessionPool pool() {
    return pool;
  }

  /** Codes after which a session (and usually every other) is unusable. */
  static boolean isDeadSession(long code) {
    return code == CKR_SESSION_HANDLE_INVALID
        || code == CKR_SESSION_CLOSED
        || code == CKR_DEVICE_ERROR
        || code == CKR_DEVICE_REMOVED
        || code == CKR_TOKEN_NOT_PRESENT;
  }

  /** An {@link HsmException} naming the call and the code, never an attribute value. */
  static HsmException fail(Kind kind, String what, PKCS11Exception e) {
    return new HsmException(kind, what + " failed: " + e.getErrorName(), e.getErrorCode(), e);
  }

  /**
   * Closes the pool, waiting for sessions still in use: the module is finalized after this, and
   * finalizing SoftHSM2 under a call still running in it crashes the process.
   */
  @Override
  public void close() {
    pool.close();
  }
}
