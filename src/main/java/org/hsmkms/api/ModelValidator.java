package org.hsmkms.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.hsmkms.kms.KmsException;
import org.hsmkms.kms.ProtocolErrors;
import org.hsmkms.kms.ValidationErrors;

/**
 * Checks a request body against the AWS KMS API model (the bundled botocore model): JSON types
 * (SerializationException), then required members, lengths, ranges, patterns and enum values
 * (ValidationException, in AWS's wording: "1 validation error detected: Value '1025' at
 * 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to
 * 1024").
 *
 * <p>Security: values of members the model marks sensitive, and all blobs, are never echoed: they
 * are named as AWS names sensitive members ("Value at 'plaintext' failed to satisfy constraint:
 * ...").
 */
public final class ModelValidator {
  private static final String MODEL = "/aws/kms-2014-11-01.json";

  private final JsonNode shapes;
  private final Map<String, String> inputShapes = new HashMap<>();
  private final Map<String, Pattern> patterns = new ConcurrentHashMap<>();

  private ModelValidator(JsonNode model) {
    this.shapes = model.get("shapes");
    model
        .get("operations")
        .fields()
        .forEachRemaining(
            e -> {
              JsonNode input = e.getValue().get("input");
              inputShapes.put(e.getKey(), input == null ? null : input.get("shape").asText());
            });
  }

  public static ModelValidator load(ObjectMapper mapper) {
    try (InputStream in = ModelValidator.class.getResourceAsStream(MODEL)) {
      if (in == null) {
        throw new IllegalStateException("API model " + MODEL + " missing from the classpath");
      }
      return new ModelValidator(mapper.readTree(in));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the API model", e);
    }
  }

  /** All operation names of the model. */
  public Set<String> operations() {
    return inputShapes.keySet();
  }

  /** Throws SerializationException or ValidationException if {@code body} does not fit. */
  public void validate(String operation, JsonNode body) {
    String shape = inputShapes.get(operation);
    if (shape == null) {
      return;
    }
    List<String> errors = new ArrayList<>();
    checkStructure(shapes.get(shape), body, "", errors);
    if (!errors.isEmpty()) {
      throw ValidationErrors.modelConstraints(errors);
    }
  }

  private void checkStructure(JsonNode shape, JsonNode node, String path, List<String> errors) {
    if (!node.isObject()) {
      throw serialization(path);
    }
    JsonNode required = shape.get("required");
    Iterator<Map.Entry<String, JsonNode>> members = shape.get("members").fields();
    while (members.hasNext()) {
      Map.Entry<String, JsonNode> m = members.next();
      String name = m.getKey();
      String memberPath = path.isEmpty() ? camel(name) : path + "." + camel(name);
      JsonNode value = node.get(name);
      if (value == null || value.isNull()) {
        if (required != null && contains(required, name)) {
          errors.add(
              "Value null at '"
                  + memberPath
                  + "' failed to satisfy constraint: Member must not be null");
        }
        continue;
      }
      checkValue(m.getValue().get("shape").asText(), value, memberPath, errors);
    }
  }

  private void checkValue(String shapeName, JsonNode value, String path, List<String> errors) {
    JsonNode shape = shapes.get(shapeName);
    String type = shape.get("type").asText();
    boolean sensitive = shape.path("sensitive").asBoolean(false);
    switch (type) {
      case "string" -> {
        if (!value.isTextual()) {
          throw serialization(path);
        }
        String s = value.asText();
        // AWS names a sensitive member without its value: "Value at 'plaintext' failed ...".
        String shown = sensitive ? null : "'" + s + "'";
        checkLength(shape, s.codePointCount(0, s.length()), shown, path, errors);
        if (shape.has("enum") && !contains(shape.get("enum"), s)) {
          errors.add(
              failed(shown, path, "Member must satisfy enum value set: " + enumValues(shapeName)));
        } else if (shape.has("pattern")
            && !pattern(shape.get("pattern").asText()).matcher(s).matches()) {
          errors.add(
              failed(
                  shown,
                  path,
                  "Member must satisfy regular expression pattern: "
                      + shape.get("pattern").asText()));
        }
      }
      case "integer", "long" -> {
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
          throw serialization(path);
        }
        long v = value.asLong();
        String shown = "'" + v + "'";
        if (shape.has("min") && v < shape.get("min").asLong()) {
          errors.add(
              failed(
                  shown,
                  path,
                  "Member must have value greater than or equal to " + shape.get("min").asLong()));
        } else if (shape.has("max") && v > shape.get("max").asLong()) {
          errors.add(
              failed(
                  shown,
                  path,
                  "Member must have value less than or equal to " + shape.get("max").asLong()));
        }
      }
      case "boolean" -> {
        if (!value.isBoolean()) {
          throw serialization(path);
        }
      }
      case "timestamp" -> {
        if (!value.isNumber()) {
          throw serialization(path);
        }
      }
      case "blob" -> {
        if (!value.isTextual()) {
          throw serialization(path);
        }
        int length;
        try {
          // Blobs can be plaintext: the decoded copy is only measured, then zeroed.
          byte[] decoded = Base64.getDecoder().decode(value.asText());
          length = decoded.length;
          java.util.Arrays.fill(decoded, (byte) 0);
        } catch (IllegalArgumentException e) {
          throw ProtocolErrors.notBase64(path);
        }
        // Blobs (plaintext among them) are never echoed, and named as AWS names sensitive members.
        checkLength(shape, length, null, path, errors);
      }
      case "list" -> {
        if (!value.isArray()) {
          throw serialization(path);
        }
        checkLength(shape, value.size(), "'[...]'", path, errors);
        String member = shape.get("member").get("shape").asText();
        for (int i = 0; i < value.size(); i++) {
          JsonNode item = value.get(i);
          if (item.isNull()) {
            throw serialization(path);
          }
          checkValue(member, item, path + "." + (i + 1) + ".member", errors);
        }
      }
      case "map" -> {
        if (!value.isObject()) {
          throw serialization(path);
        }
        checkLength(shape, value.size(), "'{...}'", path, errors);
        String keyShape = shape.get("key").get("shape").asText();
        String valueShape = shape.get("value").get("shape").asText();
        List<String> keyErrors = new ArrayList<>();
        List<String> valueErrors = new ArrayList<>();
        value
            .fields()
            .forEachRemaining(
                e -> {
                  checkValue(
                      keyShape, mapper().getNodeFactory().textNode(e.getKey()), path, keyErrors);
                  if (e.getValue().isNull()) {
                    throw serialization(path);
                  }
                  checkValue(valueShape, e.getValue(), path, valueErrors);
                });
        if (!keyErrors.isEmpty()) {
          errors.add(
              "Map keys at '"
                  + path
                  + "' failed to satisfy constraint: "
                  + constraintsOf(keyErrors));
        }
        if (!valueErrors.isEmpty()) {
          errors.add(
              "Map value at '"
                  + path
                  + "' failed to satisfy constraint: "
                  + constraintsOf(valueErrors));
        }
      }
      case "structure" -> checkStructure(shape, value, path, errors);
      default -> throw serialization(path);
    }
  }

  /**
   * The values of an enum shape as AWS lists them in a ValidationException: in AWS's own order
   * where it is known ({@link AwsEnumOrders}), in the model's order otherwise.
   */
  List<String> enumValues(String shapeName) {
    List<String> model = new ArrayList<>();
    shapes.get(shapeName).get("enum").forEach(v -> model.add(v.asText()));
    return AwsEnumOrders.of(shapeName, model);
  }

  private static String constraintsOf(List<String> errors) {
    List<String> constraints = new ArrayList<>();
    for (String e : errors) {
      String c = e.substring(e.indexOf("constraint: ") + "constraint: ".length());
      if (!constraints.contains(c)) {
        constraints.add(c);
      }
    }
    return "[" + String.join(", ", constraints) + "]";
  }

  private static void checkLength(
      JsonNode shape, long length, String shown, String path, List<String> errors) {
    if (shape.has("min") && length < shape.get("min").asLong()) {
      errors.add(
          failed(
              shown,
              path,
              "Member must have length greater than or equal to " + shape.get("min").asLong()));
    } else if (shape.has("max") && length > shape.get("max").asLong()) {
      errors.add(
          failed(
              shown,
              path,
              "Member must have length less than or equal to " + shape.get("max").asLong()));
    }
  }

  /** AWS's wording; {@code shown} is null for a value that is never echoed. */
  private static String failed(String shown, String path, String constraint) {
    String value = shown == null ? "Value at '" : "Value " + shown + " at '";
    return value + path + "' failed to satisfy constraint: " + constraint;
  }

  private Pattern pattern(String regex) {
    return patterns.computeIfAbsent(
        regex,
        r -> {
          // The model anchors some patterns and not others; AWS matches the whole value, so the
          // value must match entirely (Matcher.matches): a trailing line break that "$" lets
          // through with find() is refused too.
          return Pattern.compile(r);
        });
  }

  private static boolean contains(JsonNode array, String s) {
    for (JsonNode n : array) {
      if (n.asText().equals(s)) {
        return true;
      }
    }
    return false;
  }

  private static KmsException serialization(String path) {
    return path.isEmpty() ? ProtocolErrors.notAnObject() : ProtocolErrors.unexpectedType(path);
  }

  private static ObjectMapper mapper() {
    return Json.MAPPER;
  }

  /** AWS names members in messages with a lower-case first letter: KeyId is 'keyId'. */
  static String camel(String member) {
    return Character.toLowerCase(member.charAt(0)) + member.substring(1);
  }
}
