package org.hsmkms.hsm.pkcs11;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_ID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_KEY_HANDLE_INVALID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKR_OBJECT_HANDLE_INVALID;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.hsmkms.hsm.MaterialId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xipki.pkcs11.wrapper.PKCS11Exception;

/**
 * Destroys, once a second, the working copies whose token object was destroyed outside this service
 * (e.g. by an operator): a copy must not outlive its key. Each round checks up to {@link
 * WorkingCopies#ORPHAN_CHECKS_PER_ROUND} copies in turn, on its own thread.
 */
final class WorkingCopyCheck implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkingCopyCheck.class);

  /** How often working copies are checked against their token objects. */
  static final long INTERVAL_MILLIS = 1000;

  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "hsm-kms-working-copy-check");
            t.setDaemon(true);
            return t;
          });
  private final WorkingCopies copies;
  private final SessionExecutor executor;
  private final KeyHandles handles;

  WorkingCopyCheck(WorkingCopies copies, SessionExecutor executor, KeyHandles handles) {
    this.copies = copies;
    this.executor = executor;
    this.handles = handles;
  }

  /** Starts the periodic check (if copies are enabled at all). */
  void start() {
    if (copies.enabled()) {
      scheduler.scheduleWithFixedDelay(
          this::run, INTERVAL_MILLIS, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private void run() {
    try {
      copies.dropOrphans(this::originalExists);
    } catch (RuntimeException e) {
      LOG.debug("working copy check: {}", e.toString());
    }
  }

  /** Whether the handle of the copy's original still names an object with the copy's id. */
  private boolean originalExists(MaterialId id, long tokenObject) {
    return executor.call(
        "C_GetAttributeValue(working copy original)",
        s -> {
          boolean same;
          try {
            same = id.matches(s.getAttrValues(tokenObject, CKA_ID).id());
          } catch (PKCS11Exception e) {
            long code = e.getErrorCode();
            if (code != CKR_OBJECT_HANDLE_INVALID && code != CKR_KEY_HANDLE_INVALID) {
              throw e;
            }
            same = false;
          }
          if (!same) {
            // The cached handle names nothing, or another object: look it up on its next use.
            handles.forget(id);
          }
          return same;
        });
  }

  /** Stops the check and waits for a round under way: it uses the copies' session. */
  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
