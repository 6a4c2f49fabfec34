package org.hsmkms.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.hsmkms.kms.KeyRotations;
import org.hsmkms.kms.Page;
import org.hsmkms.kms.RequestContext;

/**
 * Handlers for the rotation operations: EnableKeyRotation, DisableKeyRotation,
 * GetKeyRotationStatus, RotateKeyOnDemand and ListKeyRotations. One small handler each, as in
 * {@link KmsApi}.
 */
final class RotationApi {
  /** ListKeyRotations: "If you do not include a value, it defaults to 100." */
  private static final int DEFAULT_LIMIT = 100;

  private final KeyRotations rotations;

  RotationApi(KeyRotations rotations) {
    this.rotations = rotations;
  }

  void registerInto(Map<String, KmsApi.Operation> operations) {
    operations.put(
        "EnableKeyRotation",
        (c, r) -> {
          rotations.enableKeyRotation(
              c, Json.text(r, "KeyId"), Json.integer(r, "RotationPeriodInDays"));
          return Reply.empty();
        });
    operations.put(
        "DisableKeyRotation",
        (c, r) -> {
          rotations.disableKeyRotation(c, Json.text(r, "KeyId"));
          return Reply.empty();
        });
    operations.put("GetKeyRotationStatus", this::status);
    operations.put(
        "RotateKeyOnDemand",
        (c, r) ->
            new Reply(
                Json.object().put("KeyId", rotations.rotateKeyOnDemand(c, Json.text(r, "KeyId")))));
    operations.put("ListKeyRotations", this::list);
  }

  private Reply status(RequestContext ctx, JsonNode r) {
    KeyRotations.Status s = rotations.status(ctx, Json.text(r, "KeyId"));
    ObjectNode out = Json.object().put("KeyRotationEnabled", s.enabled()).put("KeyId", s.keyArn());
    if (s.periodDays() != null) {
      out.put("RotationPeriodInDays", s.periodDays());
    }
    if (s.nextRotationDate() != null) {
      out.put("NextRotationDate", Json.epochSeconds(s.nextRotationDate()));
    }
    if (s.onDemandRotationStartDate() != null) {
      out.put("OnDemandRotationStartDate", Json.epochSeconds(s.onDemandRotationStartDate()));
    }
    return new Reply(out);
  }

  private Reply list(RequestContext ctx, JsonNode r) {
    Integer limit = Json.integer(r, "Limit");
    Page<KeyRotations.Entry> page =
        rotations.listKeyRotations(
            ctx,
            Json.text(r, "KeyId"),
            Json.text(r, "IncludeKeyMaterial"),
            limit == null ? DEFAULT_LIMIT : limit,
            Json.text(r, "Marker"));
    ArrayNode list = Json.array();
    for (KeyRotations.Entry e : page.items()) {
      ObjectNode entry =
          list.addObject()
              .put("KeyId", e.keyArn())
              .put("KeyMaterialId", e.keyMaterialId())
              .put("KeyMaterialState", e.keyMaterialState());
      if (e.rotationDate() != null) {
        entry.put("RotationDate", Json.epochSeconds(e.rotationDate()));
      }
      if (e.rotationType() != null) {
        entry.put("RotationType", e.rotationType());
      }
    }
    return new Reply(KmsApi.paged(Json.object().set("Rotations", list), page));
  }
}
