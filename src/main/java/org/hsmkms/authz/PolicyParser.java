package org.hsmkms.authz;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads a policy's JSON and checks it against the grammar AWS enforces, statement by statement. */
final class PolicyParser {
  /** AWS: a key policy is at most 32 KiB (32,768 characters). */
  static final int MAX_CHARACTERS = 32_768;

  private static final Set<String> VERSIONS = Set.of("2012-10-17", "2008-10-17");
  private static final Set<String> TOP_LEVEL = Set.of("Version", "Id", "Statement");
  private static final Set<String> STATEMENT_ELEMENTS =
      Set.of(
          "Sid",
          "Effect",
          "Principal",
          "NotPrincipal",
          "Action",
          "NotAction",
          "Resource",
          "NotResource",
          "Condition");
  private static final Pattern ACTION = Pattern.compile("(?i)kms:[A-Za-z0-9*?]+");

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private PolicyParser() {}

  static List<Statement> parse(String json, PolicyKind kind) {
    if (json == null || json.isBlank()) {
      throw new MalformedPolicyException("The policy document is empty");
    }
    if (json.length() > MAX_CHARACTERS) {
      throw new MalformedPolicyException(
          "The policy document is larger than " + MAX_CHARACTERS + " characters");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      // Jackson's own message would echo the document; the position is enough.
      throw new MalformedPolicyException(
          "The policy document is not valid JSON (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ")");
    }
    if (root == null || !root.isObject()) {
      throw new MalformedPolicyException("The policy document is not a JSON object");
    }
    checkElements(root, TOP_LEVEL, "Policy contains an unknown element: ");
    JsonNode version = root.get("Version");
    if (version != null && !(version.isTextual() && VERSIONS.contains(version.asText()))) {
      throw new MalformedPolicyException("Invalid Version");
    }
    JsonNode id = root.get("Id");
    if (id != null && !id.isTextual()) {
      throw new MalformedPolicyException("Policy Id is not a string");
    }
    JsonNode statements = root.get("Statement");
    if (statements == null) {
      throw new MalformedPolicyException("Policy contains no Statement");
    }
    List<JsonNode> nodes = new ArrayList<>();
    if (statements.isObject()) {
      nodes.add(statements);
    } else if (statements.isArray()) {
      statements.forEach(nodes::add);
      if (nodes.isEmpty()) {
        throw new MalformedPolicyException("Policy contains an empty Statement list");
      }
    } else {
      throw new MalformedPolicyException("Statement is neither an object nor a list");
    }
    // IAM: policy variables "were introduced in version 2012-10-17"; in a policy without Version
    // (2008-10-17) or of 2008-10-17, ${...} is literal text.
    boolean variables = version != null && version.asText().equals("2012-10-17");
    List<Statement> compiled = new ArrayList<>(nodes.size());
    Set<String> sids = new HashSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      compiled.add(statement(nodes.get(i), i, kind, sids, variables));
    }
    return List.copyOf(compiled);
  }

  private static Statement statement(
      JsonNode node, int index, PolicyKind kind, Set<String> sids, boolean variables) {
    if (!node.isObject()) {
      throw new MalformedPolicyException("Policy contains a statement that is not a JSON object");
    }
    checkElements(
        node, STATEMENT_ELEMENTS, "Policy contains a statement with an unknown element: ");
    String label = "Statement[" + index + "]";
    JsonNode sid = node.get("Sid");
    if (sid != null) {
      if (!sid.isTextual()) {
        throw new MalformedPolicyException("Policy contains a statement whose Sid is not a string");
      }
      if (!sids.add(sid.asText())) {
        throw new MalformedPolicyException(
            "Policy contains statements with the same Sid: " + sid.asText());
      }
      label = sid.asText();
    }
    Effect effect = effect(node.get("Effect"));

    JsonNode principal = node.get("Principal");
    JsonNode notPrincipal = node.get("NotPrincipal");
    Set<String> principals = null;
    if (kind == PolicyKind.KEY_POLICY) {
      if (principal == null && notPrincipal == null) {
        throw new MalformedPolicyException("Policy contains a statement with no Principal");
      }
      if (principal != null && notPrincipal != null) {
        throw new MalformedPolicyException(
            "Policy contains a statement with both Principal and NotPrincipal");
      }
      // IAM: "NotPrincipal must be used with "Effect":"Deny". Using it with Allow is not
      // supported."
      if (notPrincipal != null && effect == Effect.ALLOW) {
        throw new MalformedPolicyException(
            "Policy contains a statement with NotPrincipal and Effect Allow");
      }
      principals = principals(principal != null ? principal : notPrincipal);
    } else if (principal != null || notPrincipal != null) {
      throw new MalformedPolicyException("An identity policy must not contain a Principal");
    }

    JsonNode action = node.get("Action");
    JsonNode notAction = node.get("NotAction");
    if (action == null && notAction == null) {
      throw new MalformedPolicyException("Policy contains a statement with no Action");
    }
    if (action != null && notAction != null) {
      throw new MalformedPolicyException(
          "Policy contains a statement with both Action and NotAction");
    }
    List<WildcardPattern> actions = new ArrayList<>();
    for (String value : strings(action != null ? action : notAction, "Action")) {
      if (!value.equals("*") && !ACTION.matcher(value).matches()) {
        throw new MalformedPolicyException(
            "Policy contains a statement with an invalid action: " + value);
      }
      actions.add(WildcardPattern.ignoringCase(value));
    }

    JsonNode resource = node.get("Resource");
    JsonNode notResource = node.get("NotResource");
    if (resource != null && notResource != null) {
      throw new MalformedPolicyException(
          "Policy contains a statement with both Resource and NotResource");
    }
    List<String> resources = null;
    if (resource == null && notResource == null) {
      if (kind == PolicyKind.IDENTITY_POLICY) {
        throw new MalformedPolicyException("Policy contains a statement with no Resource");
      }
    } else {
      resources = new ArrayList<>();
      for (String value : strings(resource != null ? resource : notResource, "Resource")) {
        if (!value.equals("*") && !value.startsWith("arn:")) {
          throw new MalformedPolicyException(
              "Policy contains a statement with an invalid resource: " + value);
        }
        resources.add(value);
      }
    }

    return new Statement(
        label,
        effect,
        principals,
        notPrincipal != null,
        actions,
        notAction != null,
        resources,
        notResource != null,
        variables,
        conditions(node.get("Condition"), variables));
  }

  private static Effect effect(JsonNode node) {
    if (node == null) {
      throw new MalformedPolicyException("Policy contains a statement with no Effect");
    }
    if (node.isTextual() && node.asText().equals("Allow")) {
      return Effect.ALLOW;
    }
    if (node.isTextual() && node.asText().equals("Deny")) {
      return Effect.DENY;
    }
    throw new MalformedPolicyException(
        "Policy contains a statement with an invalid Effect: " + node + " (Allow or Deny)");
  }

  private static Set<String> principals(JsonNode node) {
    Set<String> principals = new HashSet<>();
    if (node.isTextual() && node.asText().equals("*")) {
      principals.add(Principals.ANYONE);
      return Set.copyOf(principals);
    }
    if (!node.isObject() || node.isEmpty()) {
      throw invalidPrincipals();
    }
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      boolean aws = entry.getKey().equals("AWS");
      if (!aws && !entry.getKey().equals("Service")) {
        throw invalidPrincipals();
      }
      List<String> values = strings(entry.getValue(), "Principal");
      for (String value : values) {
        String canonical = aws ? Principals.aws(value) : Principals.service(value);
        if (canonical == null) {
          throw invalidPrincipals();
        }
        principals.add(canonical);
      }
    }
    return Set.copyOf(principals);
  }

  private static MalformedPolicyException invalidPrincipals() {
    return new MalformedPolicyException(
        "Policy contains a statement with one or more invalid principals.");
  }

  private static List<Condition> conditions(JsonNode node, boolean variables) {
    List<Condition> conditions = new ArrayList<>();
    if (node == null) {
      return conditions;
    }
    if (!node.isObject()) {
      throw new MalformedPolicyException("Policy contains a Condition that is not a JSON object");
    }
    for (Map.Entry<String, JsonNode> op : node.properties()) {
      if (!op.getValue().isObject() || op.getValue().isEmpty()) {
        throw new MalformedPolicyException(
            "Policy contains a condition " + op.getKey() + " that is not an object of keys");
      }
      for (Map.Entry<String, JsonNode> key : op.getValue().properties()) {
        conditions.add(
            Condition.compile(
                op.getKey(), key.getKey(), conditionValues(key.getValue(), op), variables));
      }
    }
    return conditions;
  }

  // Condition values may be strings, numbers or booleans ({"aws:SecureTransport": false}).
  private static List<String> conditionValues(JsonNode node, Map.Entry<String, JsonNode> op) {
    List<String> values = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(value -> values.add(conditionValue(value, op.getKey())));
    } else {
      values.add(conditionValue(node, op.getKey()));
    }
    if (values.isEmpty()) {
      throw new MalformedPolicyException(
          "Policy contains a condition " + op.getKey() + " with no values");
    }
    return values;
  }

  private static String conditionValue(JsonNode node, String operator) {
    if (node.isTextual() || node.isNumber() || node.isBoolean()) {
      return node.asText();
    }
    throw new MalformedPolicyException(
        "Policy contains a condition " + operator + " with a value that is not a string");
  }

  /** A string or a non-empty list of strings. */
  private static List<String> strings(JsonNode node, String element) {
    List<String> values = new ArrayList<>();
    if (node.isTextual()) {
      values.add(node.asText());
    } else if (node.isArray()) {
      for (JsonNode value : node) {
        if (!value.isTextual()) {
          throw new MalformedPolicyException(
              "Policy contains a statement whose "
                  + element
                  + " is not a string or a list of strings");
        }
        values.add(value.asText());
      }
    }
    if (values.isEmpty()) {
      throw new MalformedPolicyException(
          "Policy contains a statement whose " + element + " is not a string or a list of strings");
    }
    return values;
  }

  private static void checkElements(JsonNode node, Set<String> known, String message) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        throw new MalformedPolicyException(message + name);
      }
    }
  }
}
