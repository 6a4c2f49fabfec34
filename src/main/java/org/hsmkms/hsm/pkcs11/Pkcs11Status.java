package org.hsmkms.hsm.pkcs11;

import org.hsmkms.hsm.HsmStatus;

/** {@link HsmStatus} over the session pool and the working copies. */
final class Pkcs11Status implements HsmStatus {
  /**
   * How long the readiness probe waits for a session: long enough that a busy but healthy pool,
   * whose sessions come back within milliseconds, is not taken for a down one; short enough for a
   * probe with a 2 s timeout. A pool that frees no session within this long makes requests wait
   * too.
   */
  static final long PROBE_WAIT_MILLIS = 1000;

  private final SessionExecutor executor;
  private final WorkingCopies copies;

  Pkcs11Status(SessionExecutor executor, WorkingCopies copies) {
    this.executor = executor;
    this.copies = copies;
  }

  @Override
  public void checkReady() {
    executor.probe(PROBE_WAIT_MILLIS);
  }

  @Override
  public int sessionsInUse() {
    return executor.pool().inUse();
  }

  @Override
  public int sessionsMax() {
    return executor.pool().max();
  }

  @Override
  public long sessionWaits() {
    return executor.pool().waits();
  }

  @Override
  public long sessionTimeouts() {
    return executor.pool().timeouts();
  }

  @Override
  public int workingCopies() {
    return copies.count();
  }
}
