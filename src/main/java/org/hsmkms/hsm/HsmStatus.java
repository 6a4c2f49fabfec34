package org.hsmkms.hsm;

/**
 * What monitoring may ask of the HSM: whether it can serve now (readiness), and the state of its
 * session pool and working copies (metrics). Numbers only; nothing here names a key.
 */
public interface HsmStatus {

  /**
   * Returns if the token is logged in and a session is obtainable within a short bound (shorter
   * than a request's); a token found logged out is logged in again first.
   *
   * @throws HsmException if not
   */
  void checkReady();

  /** Sessions borrowed now. */
  int sessionsInUse();

  /** The size of the session pool. */
  int sessionsMax();

  /** Borrows that found every session in use and waited, since the start. */
  long sessionWaits();

  /** Borrows that found no session within their bound, since the start. */
  long sessionTimeouts();

  /** Keys with a working copy (a session object) now. */
  int workingCopies();
}
