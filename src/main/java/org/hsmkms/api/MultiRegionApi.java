package org.hsmkms.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.hsmkms.kms.KeyManagement;
import org.hsmkms.kms.MultiRegionConfiguration;
import org.hsmkms.kms.MultiRegionKeys;
import org.hsmkms.kms.RequestContext;
import org.hsmkms.kms.Tag;

/**
 * Handlers for the multi-Region key operations: ReplicateKey and UpdatePrimaryRegion, one small
 * handler each, as in {@link KmsApi}; and DescribeKey's {@code MultiRegionConfiguration}.
 */
final class MultiRegionApi {
  private final KeyManagement keys;

  MultiRegionApi(KeyManagement keys) {
    this.keys = keys;
  }

  void registerInto(Map<String, KmsApi.Operation> operations) {
    operations.put("ReplicateKey", this::replicateKey);
    operations.put(
        "UpdatePrimaryRegion",
        (c, r) -> {
          keys.multiRegionKeys()
              .updatePrimaryRegion(c, Json.text(r, "KeyId"), Json.text(r, "PrimaryRegion"));
          return Reply.empty();
        });
  }

  private Reply replicateKey(RequestContext ctx, JsonNode r) {
    MultiRegionKeys.Replicated replica =
        keys.multiRegionKeys()
            .replicateKey(
                ctx,
                Json.text(r, "KeyId"),
                Json.text(r, "ReplicaRegion"),
                Json.text(r, "Policy"),
                Json.flag(r, "BypassPolicyLockoutSafetyCheck"),
                Json.text(r, "Description"),
                Json.tags(r, "Tags"));
    ObjectNode out = Json.object();
    out.set("ReplicaKeyMetadata", KmsApi.metadata(replica.replicaKeyMetadata()));
    out.put("ReplicaPolicy", replica.replicaPolicy());
    ArrayNode tags = out.putArray("ReplicaTags");
    for (Tag t : replica.tags()) {
      tags.addObject().put("TagKey", t.key()).put("TagValue", t.value());
    }
    return new Reply(out);
  }

  /** DescribeKey's (and CreateKey's, ReplicateKey's) {@code MultiRegionConfiguration}. */
  static void putConfiguration(ObjectNode metadata, MultiRegionConfiguration config) {
    ObjectNode c = metadata.putObject("MultiRegionConfiguration");
    c.put("MultiRegionKeyType", config.keyType());
    c.putObject("PrimaryKey")
        .put("Arn", config.primaryKey().arn())
        .put("Region", config.primaryKey().region());
    ArrayNode replicas = c.putArray("ReplicaKeys");
    for (MultiRegionConfiguration.RegionKey k : config.replicaKeys()) {
      replicas.addObject().put("Arn", k.arn()).put("Region", k.region());
    }
  }
}
