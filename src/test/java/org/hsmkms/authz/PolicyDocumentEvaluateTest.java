package org.hsmkms.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One document's decision: which statements apply, Deny over Allow, and the deciding statement. */
class PolicyDocumentEvaluateTest {
  private static final String ACCOUNT = "111122223333";
  private static final String KEY = "arn:aws:kms:us-east-1:111122223333:key/k1";
  private static final String ALICE = "arn:aws:iam::111122223333:user/alice";
  private static final String BOB = "arn:aws:iam::111122223333:user/bob";

  private static Decision evaluate(String statements, String principal, String action) {
    PolicyDocument policy =
        PolicyDocument.parse("{\"Statement\":[" + statements + "]}", PolicyKind.KEY_POLICY);
    return policy.evaluate(AuthzRequest.of(principal, ACCOUNT, action, KEY));
  }

  private static Decision allow(String statement) {
    return new Decision(Decision.Outcome.ALLOW, statement);
  }

  private static Decision deny(String statement) {
    return new Decision(Decision.Outcome.EXPLICIT_DENY, statement);
  }

  private static final String ALICE_P = "{\"AWS\":\"" + ALICE + "\"}";

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "a statement without Sid is named by its index",
            "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:Encrypt\"},"
                + "{\"Effect\":\"Allow\",\"Principal\":"
                + ALICE_P
                + ",\"Action\":\"kms:Decrypt\"}",
            ALICE,
            "kms:Decrypt",
            allow("Statement[1]")),
        Arguments.of(
            "actions match case-insensitively",
            "{\"Sid\":\"s\",\"Effect\":\"Allow\",\"Principal\":"
                + ALICE_P
                + ",\"Action\":\"KMS:decrypt\"}",
            ALICE,
            "kms:Decrypt",
            allow("s")),
        Arguments.of(
            "kms:GenerateDataKey* covers the pair operations",
            "{\"Sid\":\"s\",\"Effect\":\"Allow\",\"Principal\":"
                + ALICE_P
                + ",\"Action\":\"kms:GenerateDataKey*\"}",
            ALICE,
            "kms:GenerateDataKeyPair",
            allow("s")),
        Arguments.of(
            "kms:Re?ncrypt* does not cover Encrypt",
            "{\"Sid\":\"s\",\"Effect\":\"Allow\",\"Principal\":"
                + ALICE_P
                + ",\"Action\":\"kms:Re?ncrypt*\"}",
            ALICE,
            "kms:Encrypt",
            Decision.NOT_APPLICABLE),
        Arguments.of(
            "another principal",
            "{\"Sid\":\"s\",\"Effect\":\"Allow\",\"Principal\":" + ALICE_P + ",\"Action\":\"*\"}",
            BOB,
            "kms:Decrypt",
            Decision.NOT_APPLICABLE),
        Arguments.of(
            "a root statement does not match a user of the account by itself",
            "{\"Sid\":\"s\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"111122223333\"},"
                + "\"Action\":\"*\"}",
            ALICE,
            "kms:Decrypt",
            Decision.NOT_APPLICABLE),
        Arguments.of(
            "NotAction: everything but deletion",
            "{\"Sid\":\"s\",\"Effect\":\"Allow\",\"Principal\":"
                + ALICE_P
                + ",\"NotAction\":[\"kms:ScheduleKeyDeletion\",\"kms:Delete*\"]}",
            ALICE,
            "kms:ScheduleKeyDeletion",
            Decision.NOT_APPLICABLE),
        Arguments.of(
            "NotAction: other actions apply",
            "{\"Sid\":\"s\",\"Effect\":\"Allow\",\"Principal\":"
                + ALICE_P
                + ",\"NotAction\":\"kms:ScheduleKeyDeletion\"}",
            ALICE,
            "kms:Decrypt",
            allow("s")),
        Arguments.of(
            "NotPrincipal Deny: everyone but alice",
            "{\"Sid\":\"a\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\"},"
                + "{\"Sid\":\"d\",\"Effect\":\"Deny\",\"NotPrincipal\":"
                + ALICE_P
                + ",\"Action\":\"*\"}",
            BOB,
            "kms:Decrypt",
            deny("d")),
        Arguments.of(
            "NotPrincipal Deny spares the principal it names",
            "{\"Sid\":\"a\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\"},"
                + "{\"Sid\":\"d\",\"Effect\":\"Deny\",\"NotPrincipal\":"
                + ALICE_P
                + ",\"Action\":\"*\"}",
            ALICE,
            "kms:Decrypt",
            allow("a")),
        Arguments.of(
            "a Deny after the Allow still wins",
            "{\"Sid\":\"a\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\"},"
                + "{\"Sid\":\"b\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\"},"
                + "{\"Sid\":\"d\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},"
                + "\"Action\":\"kms:Decrypt\"}",
            ALICE,
            "kms:Decrypt",
            deny("d")),
        Arguments.of(
            "a Resource naming this key",
            "{\"Sid\":\"s\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\","
                + "\"Resource\":\"arn:aws:kms:*:111122223333:key/k?\"}",
            ALICE,
            "kms:Decrypt",
            allow("s")),
        Arguments.of(
            "a Resource naming another key",
            "{\"Sid\":\"s\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\","
                + "\"Resource\":\"arn:aws:kms:us-east-1:111122223333:key/k2\"}",
            ALICE,
            "kms:Decrypt",
            Decision.NOT_APPLICABLE),
        Arguments.of(
            "a NotResource naming this key",
            "{\"Sid\":\"s\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\","
                + "\"NotResource\":\""
                + KEY
                + "\"}",
            ALICE,
            "kms:Decrypt",
            Decision.NOT_APPLICABLE),
        Arguments.of(
            "a NotResource naming another key",
            "{\"Sid\":\"s\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\","
                + "\"NotResource\":\"arn:aws:kms:us-east-1:111122223333:key/k2\"}",
            ALICE,
            "kms:Decrypt",
            allow("s")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void evaluate(
      String name, String statements, String principal, String action, Decision expected) {
    assertEquals(expected, evaluate(statements, principal, action));
  }

  @Test
  void conditionsOfOneStatement_areAnded_andItsKeysToo() {
    PolicyDocument policy =
        PolicyDocument.parse(
            """
            {"Statement": {"Sid": "s", "Effect": "Allow", "Action": "kms:*", "Resource": "*",
             "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333",
                                            "kms:EncryptionContext:App": "payroll"},
                           "Bool": {"aws:SecureTransport": "true"}}}}
            """,
            PolicyKind.IDENTITY_POLICY);
    Map<String, List<String>> all =
        Map.of(
            "kms:CallerAccount", List.of(ACCOUNT),
            "kms:EncryptionContext:App", List.of("payroll"),
            "aws:SecureTransport", List.of("true"));
    assertTrue(policy.evaluate(request(all)).isAllow());
    for (String missing : all.keySet()) {
      Map<String, List<String>> fewer = new java.util.HashMap<>(all);
      fewer.remove(missing);
      assertFalse(policy.evaluate(request(fewer)).isAllow(), "without " + missing);
    }
  }

  private static AuthzRequest request(Map<String, List<String>> keys) {
    return new AuthzRequest(ALICE, ACCOUNT, "kms:Decrypt", KEY, keys);
  }

  @Test
  void theRequestKeepsItsConditionKeysUnderCanonicalNames() {
    AuthzRequest request =
        new AuthzRequest(
            ALICE,
            ACCOUNT,
            "kms:Decrypt",
            KEY,
            Map.of(
                "AWS:SecureTransport",
                List.of("true"),
                "KMS:EncryptionContext:Dept",
                List.of("IT")));
    assertEquals(List.of("true"), request.values("aws:securetransport"));
    assertEquals(
        List.of("IT"), request.values(ConditionKeys.canonical("kms:EncryptionContext:Dept")));
    assertEquals(null, request.values(ConditionKeys.canonical("kms:EncryptionContext:dept")));
    assertFalse(request.isAccountLevel());
  }
}
