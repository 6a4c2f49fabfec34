package org.hsmkms.api;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hsmkms.crypto.EncryptionContext;
import org.hsmkms.kms.Tag;

/** JSON 1.1 wire helpers: reading validated request fields and writing AWS-shaped values. */
final class Json {
  /** The content type of every answer, error or not. */
  static final String CONTENT_TYPE = "application/x-amz-json-1.1";

  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .build();

  static {
    MAPPER
        .getFactory()
        .setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build());
  }

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static String text(JsonNode req, String field) {
    JsonNode n = req.get(field);
    return n == null || n.isNull() ? null : n.asText();
  }

  static Integer integer(JsonNode req, String field) {
    JsonNode n = req.get(field);
    return n == null || n.isNull() ? null : n.asInt();
  }

  static boolean flag(JsonNode req, String field) {
    JsonNode n = req.get(field);
    return n != null && n.asBoolean(false);
  }

  /** A blob field, base64-decoded (the validator has checked it decodes). The caller owns it. */
  static byte[] blob(JsonNode req, String field) {
    JsonNode n = req.get(field);
    return n == null || n.isNull() ? null : Base64.getDecoder().decode(n.asText());
  }

  static EncryptionContext context(JsonNode req, String field) {
    JsonNode n = req.get(field);
    if (n == null || n.isNull()) {
      return EncryptionContext.empty();
    }
    Map<String, String> pairs = new LinkedHashMap<>();
    n.fields().forEachRemaining(e -> pairs.put(e.getKey(), e.getValue().asText()));
    return EncryptionContext.of(pairs);
  }

  static List<Tag> tags(JsonNode req, String field) {
    JsonNode n = req.get(field);
    List<Tag> tags = new ArrayList<>();
    if (n != null && !n.isNull()) {
      n.forEach(t -> tags.add(new Tag(t.get("TagKey").asText(), t.get("TagValue").asText())));
    }
    return tags;
  }

  static List<String> strings(JsonNode req, String field) {
    JsonNode n = req.get(field);
    List<String> out = new ArrayList<>();
    if (n != null && !n.isNull()) {
      n.forEach(s -> out.add(s.asText()));
    }
    return out;
  }

  /** AWS JSON 1.1 timestamps: epoch seconds with a fraction. */
  static BigDecimal epochSeconds(Instant t) {
    return BigDecimal.valueOf(t.toEpochMilli()).movePointLeft(3);
  }

  static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  static ArrayNode array() {
    return MAPPER.createArrayNode();
  }
}
