package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_USER_ALREADY_LOGGED_IN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKU_USER;

import java.util.Arrays;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.HsmException.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11Module;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.Slot;
import org.xipki.pkcs11.wrapper.Token;

/**
 * The token the service uses, found by label (slot ids change), and its user login. Login state is
 * per application, so one login serves every session; it is repeated when the token reports that it
 * logged out.
 *
 * <p>Security: the PIN is held only to log in again, never logged, and zeroed on {@link #close()}.
 */
final class LoggedInToken implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LoggedInToken.class);

  private final Token token;
  private final char[] pin;
  private final Object loginLock = new Object();
  private final CallLatency latency;

  private LoggedInToken(Token token, char[] pin, CallLatency latency) {
    this.token = token;
    this.pin = pin.clone();
    this.latency = latency;
  }

  /** The token labelled {@code label} in {@code module}; the PIN is copied. */
  static LoggedInToken find(PKCS11Module module, String label, char[] pin) {
    return find(module, label, pin, CallLatency.NONE);
  }

  /** Like {@link #find(PKCS11Module, String, char[])}, its sessions under a latency model. */
  static LoggedInToken find(PKCS11Module module, String label, char[] pin, CallLatency latency) {
    try {
      for (Slot slot : module.getSlotList(true)) {
        Token token = slot.getToken();
        if (label.equals(token.getTokenInfo().getLabel().trim())) {
          return new LoggedInToken(token, pin, latency);
        }
      }
    } catch (PKCS11Exception e) {
      throw SessionExecutor.fail(Kind.UNAVAILABLE, "C_GetSlotList", e);
    }
    throw new HsmException(Kind.UNAVAILABLE, "no token labelled '" + label + "'");
  }

  /** The wrapper's token, for the session pool. */
  Token token() {
    return token;
  }

  /** The latency model every session of this token is opened under ({@link CallLatency#NONE}). */
  CallLatency latency() {
    return latency;
  }

  /** Logs the user in on {@code s}; being logged in already is fine. */
  void login(Session s) throws PKCS11Exception {
    synchronized (loginLock) {
      try {
        s.login(CKU_USER, pin);
      } catch (PKCS11Exception e) {
        if (e.getErrorCode() != CKR_USER_ALREADY_LOGGED_IN) {
          throw e;
        }
      }
    }
  }

  /** A new read-write session, logged in; closed again if login fails. */
  Session openLoggedIn() throws PKCS11Exception {
    Session s = latency.openSession(token, true);
    try {
      login(s);
    } catch (PKCS11Exception e) {
      closeQuietly(s);
      throw e;
    }
    return s;
  }

  static void closeQuietly(Session s) {
    try {
      s.closeSession();
    } catch (PKCS11Exception e) {
      LOG.debug("closing a session failed: {}", e.getErrorName());
    }
  }

  @Override
  public void close() {
    Arrays.fill(pin, '\0');
  }

  @Override
  public String toString() {
    return "LoggedInToken[pin=[REDACTED]]";
  }
}
