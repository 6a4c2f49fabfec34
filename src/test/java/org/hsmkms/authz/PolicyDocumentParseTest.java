package org.hsmkms.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The policy grammar as AWS enforces it: what parses, and each refusal with its message. */
class PolicyDocumentParseTest {
  private static final String ROOT = "{\"AWS\":\"arn:aws:iam::111122223333:root\"}";

  /** A key-policy statement with the given extra elements, separated by commas. */
  private static String keyStatement(String elements) {
    return "{\"Effect\":\"Allow\",\"Principal\":" + ROOT + "," + elements + "}";
  }

  private static String policy(String statements) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":" + statements + "}";
  }

  static Stream<Arguments> acceptedKeyPolicies() {
    return Stream.of(
        Arguments.of("the default key policy", DefaultKeyPolicy.forAccount("111122223333"), 1),
        Arguments.of("one statement as an object", policy(keyStatement("\"Action\":\"kms:*\"")), 1),
        Arguments.of(
            "no Version", "{\"Statement\":" + keyStatement("\"Action\":\"kms:Decrypt\"") + "}", 1),
        Arguments.of(
            "Version 2008-10-17 and an Id",
            "{\"Version\":\"2008-10-17\",\"Id\":\"x\",\"Statement\":"
                + keyStatement("\"Action\":\"*\"")
                + "}",
            1),
        Arguments.of(
            "principal *, a list of actions with wildcards, NotResource",
            policy(
                "[{\"Sid\":\"a\",\"Effect\":\"Deny\",\"Principal\":\"*\","
                    + "\"Action\":[\"kms:Encrypt\",\"kms:GenerateDataKey*\",\"KMS:Re?ncrypt*\"],"
                    + "\"NotResource\":\"arn:aws:kms:*:111122223333:key/*\"}]"),
            1),
        Arguments.of(
            "principals as an account id, a list, AWS * and a service; NotAction; conditions",
            policy(
                "[{\"Sid\":\"a\",\"Effect\":\"Allow\","
                    + "\"Principal\":{\"AWS\":[\"444455556666\",\"*\","
                    + "\"arn:aws:iam::111122223333:role/Admin\"],"
                    + "\"Service\":\"cloudtrail.amazonaws.com\"},"
                    + "\"NotAction\":\"kms:ScheduleKeyDeletion\",\"Resource\":[\"*\"],"
                    + "\"Condition\":{\"Bool\":{\"aws:SecureTransport\":true},"
                    + "\"NumericLessThanEquals\":{\"kms:RotationPeriodInDays\":365},"
                    + "\"ForAnyValue:StringLikeIfExists\":{\"kms:ResourceAliases\":[\"alias/a*\"]},"
                    + "\"DateGreaterThan\":{\"aws:CurrentTime\":\"2020-01-01T00:00:00Z\"}}},"
                    + "{\"Sid\":\"b\",\"Effect\":\"Deny\",\"NotPrincipal\":"
                    + ROOT
                    + ",\"Action\":\"kms:*\"}]"),
            2));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("acceptedKeyPolicies")
  void parse_acceptsWhatAwsAccepts(String name, String json, int statements) {
    PolicyDocument document = PolicyDocument.parse(json, PolicyKind.KEY_POLICY);
    assertEquals(statements, document.statementCount());
    assertEquals(json, document.text());
  }

  @Test
  void parse_identityPolicy_withoutPrincipal_isAccepted() {
    PolicyDocument document =
        PolicyDocument.parse(
            policy("{\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":\"*\"}"),
            PolicyKind.IDENTITY_POLICY);
    assertEquals(PolicyKind.IDENTITY_POLICY, document.kind());
  }

  static Stream<Arguments> malformed() {
    String action = "\"Action\":\"kms:Decrypt\"";
    return Stream.of(
        Arguments.of("not JSON", "{\"Statement\":", "not valid JSON"),
        Arguments.of("trailing text", policy(keyStatement(action)) + "x", "not valid JSON"),
        Arguments.of("empty", " ", "The policy document is empty"),
        Arguments.of("a JSON list", "[]", "The policy document is not a JSON object"),
        Arguments.of("a JSON string", "\"policy\"", "The policy document is not a JSON object"),
        Arguments.of(
            "a duplicate element",
            "{\"Version\":\"2012-10-17\",\"Version\":\"2012-10-17\",\"Statement\":"
                + keyStatement(action)
                + "}",
            "not valid JSON"),
        Arguments.of(
            "another Version",
            "{\"Version\":\"2012-10-18\",\"Statement\":" + keyStatement(action) + "}",
            "Invalid Version"),
        Arguments.of(
            "a numeric Version",
            "{\"Version\":2012,\"Statement\":" + keyStatement(action) + "}",
            "Invalid Version"),
        Arguments.of(
            "an unknown top-level element",
            "{\"Statement\":" + keyStatement(action) + ",\"Extra\":1}",
            "Policy contains an unknown element: Extra"),
        Arguments.of(
            "no Statement", "{\"Version\":\"2012-10-17\"}", "Policy contains no Statement"),
        Arguments.of(
            "a string Statement", policy("\"s\""), "Statement is neither an object nor a list"),
        Arguments.of(
            "an empty Statement list", policy("[]"), "Policy contains an empty Statement list"),
        Arguments.of(
            "a statement that is no object",
            policy("[1]"),
            "Policy contains a statement that is not a JSON object"),
        Arguments.of(
            "no Effect",
            policy("{\"Principal\":" + ROOT + "," + action + "}"),
            "Policy contains a statement with no Effect"),
        Arguments.of(
            "Effect in lower case",
            policy("{\"Effect\":\"allow\",\"Principal\":" + ROOT + "," + action + "}"),
            "Policy contains a statement with an invalid Effect: \"allow\" (Allow or Deny)"),
        Arguments.of(
            "an unknown statement element",
            policy(keyStatement(action + ",\"Actions\":\"kms:*\"")),
            "Policy contains a statement with an unknown element: Actions"),
        Arguments.of(
            "a Sid that is no string",
            policy(keyStatement(action + ",\"Sid\":1")),
            "Policy contains a statement whose Sid is not a string"),
        Arguments.of(
            "two statements with one Sid",
            policy(
                "["
                    + keyStatement(action + ",\"Sid\":\"s\"")
                    + ","
                    + keyStatement(action + ",\"Sid\":\"s\"")
                    + "]"),
            "Policy contains statements with the same Sid: s"),
        Arguments.of(
            "no Principal in a key policy",
            policy("{\"Effect\":\"Allow\"," + action + "}"),
            "Policy contains a statement with no Principal"),
        Arguments.of(
            "Principal and NotPrincipal",
            policy(keyStatement(action + ",\"NotPrincipal\":" + ROOT)),
            "Policy contains a statement with both Principal and NotPrincipal"),
        Arguments.of(
            "a principal that is neither ARN nor account id",
            policy("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"alice\"}," + action + "}"),
            "Policy contains a statement with one or more invalid principals."),
        Arguments.of(
            "an 11-digit account id",
            policy("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"11112222333\"}," + action + "}"),
            "Policy contains a statement with one or more invalid principals."),
        Arguments.of(
            "a principal string other than *",
            policy("{\"Effect\":\"Allow\",\"Principal\":\"111122223333\"," + action + "}"),
            "Policy contains a statement with one or more invalid principals."),
        Arguments.of(
            "a Federated principal",
            policy("{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"x\"}," + action + "}"),
            "Policy contains a statement with one or more invalid principals."),
        Arguments.of(
            "a wildcard in a principal ARN",
            policy(
                "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:user/*\"},"
                    + action
                    + "}"),
            "Policy contains a statement with one or more invalid principals."),
        Arguments.of(
            "NotPrincipal with Allow",
            policy("{\"Effect\":\"Allow\",\"NotPrincipal\":" + ROOT + "," + action + "}"),
            "Policy contains a statement with NotPrincipal and Effect Allow"),
        Arguments.of(
            "no Action",
            policy(keyStatement("\"Resource\":\"*\"")),
            "Policy contains a statement with no Action"),
        Arguments.of(
            "Action and NotAction",
            policy(keyStatement(action + ",\"NotAction\":\"kms:Encrypt\"")),
            "Policy contains a statement with both Action and NotAction"),
        Arguments.of(
            "an action of another service",
            policy(keyStatement("\"Action\":\"s3:GetObject\"")),
            "Policy contains a statement with an invalid action: s3:GetObject"),
        Arguments.of(
            "an action without service",
            policy(keyStatement("\"Action\":\"Decrypt\"")),
            "Policy contains a statement with an invalid action: Decrypt"),
        Arguments.of(
            "an empty action list",
            policy(keyStatement("\"Action\":[]")),
            "Policy contains a statement whose Action is not a string or a list of strings"),
        Arguments.of(
            "an action that is a number",
            policy(keyStatement("\"Action\":[1]")),
            "Policy contains a statement whose Action is not a string or a list of strings"),
        Arguments.of(
            "Resource and NotResource",
            policy(keyStatement(action + ",\"Resource\":\"*\",\"NotResource\":\"*\"")),
            "Policy contains a statement with both Resource and NotResource"),
        Arguments.of(
            "a resource that is no ARN",
            policy(keyStatement(action + ",\"Resource\":\"key/1\"")),
            "Policy contains a statement with an invalid resource: key/1"),
        Arguments.of(
            "an unknown condition operator",
            policy(
                keyStatement(action + ",\"Condition\":{\"StringEqualz\":{\"kms:KeySpec\":\"x\"}}")),
            "Policy contains a statement with an unknown condition operator: StringEqualz"),
        Arguments.of(
            "NullIfExists",
            policy(
                keyStatement(action + ",\"Condition\":{\"NullIfExists\":{\"kms:KeySpec\":true}}")),
            "Policy contains a statement with an unknown condition operator: NullIfExists"),
        Arguments.of(
            "a Null value other than true or false",
            policy(keyStatement(action + ",\"Condition\":{\"Null\":{\"kms:KeySpec\":\"maybe\"}}")),
            "Policy contains a Null condition with a value other than true or false"),
        Arguments.of(
            "a Condition that is a list",
            policy(keyStatement(action + ",\"Condition\":[]")),
            "Policy contains a Condition that is not a JSON object"),
        Arguments.of(
            "an operator with a string instead of keys",
            policy(keyStatement(action + ",\"Condition\":{\"StringEquals\":\"x\"}")),
            "Policy contains a condition StringEquals that is not an object of keys"),
        Arguments.of(
            "a condition value that is an object",
            policy(keyStatement(action + ",\"Condition\":{\"StringEquals\":{\"k\":{}}}")),
            "Policy contains a condition StringEquals with a value that is not a string"),
        Arguments.of(
            "an empty value list",
            policy(keyStatement(action + ",\"Condition\":{\"StringEquals\":{\"k\":[]}}")),
            "Policy contains a condition StringEquals with no values"),
        Arguments.of(
            "a numeric condition on a word",
            policy(keyStatement(action + ",\"Condition\":{\"NumericEquals\":{\"k\":\"ten\"}}")),
            "Policy contains a condition NumericEquals with a value that is not a number"),
        Arguments.of(
            "a date condition on a word",
            policy(keyStatement(action + ",\"Condition\":{\"DateLessThan\":{\"k\":\"soon\"}}")),
            "Policy contains a condition DateLessThan with a value that is not a date"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void parse_refusesWithAwsMessage(String name, String json, String message) {
    MalformedPolicyException e =
        assertThrows(
            MalformedPolicyException.class,
            () -> PolicyDocument.parse(json, PolicyKind.KEY_POLICY));
    if (message.equals("not valid JSON")) {
      // Jackson's parser says where, never what: "... not valid JSON (line 1, column 14)".
      assertTrue(
          e.getMessage().startsWith("The policy document is not valid JSON (line 1, column "),
          e.getMessage());
    } else {
      assertEquals(message, e.getMessage());
    }
  }

  @Test
  void parse_identityPolicyWithPrincipal_isMalformed() {
    MalformedPolicyException e =
        assertThrows(
            MalformedPolicyException.class,
            () ->
                PolicyDocument.parse(
                    policy(keyStatement("\"Action\":\"kms:*\",\"Resource\":\"*\"")),
                    PolicyKind.IDENTITY_POLICY));
    assertEquals("An identity policy must not contain a Principal", e.getMessage());
  }

  @Test
  void parse_identityPolicyWithoutResource_isMalformed() {
    MalformedPolicyException e =
        assertThrows(
            MalformedPolicyException.class,
            () ->
                PolicyDocument.parse(
                    policy("{\"Effect\":\"Allow\",\"Action\":\"kms:*\"}"),
                    PolicyKind.IDENTITY_POLICY));
    assertEquals("Policy contains a statement with no Resource", e.getMessage());
  }

  @Test
  void parse_atMost32KiB() {
    String statement = keyStatement("\"Action\":\"kms:Decrypt\"");
    String head = "{\"Statement\":" + statement + ",\"Id\":\"";
    String tail = "\"}";
    String exact = head + "x".repeat(32_768 - head.length() - tail.length()) + tail;
    assertEquals(32_768, exact.length());
    assertEquals(1, PolicyDocument.parse(exact, PolicyKind.KEY_POLICY).statementCount());

    String over = head + "x".repeat(32_769 - head.length() - tail.length()) + tail;
    MalformedPolicyException e =
        assertThrows(
            MalformedPolicyException.class,
            () -> PolicyDocument.parse(over, PolicyKind.KEY_POLICY));
    assertEquals("The policy document is larger than 32768 characters", e.getMessage());
  }

  @Test
  void parse_invalidJson_messageDoesNotEchoTheDocument() {
    MalformedPolicyException e =
        assertThrows(
            MalformedPolicyException.class,
            () -> PolicyDocument.parse("{\"Statement\": secret-value", PolicyKind.KEY_POLICY));
    assertFalse(e.getMessage().contains("secret"), e.getMessage());
  }
}
