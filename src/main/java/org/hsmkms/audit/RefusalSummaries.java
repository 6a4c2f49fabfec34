package org.hsmkms.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Unauthenticated refusals, aggregated per source address over a short window: the first refusal of
 * an address in a window is recorded alone, as always; the others are only counted, and when the
 * window ends one {@link AuditEvent#REFUSAL_SUMMARY} per address says how many there were, of which
 * error codes, and when the first and last came. Requests of authenticated callers are never
 * aggregated (the caller decides: only requests without a verified caller come here).
 *
 * <p>Security: memory is bounded. At most {@code maxAddresses} addresses are tracked per window;
 * refusals from further addresses are counted together in one summary whose {@code sourceAddress}
 * is {@link #OTHER_ADDRESSES}, and are never recorded alone (an attacker with many addresses gets
 * one line per window, not one per address). The error codes of a summary are bounded by the few
 * codes of unauthenticated refusals.
 *
 * <p>Thread-safe: event loops admit, the audit pool drains.
 */
public final class RefusalSummaries {
  /** The {@code sourceAddress} of the summary of the addresses beyond the cap. */
  public static final String OTHER_ADDRESSES = "other addresses";

  private final long windowMillis;
  private final int maxAddresses;
  private long windowStart = Long.MIN_VALUE;
  private Map<String, Tally> tallies = new HashMap<>();
  private final List<AuditEvent> ended = new ArrayList<>();

  /** Refusals from one address in the current window. */
  private static final class Tally {
    long counted;
    Instant first;
    Instant last;
    final Map<String, Long> codes = new TreeMap<>();
  }

  /**
   * @param windowMillis the window; 0 aggregates nothing
   */
  public RefusalSummaries(long windowMillis, int maxAddresses) {
    this.windowMillis = windowMillis;
    this.maxAddresses = maxAddresses;
  }

  /** The window in milliseconds (0: off). */
  public long windowMillis() {
    return windowMillis;
  }

  /**
   * Whether this refusal is recorded alone (true: the first of its address in the window), or was
   * counted for the address's summary (false).
   */
  public synchronized boolean admit(String address, String errorCode, Instant time) {
    if (windowMillis <= 0) {
      return true;
    }
    roll(time.toEpochMilli());
    String key = address == null ? "unknown" : address;
    Tally t = tallies.get(key);
    if (t == null) {
      if (tallies.size() < maxAddresses) {
        tallies.put(key, new Tally());
        return true;
      }
      key = OTHER_ADDRESSES;
      t = tallies.computeIfAbsent(key, k -> new Tally());
    }
    t.counted++;
    t.first = t.first == null ? time : t.first;
    t.last = time;
    t.codes.merge(errorCode == null ? "null" : errorCode, 1L, Long::sum);
    return false;
  }

  /** The summaries of the windows that ended by {@code now}; each is returned once. */
  public synchronized List<AuditEvent> drain(Instant now) {
    if (windowMillis <= 0) {
      return List.of();
    }
    roll(now.toEpochMilli());
    List<AuditEvent> out = List.copyOf(ended);
    ended.clear();
    return out;
  }

  /** The summaries of every window, the current one included (on shutdown). */
  public synchronized List<AuditEvent> drainAll(Instant now) {
    close(now);
    return drain(now);
  }

  private void roll(long nowMillis) {
    if (windowStart != Long.MIN_VALUE && nowMillis < windowStart + windowMillis) {
      return;
    }
    close(Instant.ofEpochMilli(nowMillis));
    windowStart = nowMillis - Math.floorMod(nowMillis, windowMillis);
  }

  private void close(Instant now) {
    for (Map.Entry<String, Tally> e : tallies.entrySet()) {
      Tally t = e.getValue();
      if (t.counted == 0) {
        continue;
      }
      ended.add(
          AuditEvent.of(now, AuditEvent.REFUSAL_SUMMARY)
              .with("sourceAddress", e.getKey())
              .with("count", t.counted)
              .with("errorCodes", t.codes)
              .with("first", t.first)
              .with("last", t.last)
              .with("windowMillis", windowMillis));
    }
    tallies = new HashMap<>();
  }
}
