package org.hsmkms.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hsmkms.kms.CreateGrantRequest;
import org.hsmkms.kms.GrantConstraints;
import org.hsmkms.kms.GrantListEntry;
import org.hsmkms.kms.Grants;
import org.hsmkms.kms.Page;
import org.hsmkms.kms.RequestContext;

/**
 * Handlers for the grant operations: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant and
 * RevokeGrant. One small handler each, as in {@link KmsApi}.
 */
final class GrantApi {
  // ListGrants, ListRetirableGrants: "If you do not include a value, it defaults to 50."
  private static final int DEFAULT_LIMIT = 50;

  private final Grants grants;

  GrantApi(Grants grants) {
    this.grants = grants;
  }

  void registerInto(Map<String, KmsApi.Operation> operations) {
    operations.put("CreateGrant", this::createGrant);
    operations.put("ListGrants", this::listGrants);
    operations.put("ListRetirableGrants", this::listRetirableGrants);
    operations.put(
        "RetireGrant",
        (c, r) -> {
          grants.retireGrant(
              c,
              Json.text(r, "GrantToken"),
              Json.text(r, "KeyId"),
              Json.text(r, "GrantId"),
              Json.flag(r, "DryRun"));
          return Reply.empty();
        });
    operations.put(
        "RevokeGrant",
        (c, r) -> {
          grants.revokeGrant(
              c, Json.text(r, "KeyId"), Json.text(r, "GrantId"), Json.flag(r, "DryRun"));
          return Reply.empty();
        });
  }

  private Reply createGrant(RequestContext ctx, JsonNode r) {
    Grants.CreatedGrant created =
        grants.createGrant(
            ctx,
            new CreateGrantRequest(
                Json.text(r, "KeyId"),
                Json.text(r, "GranteePrincipal"),
                Json.text(r, "RetiringPrincipal"),
                Json.strings(r, "Operations"),
                constraints(r.get("Constraints")),
                Json.text(r, "Name"),
                Json.flag(r, "DryRun")));
    return new Reply(
        Json.object().put("GrantToken", created.grantToken()).put("GrantId", created.grantId()));
  }

  private Reply listGrants(RequestContext ctx, JsonNode r) {
    Integer limit = Json.integer(r, "Limit");
    Page<GrantListEntry> page =
        grants.listGrants(
            ctx,
            Json.text(r, "KeyId"),
            Json.text(r, "GrantId"),
            Json.text(r, "GranteePrincipal"),
            limit == null ? DEFAULT_LIMIT : limit,
            Json.text(r, "Marker"));
    return new Reply(entries(page));
  }

  private Reply listRetirableGrants(RequestContext ctx, JsonNode r) {
    Integer limit = Json.integer(r, "Limit");
    Page<GrantListEntry> page =
        grants.listRetirableGrants(
            ctx,
            Json.text(r, "RetiringPrincipal"),
            limit == null ? DEFAULT_LIMIT : limit,
            Json.text(r, "Marker"));
    return new Reply(entries(page));
  }

  private static GrantConstraints constraints(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    Map<String, String> equals = pairs(n.get("EncryptionContextEquals"));
    Map<String, String> subset = pairs(n.get("EncryptionContextSubset"));
    return equals == null && subset == null ? null : new GrantConstraints(equals, subset);
  }

  private static Map<String, String> pairs(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    Map<String, String> pairs = new LinkedHashMap<>();
    n.fields().forEachRemaining(e -> pairs.put(e.getKey(), e.getValue().asText()));
    return pairs;
  }

  private static ObjectNode entries(Page<GrantListEntry> page) {
    ArrayNode list = Json.array();
    for (GrantListEntry g : page.items()) {
      ObjectNode entry =
          list.addObject()
              .put("KeyId", g.keyArn())
              .put("GrantId", g.grantId())
              .put("CreationDate", Json.epochSeconds(g.creationDate()))
              .put("GranteePrincipal", g.granteePrincipal())
              .put("IssuingAccount", g.issuingAccount());
      if (g.name() != null) {
        entry.put("Name", g.name());
      }
      if (g.retiringPrincipal() != null) {
        entry.put("RetiringPrincipal", g.retiringPrincipal());
      }
      ArrayNode ops = entry.putArray("Operations");
      g.operations().forEach(ops::add);
      if (g.constraints() != null) {
        ObjectNode c = entry.putObject("Constraints");
        putPairs(c, "EncryptionContextEquals", g.constraints().encryptionContextEquals());
        putPairs(c, "EncryptionContextSubset", g.constraints().encryptionContextSubset());
      }
    }
    return KmsApi.paged(Json.object().set("Grants", list), page);
  }

  private static void putPairs(ObjectNode out, String field, Map<String, String> pairs) {
    if (pairs != null) {
      ObjectNode o = out.putObject(field);
      pairs.forEach(o::put);
    }
  }
}
