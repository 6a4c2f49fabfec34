package org.hsmkms.kms;

import java.time.Instant;
import org.hsmkms.authz.KmsActions.Resource;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.KeyUsageRecord;

/**
 * GetKeyLastUsage: the last successful cryptographic use of a key, with the date tracking began for
 * it and its creation date.
 *
 * <p>AWS: "If the KeyLastUsage response element is empty and KeyCreationDate is on or after
 * TrackingStartDate, the key has not been used for a successful cryptographic operation since it
 * was created." TrackingStartDate is therefore the key's creation date for a key made after
 * tracking began, and the start of tracking (the first start of a service with schema version 6)
 * for a key made before.
 *
 * <p>Security: kms:GetKeyLastUsage on the key (key policy), never across accounts (AWS:
 * "Cross-account use: No"); the answer holds no key material.
 */
public final class KeyLastUsage {
  private final Keys keys;
  private final KeyUsageTracker tracker;

  /** The answer; {@code lastUsage} is null when the key has not been used since tracking began. */
  public record Answer(
      String keyId, Use lastUsage, Instant trackingStartDate, Instant keyCreationDate) {}

  /** KeyLastUsageData: the operation, when, and the request's id. */
  public record Use(String operation, Instant timestamp, String kmsRequestId) {
    static Use of(KeyUsageRecord r) {
      return new Use(r.operation(), r.usedAt(), r.requestId());
    }
  }

  public KeyLastUsage(Keys keys, KeyUsageTracker tracker) {
    this.keys = keys;
    this.tracker = tracker;
  }

  public Answer getKeyLastUsage(RequestContext ctx, String keyId) {
    // GetKeyLastUsage KeyId: "use its key ID or key ARN. Alias names are not supported."
    KeyRecord key = keys.resolveKeyOnly(ctx, keyId, Resource.KEY);
    keys.checkState(key, "GetKeyLastUsage");
    Instant start = tracker.trackingStart();
    Instant created = key.creationDate();
    Instant trackingStartDate = created.isBefore(start) ? start : created;
    return new Answer(
        key.publicId(),
        tracker.lastUsage(key.keyId()).map(Use::of).orElse(null),
        trackingStartDate,
        created);
  }
}
