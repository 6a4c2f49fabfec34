package org.hsmkms.monitoring;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the service should be sent requests now: not while it starts or drains, and, while it
 * serves, only when every check passes (the HSM logged in with a session obtainable, the store
 * reachable, the audit trail writable, the credentials file usable). The first failing check is
 * named.
 *
 * <p>Security: a failure is named by its check alone ({@code hsm}, {@code store}, {@code audit});
 * its cause goes to the server log, once per change, never to the caller.
 */
public final class Readiness {
  private static final Logger LOG = LoggerFactory.getLogger(Readiness.class);

  /** Where the service is in its life. */
  public enum Phase {
    STARTING,
    SERVING,
    DRAINING
  }

  /** One check: returns if it passes, throws (any exception) if it does not. */
  @FunctionalInterface
  public interface Probe {
    void check() throws Exception;
  }

  /**
   * The answer: ready, or the name of what is not ({@code starting}, {@code draining}, or a check's
   * name).
   */
  public record Result(boolean ready, String failing) {
    static final Result READY = new Result(true, null);
  }

  private record Check(String name, Probe probe) {}

  private final List<Check> checks = new CopyOnWriteArrayList<>();
  private volatile Phase phase = Phase.STARTING;

  /** The name of the last failing check, to log a failure once rather than at every probe. */
  private volatile String lastFailing;

  /** Adds a check, run after those added before it. */
  public void add(String name, Probe probe) {
    checks.add(new Check(name, probe));
  }

  public Phase phase() {
    return phase;
  }

  /** The service has started and serves requests. */
  public void serving() {
    phase = Phase.SERVING;
  }

  /** The service is shutting down: not ready from now on. */
  public void draining() {
    phase = Phase.DRAINING;
  }

  /** Runs the checks (they may block: call it off the event loop). */
  public Result check() {
    Phase now = phase;
    if (now != Phase.SERVING) {
      return new Result(false, now.name().toLowerCase(java.util.Locale.ROOT));
    }
    for (Check c : checks) {
      try {
        c.probe().check();
      } catch (Exception e) {
        if (!c.name().equals(lastFailing)) {
          LOG.warn("not ready: the {} check fails: {}", c.name(), e.toString());
        }
        lastFailing = c.name();
        return new Result(false, c.name());
      }
    }
    if (lastFailing != null) {
      LOG.info("ready again (the {} check passes)", lastFailing);
      lastFailing = null;
    }
    return Result.READY;
  }
}
