package org.hsmkms.store;

/**
 * A compare-and-set write found the row changed since it was read: another request, possibly on
 * another node sharing the database, wrote it first. Nothing was written; the caller re-reads the
 * row, checks its rules again against what it finds, and writes again or answers as that state
 * requires.
 */
public class StoreConflictException extends StoreException {
  private static final long serialVersionUID = 1L;

  public StoreConflictException(String message) {
    super(message);
  }
}
