package org.hsmkms;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a start has opened so far, closed in reverse order: by {@link Application#close()}, or by
 * the start itself when a later step fails. A part that fails to close does not keep the parts
 * opened before it open.
 */
final class OpenParts {
  private static final Logger LOG = LoggerFactory.getLogger(OpenParts.class);

  /** How one part is closed; may wait until it has stopped. */
  @FunctionalInterface
  interface Closing {
    void close() throws Exception;
  }

  private record Part(String name, Closing closing) {}

  private final Deque<Part> parts = new ArrayDeque<>();

  /** Notes that {@code name} is open and is closed by {@code closing}. */
  synchronized void add(String name, Closing closing) {
    parts.push(new Part(name, closing));
  }

  /** The names of the parts open now, the last opened first. */
  synchronized List<String> names() {
    return parts.stream().map(Part::name).toList();
  }

  /**
   * Closes every open part, the last opened first, and forgets it: a second call closes nothing.
   * Each failure is logged; the failures are returned, e.g. to be added to a failed start's
   * exception.
   */
  synchronized List<Exception> closeAll() {
    List<Exception> failures = new ArrayList<>();
    Part part;
    while ((part = parts.poll()) != null) {
      try {
        part.closing().close();
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          // Keep closing the rest, which matters more than waiting; the caller sees the flag.
          Thread.currentThread().interrupt();
        }
        LOG.warn("closing {} failed", part.name(), e);
        failures.add(e);
      }
    }
    return failures;
  }
}
