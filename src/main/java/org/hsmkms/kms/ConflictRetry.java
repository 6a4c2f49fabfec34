package org.hsmkms.kms;

import java.util.function.Supplier;
import org.hsmkms.store.StoreConflictException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a read-check-write of a key row again when its compare-and-set lost to another writer
 * (another request, possibly on another node sharing the database). Each attempt reads the row
 * afresh (the losing write emptied this node's caches), checks the operation's rules against what
 * it finds and writes again; so the loser answers what AWS would answer for the state it finds:
 * CancelKeyDeletion that lost to a concurrent cancel finds the key Disabled and is refused as AWS
 * refuses it, a DisableKey that lost to ScheduleKeyDeletion finds the key PendingDeletion.
 *
 * <p>The work must be safe to repeat up to its store write: nothing before the write may have
 * changed anything outside the store.
 */
final class ConflictRetry {
  /** Attempts before giving up: each loss means another writer won, so this is seldom reached. */
  static final int ATTEMPTS = 5;

  private static final Logger LOG = LoggerFactory.getLogger(ConflictRetry.class);

  private ConflictRetry() {}

  /**
   * Runs {@code readCheckWrite} until its write is not refused by a newer row version, at most
   * {@link #ATTEMPTS} times.
   *
   * @throws KmsException KMSInternalException if every attempt lost
   */
  static <T> T retry(Supplier<T> readCheckWrite) {
    for (int attempt = 1; ; attempt++) {
      try {
        return readCheckWrite.get();
      } catch (StoreConflictException e) {
        if (attempt >= ATTEMPTS) {
          throw Errors.internal(e);
        }
        // The message names the operation and key id only.
        LOG.debug("{}; reading the key again (attempt {})", e.getMessage(), attempt + 1);
      }
    }
  }

  /** As {@link #retry(Supplier)}, for work without a result. */
  static void retry(Runnable readCheckWrite) {
    retry(
        () -> {
          readCheckWrite.run();
          return null;
        });
  }
}
