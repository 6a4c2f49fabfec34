package org.hsmkms.audit;

import java.util.function.Consumer;

/**
 * Where audit records go. {@link #write} either has written the record or throws {@link
 * AuditException}; the caller decides what a failure means ({@link #failClosed()}).
 */
public interface AuditTrail extends AutoCloseable {

  /** Writes one record; throws {@link AuditException} if it could not be written. */
  void write(AuditRecord record);

  /**
   * Writes one record and then tells {@code done}: with null once it is written, or with the
   * failure. By default at once, on the calling thread; a trail may return before the record is
   * written and tell {@code done} later, from the thread that writes it, so that the caller's
   * thread is free meanwhile. {@code done} must not block and must not write to the trail.
   */
  default void write(AuditRecord record, Consumer<AuditException> done) {
    try {
      write(record);
    } catch (AuditException e) {
      done.accept(e);
      return;
    }
    done.accept(null);
  }

  /**
   * Writes one event (a summary of refusals, ...); throws {@link AuditException} like {@link
   * #write(AuditRecord)}.
   */
  void write(AuditEvent event);

  /**
   * False if the trail is known to be unable to write (its last write failed and it cannot reopen
   * its file); callers that fail closed refuse requests before acting on them.
   */
  boolean available();

  /** True if a request whose record cannot be written must fail. */
  boolean failClosed();

  /** How many rotated files retention removed since the start (none unless it rotates). */
  default long filesRemoved() {
    return 0;
  }

  @Override
  void close();

  /** A trail that records nothing (audit switched off in the configuration). */
  static AuditTrail disabled() {
    return new AuditTrail() {
      @Override
      public void write(AuditRecord record) {}

      @Override
      public void write(AuditEvent event) {}

      @Override
      public boolean available() {
        return true;
      }

      @Override
      public boolean failClosed() {
        return false;
      }

      @Override
      public void close() {}
    };
  }
}
