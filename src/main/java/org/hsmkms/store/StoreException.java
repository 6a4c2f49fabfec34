package org.hsmkms.store;

/** A failure of the metadata database (I/O, constraint, migration). Never carries key material. */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreException(String message) {
    super(message);
  }
}
