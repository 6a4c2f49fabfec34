package org.hsmkms.config;

import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * The {@code audit} section (see docs/audit.md): JSON lines in {@code file}, rotated when a file
 * reaches {@code maxFileBytes}; rotated files are kept up to {@code maxFiles} of them and, when
 * {@code maxAgeDays} is set, for at most that many days. With {@code failClosed} (the default) a
 * request whose record cannot be written fails.
 *
 * <p>Security: the trail is what an attacker floods to hide in, or to make the service fail closed.
 * Unauthenticated refusals from one address are recorded once per {@code refusalWindowMillis} and
 * counted in a summary for the rest (at most {@code refusalMaxAddresses} addresses per window, the
 * others together); at most {@code queueCapacity} records of refused requests wait to be written.
 *
 * @param maxAgeDays 0 (default): no limit by age
 * @param refusalWindowMillis default 1000; 0 records every refusal alone
 * @param refusalMaxAddresses default 1024
 * @param queueCapacity default 10000
 */
public record Audit(
    Boolean enabled,
    String file,
    Long maxFileBytes,
    Integer maxFiles,
    Boolean fsync,
    Boolean failClosed,
    Integer maxAgeDays,
    Long refusalWindowMillis,
    Integer refusalMaxAddresses,
    Integer queueCapacity) {
  @JsonCreator
  public Audit {
    enabled = enabled == null || enabled;
    maxFileBytes = maxFileBytes == null ? 100L * 1024 * 1024 : maxFileBytes;
    maxFiles = maxFiles == null ? 10 : maxFiles;
    fsync = fsync != null && fsync;
    failClosed = failClosed == null || failClosed;
    maxAgeDays = maxAgeDays == null ? 0 : maxAgeDays;
    refusalWindowMillis = refusalWindowMillis == null ? 1000L : refusalWindowMillis;
    refusalMaxAddresses = refusalMaxAddresses == null ? 1024 : refusalMaxAddresses;
    queueCapacity = queueCapacity == null ? 10_000 : queueCapacity;
    if (enabled && file == null) {
      throw new IllegalArgumentException("audit.file is required (or audit.enabled: false)");
    }
    if (maxAgeDays < 0) {
      throw new IllegalArgumentException("audit.maxAgeDays must not be negative");
    }
    if (refusalWindowMillis < 0 || refusalWindowMillis > 60_000) {
      throw new IllegalArgumentException("audit.refusalWindowMillis must be 0..60000");
    }
    if (refusalMaxAddresses < 1 || refusalMaxAddresses > 1_000_000) {
      throw new IllegalArgumentException("audit.refusalMaxAddresses must be 1..1000000");
    }
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("audit.queueCapacity must be at least 1");
    }
  }

  /** These settings with every record forced to disk before its request is answered, or not. */
  public Audit withFsync(boolean on) {
    return new Audit(
        enabled,
        file,
        maxFileBytes,
        maxFiles,
        on,
        failClosed,
        maxAgeDays,
        refusalWindowMillis,
        refusalMaxAddresses,
        queueCapacity);
  }

  /** The settings before retention by age, aggregation and the queue bound existed. */
  public Audit(
      Boolean enabled,
      String file,
      Long maxFileBytes,
      Integer maxFiles,
      Boolean fsync,
      Boolean failClosed) {
    this(enabled, file, maxFileBytes, maxFiles, fsync, failClosed, null, null, null, null);
  }

  /** An enabled trail in {@code file} with the defaults. */
  public static Audit toFile(String file) {
    return new Audit(true, file, null, null, null, null);
  }
}
