package org.hsmkms.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Key policies and identity policies for tests, written as AWS's documentation writes them (Version
 * 2012-10-17, a list of statements with Sid, Effect, Principal, Action, Resource, Condition).
 *
 * <pre>{@code
 * Policies.document(
 *     Policies.allow("Allow use of the key").principals(user.arn())
 *         .actions("kms:Encrypt", "kms:Decrypt"),
 *     Policies.deny("No deletion").principals("*").actions("kms:ScheduleKeyDeletion"))
 * }</pre>
 */
public final class Policies {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The key administrators' actions of AWS's console default key policy. */
  public static final List<String> KEY_ADMINISTRATOR_ACTIONS =
      List.of(
          "kms:Create*",
          "kms:Describe*",
          "kms:Enable*",
          "kms:List*",
          "kms:Put*",
          "kms:Update*",
          "kms:Revoke*",
          "kms:Disable*",
          "kms:Get*",
          "kms:Delete*",
          "kms:TagResource",
          "kms:UntagResource",
          "kms:ScheduleKeyDeletion",
          "kms:CancelKeyDeletion",
          "kms:RotateKeyOnDemand");

  /** The key users' actions of AWS's console default key policy (symmetric encryption keys). */
  public static final List<String> KEY_USER_ACTIONS =
      List.of(
          "kms:Encrypt",
          "kms:Decrypt",
          "kms:ReEncrypt*",
          "kms:GenerateDataKey*",
          "kms:DescribeKey");

  private Policies() {}

  /** A policy document of these statements. */
  public static String document(Statement... statements) {
    ObjectNode doc = JSON.createObjectNode().put("Version", "2012-10-17");
    ArrayNode list = doc.putArray("Statement");
    for (Statement s : statements) {
      list.add(s.node);
    }
    return doc.toString();
  }

  /**
   * AWS's "Allows access to the AWS account and enables IAM policies" statement: the account root
   * may do {@code kms:*}, so the account's identity policies decide.
   */
  public static Statement enableIamPolicies(String account) {
    return allow("Enable IAM User Permissions")
        .principals("arn:aws:iam::" + account + ":root")
        .actions("kms:*");
  }

  public static Statement allow(String sid) {
    return new Statement(sid, "Allow");
  }

  public static Statement deny(String sid) {
    return new Statement(sid, "Deny");
  }

  /** One statement; {@code Resource} is {@code "*"} unless set. */
  public static final class Statement {
    private final ObjectNode node = JSON.createObjectNode();

    private Statement(String sid, String effect) {
      if (sid != null) {
        node.put("Sid", sid);
      }
      node.put("Effect", effect);
      node.put("Resource", "*");
    }

    /** {@code "Principal": {"AWS": [...]}}; {@code "*"} alone gives {@code "Principal": "*"}. */
    public Statement principals(String... arns) {
      if (arns.length == 1 && arns[0].equals("*")) {
        node.put("Principal", "*");
      } else {
        ArrayNode a = node.putObject("Principal").putArray("AWS");
        for (String arn : arns) {
          a.add(arn);
        }
      }
      return reorder();
    }

    public Statement actions(String... actions) {
      return actions(List.of(actions));
    }

    public Statement actions(List<String> actions) {
      ArrayNode a = node.putArray("Action");
      actions.forEach(a::add);
      return reorder();
    }

    public Statement resource(String resource) {
      node.put("Resource", resource);
      return this;
    }

    /** Adds {@code "Condition": {operator: {key: value}}} (more keys and operators may follow). */
    public Statement condition(String operator, String key, String... values) {
      ObjectNode conditions =
          node.has("Condition") ? (ObjectNode) node.get("Condition") : node.putObject("Condition");
      ObjectNode op =
          conditions.has(operator)
              ? (ObjectNode) conditions.get(operator)
              : conditions.putObject(operator);
      if (values.length == 1) {
        op.put(key, values[0]);
      } else {
        ArrayNode a = op.putArray(key);
        for (String v : values) {
          a.add(v);
        }
      }
      return this;
    }

    /** Keeps Resource and Condition after Principal and Action, as AWS's examples read. */
    private Statement reorder() {
      for (String field : List.of("Resource", "Condition")) {
        if (node.has(field)) {
          node.set(field, node.remove(field));
        }
      }
      return this;
    }

    @Override
    public String toString() {
      return node.toString();
    }
  }
}
