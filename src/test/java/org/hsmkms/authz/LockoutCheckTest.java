package org.hsmkms.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The default key policy, and the lockout safety check of PutKeyPolicy and CreateKey. */
class LockoutCheckTest {
  private static final String ACCOUNT = "111122223333";
  private static final String ALICE = "arn:aws:iam::" + ACCOUNT + ":user/alice";

  private static String policy(String statements) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[" + statements + "]}";
  }

  private static String statement(String effect, String principal, String action, String extra) {
    return "{\"Effect\":\""
        + effect
        + "\",\"Principal\":"
        + principal
        + ",\"Action\":\""
        + action
        + "\",\"Resource\":\"*\""
        + extra
        + "}";
  }

  private static final String ROOT = "{\"AWS\":\"arn:aws:iam::111122223333:root\"}";
  private static final String ALICE_P = "{\"AWS\":\"" + ALICE + "\"}";
  private static final String BOB_P = "{\"AWS\":\"arn:aws:iam::111122223333:user/bob\"}";

  static Stream<Arguments> policies() {
    return Stream.of(
        Arguments.of("the default key policy", DefaultKeyPolicy.forAccount(ACCOUNT), false),
        Arguments.of(
            "the account id as principal",
            policy(statement("Allow", "{\"AWS\":\"111122223333\"}", "kms:*", "")),
            false),
        Arguments.of(
            "the caller by ARN, kms:Put*",
            policy(statement("Allow", ALICE_P, "kms:Put*", "")),
            false),
        Arguments.of("anyone", policy(statement("Allow", "\"*\"", "kms:PutKeyPolicy", "")), false),
        Arguments.of(
            "a Resource naming a key (the key's ARN is not known yet)",
            policy(
                "{\"Effect\":\"Allow\",\"Principal\":"
                    + ALICE_P
                    + ",\"Action\":\"kms:*\",\"Resource\":\"arn:aws:kms:us-east-1:"
                    + ACCOUNT
                    + ":key/x\"}"),
            false),
        Arguments.of(
            "a condition on the caller's ARN that holds",
            policy(
                statement(
                    "Allow",
                    "\"*\"",
                    "kms:*",
                    ",\"Condition\":{\"StringEquals\":{\"aws:PrincipalArn\":\"" + ALICE + "\"}}")),
            false),
        Arguments.of("only another user", policy(statement("Allow", BOB_P, "kms:*", "")), true),
        Arguments.of(
            "the caller may use the key but not change the policy",
            policy(statement("Allow", ALICE_P, "kms:Decrypt", "")),
            true),
        Arguments.of(
            "another account's root",
            policy(statement("Allow", "{\"AWS\":\"444455556666\"}", "kms:*", "")),
            true),
        Arguments.of(
            "NotAction excluding PutKeyPolicy",
            policy(
                "{\"Effect\":\"Allow\",\"Principal\":"
                    + ROOT
                    + ",\"NotAction\":\"kms:PutKeyPolicy\",\"Resource\":\"*\"}"),
            true),
        Arguments.of(
            "an Allow to the root and a Deny of PutKeyPolicy to the caller",
            policy(
                statement("Allow", ROOT, "kms:*", "")
                    + ","
                    + statement("Deny", ALICE_P, "kms:PutKeyPolicy", "")),
            true),
        Arguments.of(
            "a Deny of kms:* to everyone",
            policy(
                statement("Allow", ALICE_P, "kms:*", "")
                    + ","
                    + statement("Deny", "\"*\"", "kms:*", "")),
            true),
        Arguments.of(
            "a Deny to another user does not matter",
            policy(
                statement("Allow", ROOT, "kms:*", "")
                    + ","
                    + statement("Deny", BOB_P, "kms:PutKeyPolicy", "")),
            false),
        Arguments.of(
            "a condition on a key the request lacks",
            policy(
                statement(
                    "Allow",
                    ALICE_P,
                    "kms:*",
                    ",\"Condition\":{\"StringEquals\":{\"aws:ResourceTag/x\":\"y\"}}")),
            true));
  }

  @ParameterizedTest(name = "{0}: locks out = {2}")
  @MethodSource("policies")
  void wouldLockOut(String name, String json, boolean expected) {
    PolicyDocument policy = PolicyDocument.parse(json, PolicyKind.KEY_POLICY);
    assertEquals(expected, LockoutCheck.wouldLockOut(policy, ALICE, ACCOUNT));
  }

  @Test
  void defaultKeyPolicy_givesTheAccountRootEverything() {
    PolicyDocument policy =
        PolicyDocument.parse(DefaultKeyPolicy.forAccount(ACCOUNT), PolicyKind.KEY_POLICY);
    Decision decision =
        policy.evaluate(
            AuthzRequest.of(
                "arn:aws:iam::111122223333:root",
                ACCOUNT,
                "kms:ScheduleKeyDeletion",
                "arn:aws:kms:us-east-1:111122223333:key/k"));
    assertEquals(new Decision(Decision.Outcome.ALLOW, "Enable IAM User Permissions"), decision);
    // Another account's root gets nothing from it.
    assertEquals(
        Decision.NOT_APPLICABLE,
        policy.evaluate(
            AuthzRequest.of(
                "arn:aws:iam::444455556666:root",
                "444455556666",
                "kms:Decrypt",
                "arn:aws:kms:us-east-1:111122223333:key/k")));
  }

  @Test
  void defaultKeyPolicy_refusesWhatIsNoAccountId() {
    assertThrows(IllegalArgumentException.class, () -> DefaultKeyPolicy.forAccount("1111\"}"));
  }
}
