package org.hsmkms.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.hsmkms.kms.AliasListEntry;
import org.hsmkms.kms.Aliases;
import org.hsmkms.kms.CreateKeyRequest;
import org.hsmkms.kms.CryptoOperations;
import org.hsmkms.kms.Grants;
import org.hsmkms.kms.KeyLastUsage;
import org.hsmkms.kms.KeyListEntry;
import org.hsmkms.kms.KeyManagement;
import org.hsmkms.kms.KeyMaterialImport;
import org.hsmkms.kms.KeyMetadata;
import org.hsmkms.kms.KeyPairServices;
import org.hsmkms.kms.KeyPolicies;
import org.hsmkms.kms.KeyRotations;
import org.hsmkms.kms.KeyUsageTracker;
import org.hsmkms.kms.Page;
import org.hsmkms.kms.RequestContext;
import org.hsmkms.kms.Tag;

/**
 * One small handler per KMS operation: read the validated request, call the service, write the
 * answer. Runs on the worker pool. Built by the composition root and handed to {@link
 * KmsHttpServer}, whose pipeline dispatches to it.
 */
public final class KmsApi {
  /** An operation handler. */
  @FunctionalInterface
  interface Operation {
    Reply handle(RequestContext ctx, JsonNode request);
  }

  private final KeyManagement keys;
  private final KeyPolicies policies;
  private final Aliases aliases;
  private final Map<String, Operation> operations = new HashMap<>();
  private final KeyUsageApi usage;

  /** Without GetKeyLastUsage's services (tests that only list the operations). */
  public KmsApi(
      KeyManagement keys,
      KeyPolicies policies,
      Aliases aliases,
      CryptoOperations crypto,
      KeyPairServices keyPairs,
      Grants grants,
      KeyRotations rotations) {
    this(keys, policies, aliases, crypto, keyPairs, grants, rotations, null, null, null);
  }

  public KmsApi(
      KeyManagement keys,
      KeyPolicies policies,
      Aliases aliases,
      CryptoOperations crypto,
      KeyPairServices keyPairs,
      Grants grants,
      KeyRotations rotations,
      KeyLastUsage lastUsage,
      KeyUsageTracker usageTracker,
      KeyMaterialImport imports) {
    this.keys = keys;
    this.policies = policies;
    this.aliases = aliases;
    operations.put("CreateKey", this::createKey);
    operations.put("DescribeKey", this::describeKey);
    operations.put("ListKeys", this::listKeys);
    operations.put(
        "EnableKey",
        (c, r) -> {
          keys.enableKey(c, Json.text(r, "KeyId"));
          return Reply.empty();
        });
    operations.put(
        "DisableKey",
        (c, r) -> {
          keys.disableKey(c, Json.text(r, "KeyId"));
          return Reply.empty();
        });
    operations.put("ScheduleKeyDeletion", this::scheduleKeyDeletion);
    operations.put(
        "CancelKeyDeletion",
        (c, r) -> {
          ObjectNode out =
              Json.object().put("KeyId", keys.cancelKeyDeletion(c, Json.text(r, "KeyId")));
          return new Reply(out);
        });
    operations.put(
        "UpdateKeyDescription",
        (c, r) -> {
          keys.updateKeyDescription(c, Json.text(r, "KeyId"), Json.text(r, "Description"));
          return Reply.empty();
        });
    operations.put(
        "CreateAlias",
        (c, r) -> {
          aliases.createAlias(c, Json.text(r, "AliasName"), Json.text(r, "TargetKeyId"));
          return Reply.empty();
        });
    operations.put(
        "UpdateAlias",
        (c, r) -> {
          aliases.updateAlias(c, Json.text(r, "AliasName"), Json.text(r, "TargetKeyId"));
          return Reply.empty();
        });
    operations.put(
        "DeleteAlias",
        (c, r) -> {
          aliases.deleteAlias(c, Json.text(r, "AliasName"));
          return Reply.empty();
        });
    operations.put("ListAliases", this::listAliases);
    operations.put(
        "TagResource",
        (c, r) -> {
          keys.tagResource(c, Json.text(r, "KeyId"), Json.tags(r, "Tags"));
          return Reply.empty();
        });
    operations.put(
        "UntagResource",
        (c, r) -> {
          keys.untagResource(c, Json.text(r, "KeyId"), Json.strings(r, "TagKeys"));
          return Reply.empty();
        });
    operations.put("ListResourceTags", this::listResourceTags);
    operations.put("GetKeyPolicy", this::getKeyPolicy);
    operations.put("ListKeyPolicies", this::listKeyPolicies);
    operations.put(
        "PutKeyPolicy",
        (c, r) -> {
          policies.putKeyPolicy(
              c,
              Json.text(r, "KeyId"),
              Json.text(r, "PolicyName"),
              Json.text(r, "Policy"),
              Json.flag(r, "BypassPolicyLockoutSafetyCheck"));
          return Reply.empty();
        });
    new CryptoApi(crypto).registerInto(operations);
    new KeyPairApi(keyPairs).registerInto(operations);
    new GrantApi(grants).registerInto(operations);
    new RotationApi(rotations).registerInto(operations);
    new MultiRegionApi(keys).registerInto(operations);
    new ImportApi(imports).registerInto(operations);
    this.usage = new KeyUsageApi(lastUsage, usageTracker);
    usage.registerInto(operations);
  }

  /**
   * After an operation succeeded, on its worker: notes the keys it used for GetKeyLastUsage (a map
   * put, no I/O). Nothing without a tracker.
   */
  void succeeded(String operation, RequestContext ctx) {
    usage.succeeded(operation, ctx);
  }

  /** The handler of an operation, or null if this service does not implement it. */
  Operation operation(String name) {
    return operations.get(name);
  }

  /** The names of the operations this service implements (each has a handler). */
  Set<String> operationNames() {
    return Set.copyOf(operations.keySet());
  }

  private Reply createKey(RequestContext ctx, JsonNode r) {
    CreateKeyRequest req =
        new CreateKeyRequest(
            Json.text(r, "KeySpec"),
            Json.text(r, "CustomerMasterKeySpec"),
            Json.text(r, "KeyUsage"),
            Json.text(r, "Origin"),
            Json.text(r, "Description"),
            Json.text(r, "Policy"),
            Json.tags(r, "Tags"),
            r.has("MultiRegion") ? Json.flag(r, "MultiRegion") : null,
            Json.text(r, "CustomKeyStoreId"),
            Json.flag(r, "BypassPolicyLockoutSafetyCheck"),
            Json.text(r, "XksKeyId"));
    return new Reply(Json.object().set("KeyMetadata", metadata(keys.createKey(ctx, req))));
  }

  private Reply describeKey(RequestContext ctx, JsonNode r) {
    KeyMetadata md = keys.describeKey(ctx, Json.text(r, "KeyId"));
    return new Reply(Json.object().set("KeyMetadata", metadata(md)));
  }

  private Reply listKeys(RequestContext ctx, JsonNode r) {
    Integer limit = Json.integer(r, "Limit");
    Page<KeyListEntry> page =
        keys.listKeys(ctx, limit == null ? 100 : limit, Json.text(r, "Marker"));
    ArrayNode list = Json.array();
    for (KeyListEntry k : page.items()) {
      list.addObject().put("KeyId", k.keyId()).put("KeyArn", k.keyArn());
    }
    return new Reply(paged(Json.object().set("Keys", list), page));
  }

  private Reply scheduleKeyDeletion(RequestContext ctx, JsonNode r) {
    KeyManagement.DeletionScheduled s =
        keys.scheduleKeyDeletion(
            ctx, Json.text(r, "KeyId"), Json.integer(r, "PendingWindowInDays"));
    ObjectNode out = Json.object().put("KeyId", s.keyArn());
    if (s.deletionDate() != null) {
      out.put("DeletionDate", Json.epochSeconds(s.deletionDate()));
    }
    out.put("KeyState", s.keyState()).put("PendingWindowInDays", s.pendingWindowInDays());
    return new Reply(out);
  }

  private Reply listAliases(RequestContext ctx, JsonNode r) {
    Integer limit = Json.integer(r, "Limit");
    Page<AliasListEntry> page =
        aliases.listAliases(
            ctx, Json.text(r, "KeyId"), limit == null ? 50 : limit, Json.text(r, "Marker"));
    ArrayNode list = Json.array();
    for (AliasListEntry a : page.items()) {
      list.addObject()
          .put("AliasName", a.aliasName())
          .put("AliasArn", a.aliasArn())
          .put("TargetKeyId", a.targetKeyId())
          .put("CreationDate", Json.epochSeconds(a.creationDate()))
          .put("LastUpdatedDate", Json.epochSeconds(a.lastUpdatedDate()));
    }
    return new Reply(paged(Json.object().set("Aliases", list), page));
  }

  private Reply listResourceTags(RequestContext ctx, JsonNode r) {
    Integer limit = Json.integer(r, "Limit");
    // ListResourceTags: Limit 1..50 (the model allows 1000; AWS caps it at 50), default 50.
    int effective = limit == null ? 50 : Math.min(limit, 50);
    Page<Tag> page =
        keys.listResourceTags(ctx, Json.text(r, "KeyId"), effective, Json.text(r, "Marker"));
    ArrayNode list = Json.array();
    for (Tag t : page.items()) {
      list.addObject().put("TagKey", t.key()).put("TagValue", t.value());
    }
    return new Reply(paged(Json.object().set("Tags", list), page));
  }

  private Reply getKeyPolicy(RequestContext ctx, JsonNode r) {
    String name = Json.text(r, "PolicyName");
    name = name == null ? KeyPolicies.DEFAULT_NAME : name;
    String policy = policies.getKeyPolicy(ctx, Json.text(r, "KeyId"), name);
    return new Reply(Json.object().put("Policy", policy).put("PolicyName", name));
  }

  private Reply listKeyPolicies(RequestContext ctx, JsonNode r) {
    Integer limit = Json.integer(r, "Limit");
    // ListKeyPolicies: Limit 1..1000, default 100.
    Page<String> page =
        policies.listKeyPolicies(
            ctx, Json.text(r, "KeyId"), limit == null ? 100 : limit, Json.text(r, "Marker"));
    ArrayNode names = Json.array();
    page.items().forEach(names::add);
    return new Reply(paged(Json.object().set("PolicyNames", names), page));
  }

  static ObjectNode paged(ObjectNode out, Page<?> page) {
    out.put("Truncated", page.truncated());
    if (page.truncated()) {
      out.put("NextMarker", page.nextMarker());
    }
    return out;
  }

  static ObjectNode metadata(KeyMetadata md) {
    ObjectNode m =
        Json.object()
            .put("AWSAccountId", md.account())
            .put("KeyId", md.keyId())
            .put("Arn", md.arn())
            .put("CreationDate", Json.epochSeconds(md.creationDate()))
            .put("Enabled", md.enabled())
            .put("Description", md.description())
            .put("KeyUsage", md.keyUsage())
            .put("KeyState", md.keyState());
    if (md.deletionDate() != null) {
      m.put("DeletionDate", Json.epochSeconds(md.deletionDate()));
    }
    // Imported key material: ExpirationModel, and ValidTo when it expires.
    if (md.expirationModel() != null) {
      m.put("ExpirationModel", md.expirationModel());
    }
    if (md.validTo() != null) {
      m.put("ValidTo", Json.epochSeconds(md.validTo()));
    }
    m.put("Origin", md.origin())
        .put("KeyManager", "CUSTOMER")
        .put("CustomerMasterKeySpec", md.keySpec())
        .put("KeySpec", md.keySpec())
        .put("MultiRegion", md.multiRegion());
    if (md.multiRegion()) {
      MultiRegionApi.putConfiguration(m, md.multiRegionConfiguration());
    }
    if (md.pendingDeletionWindowInDays() != null) {
      m.put("PendingDeletionWindowInDays", md.pendingDeletionWindowInDays());
    }
    putList(m, "EncryptionAlgorithms", md.encryptionAlgorithms());
    putList(m, "SigningAlgorithms", md.signingAlgorithms());
    putList(m, "MacAlgorithms", md.macAlgorithms());
    putList(m, "KeyAgreementAlgorithms", md.keyAgreementAlgorithms());
    putIfPresent(m, "CurrentKeyMaterialId", md.currentKeyMaterialId());
    return m;
  }

  /** Writes a text field if it has a value (AWS omits fields that do not apply). */
  static void putIfPresent(ObjectNode out, String field, String value) {
    if (value != null) {
      out.put(field, value);
    }
  }

  /** Writes a list of names if it is not empty (AWS omits lists that do not apply). */
  static void putList(ObjectNode out, String field, java.util.List<String> values) {
    if (!values.isEmpty()) {
      ArrayNode list = out.putArray(field);
      values.forEach(list::add);
    }
  }
}
