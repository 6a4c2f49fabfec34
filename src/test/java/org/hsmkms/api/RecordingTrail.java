package org.hsmkms.api;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hsmkms.audit.AuditEvent;
import org.hsmkms.audit.AuditException;
import org.hsmkms.audit.AuditRecord;
import org.hsmkms.audit.AuditTrail;

/**
 * An audit trail in memory that notes which thread wrote each record; it can be told to fail its
 * writes or to report itself unavailable (faults the file trail meets on a full disk).
 */
final class RecordingTrail implements AuditTrail {
  /** A record and the thread that wrote it. */
  record Written(AuditRecord record, String thread) {}

  final List<Written> written = new CopyOnWriteArrayList<>();
  volatile boolean failClosed = true;
  volatile boolean available = true;
  volatile boolean failWrites;

  /** While set, each write waits for it: a slow disk (a fault injected through the interface). */
  volatile java.util.concurrent.CountDownLatch slow;

  @Override
  public void write(AuditRecord record) {
    java.util.concurrent.CountDownLatch wait = slow;
    if (wait != null) {
      try {
        wait.await(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (failWrites) {
      throw new AuditException("injected write failure", null);
    }
    written.add(new Written(record, Thread.currentThread().getName()));
  }

  /** Events (summaries of refusals) written. */
  final List<AuditEvent> events = new CopyOnWriteArrayList<>();

  @Override
  public void write(AuditEvent event) {
    if (failWrites) {
      throw new AuditException("injected write failure", null);
    }
    events.add(event);
  }

  @Override
  public boolean available() {
    return available;
  }

  @Override
  public boolean failClosed() {
    return failClosed;
  }

  @Override
  public void close() {}

  /** The only record written; fails if there is not exactly one. */
  Written only() {
    if (written.size() != 1) {
      throw new AssertionError("expected one audit record, got " + written);
    }
    return written.get(0);
  }
}
