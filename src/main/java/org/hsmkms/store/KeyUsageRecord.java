package org.hsmkms.store;

import java.time.Instant;
import java.util.Objects;

/**
 * The last successful cryptographic use of a key (GetKeyLastUsage): which operation of the model's
 * KeyLastUsageTrackingOperation list, when, and the id of the request.
 */
public record KeyUsageRecord(String keyId, String operation, Instant usedAt, String requestId) {
  public KeyUsageRecord {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(usedAt, "usedAt");
    Objects.requireNonNull(requestId, "requestId");
  }
}
