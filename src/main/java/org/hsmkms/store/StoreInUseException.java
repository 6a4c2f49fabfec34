package org.hsmkms.store;

/** Another process uses an embedded store that serves one process only (see EmbeddedStoreLock). */
public final class StoreInUseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreInUseException(String message) {
    super(message);
  }
}
