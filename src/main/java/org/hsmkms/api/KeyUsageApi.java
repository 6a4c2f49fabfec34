package org.hsmkms.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.hsmkms.kms.KeyLastUsage;
import org.hsmkms.kms.KeyUsageTracker;
import org.hsmkms.kms.RequestContext;

/**
 * GetKeyLastUsage, and the hook that notes each successful operation's keys for it. One small
 * handler, as in {@link KmsApi}.
 */
final class KeyUsageApi {
  private final KeyLastUsage lastUsage;
  private final KeyUsageTracker tracker;

  KeyUsageApi(KeyLastUsage lastUsage, KeyUsageTracker tracker) {
    this.lastUsage = lastUsage;
    this.tracker = tracker;
  }

  void registerInto(Map<String, KmsApi.Operation> operations) {
    operations.put("GetKeyLastUsage", this::getKeyLastUsage);
  }

  /** After an operation succeeded (on the worker, before its answer is sent). */
  void succeeded(String operation, RequestContext ctx) {
    if (tracker != null) {
      tracker.succeeded(operation, ctx);
    }
  }

  private Reply getKeyLastUsage(RequestContext ctx, JsonNode r) {
    KeyLastUsage.Answer a = lastUsage.getKeyLastUsage(ctx, Json.text(r, "KeyId"));
    ObjectNode out = Json.object().put("KeyId", a.keyId());
    KeyLastUsage.Use u = a.lastUsage();
    if (u != null) {
      // KeyLastUsageData: CloudTrailEventId has no counterpart here and is left out.
      out.putObject("KeyLastUsage")
          .put("Operation", u.operation())
          .put("Timestamp", Json.epochSeconds(u.timestamp()))
          .put("KmsRequestId", u.kmsRequestId());
    }
    out.put("TrackingStartDate", Json.epochSeconds(a.trackingStartDate()));
    out.put("KeyCreationDate", Json.epochSeconds(a.keyCreationDate()));
    return new Reply(out);
  }
}
