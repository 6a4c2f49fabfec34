package org.hsmkms.authz;

import static org.hsmkms.authz.AwsPolicyExamples.ALICE;
import static org.hsmkms.authz.AwsPolicyExamples.ALL_ALIASES_TEST;
import static org.hsmkms.authz.AwsPolicyExamples.CONTEXT_KEYS_ONLY;
import static org.hsmkms.authz.AwsPolicyExamples.KEY;
import static org.hsmkms.authz.AwsPolicyExamples.OFFICE_ONLY;
import static org.hsmkms.authz.AwsPolicyExamples.OWNER_IS_CALLER;
import static org.hsmkms.authz.AwsPolicyExamples.REQUEST_ALIAS;
import static org.hsmkms.authz.AwsPolicyExamples.TAG_ABAC_WITH_DENY;
import static org.hsmkms.authz.AwsPolicyExamples.VIA_SERVICE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hsmkms.authz.Decision.Outcome;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What one policy document says about a request, for the condition examples of AWS's "AWS KMS
 * condition keys" and "ABAC for AWS KMS" pages (ABAC by tag and by alias, kms:RequestAlias,
 * kms:EncryptionContextKeys with ForAllValues, kms:CallerAccount with kms:ViaService), IAM's
 * aws:SourceIp and policy-variable examples, and AWS's rules for a condition key the request does
 * not have.
 */
class AwsConditionExamplesTest {
  private static final String DEVELOPER = "arn:aws:iam::111122223333:role/developer";

  /** A request on KEY; {@code keysAndValues} alternate names and values (a name may repeat). */
  private static AuthzRequest request(String principal, String action, String... keysAndValues) {
    Map<String, List<String>> keys = new HashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      keys.computeIfAbsent(keysAndValues[i], k -> new ArrayList<>()).add(keysAndValues[i + 1]);
    }
    String resource = action.equals("kms:CreateKey") ? AuthzRequest.ACCOUNT_LEVEL : KEY;
    return new AuthzRequest(principal, "111122223333", action, resource, keys);
  }

  private static Arguments row(
      String name, PolicyDocument policy, AuthzRequest request, Outcome outcome) {
    return Arguments.of(name, policy, request, outcome);
  }

  private static final Outcome ALLOW = Outcome.ALLOW;
  private static final Outcome DENY = Outcome.EXPLICIT_DENY;
  private static final Outcome NOTHING = Outcome.NOT_APPLICABLE;

  static Stream<Arguments> cases() {
    String gdk = "kms:GenerateDataKey";
    return Stream.of(
        // kms:RequestAlias: the alias by which the request names the key; another identifier of
        // the same key does not satisfy it.
        row(
            "request alias: named by the alias",
            REQUEST_ALIAS,
            request(DEVELOPER, gdk, "kms:RequestAlias", "alias/finance-key"),
            ALLOW),
        row(
            "request alias: named by key id",
            REQUEST_ALIAS,
            request(DEVELOPER, gdk, "kms:ResourceAliases", "alias/finance-key"),
            NOTHING),
        row(
            "request alias: another alias",
            REQUEST_ALIAS,
            request(DEVELOPER, gdk, "kms:RequestAlias", "alias/hr-key"),
            NOTHING),
        // kms:ResourceAliases with ForAllValues and ForAnyValue: all aliases, and at least one.
        row(
            "all aliases Test: two Test aliases",
            ALL_ALIASES_TEST,
            request(
                ALICE,
                "kms:DisableKey",
                "kms:ResourceAliases",
                "alias/MyTest",
                "kms:ResourceAliases",
                "alias/Test2"),
            ALLOW),
        row(
            "all aliases Test: one other alias",
            ALL_ALIASES_TEST,
            request(
                ALICE,
                "kms:DisableKey",
                "kms:ResourceAliases",
                "alias/MyTest",
                "kms:ResourceAliases",
                "alias/prod"),
            NOTHING),
        row(
            "all aliases Test: no alias (ForAnyValue refuses)",
            ALL_ALIASES_TEST,
            request(ALICE, "kms:DisableKey"),
            NOTHING),
        // kms:EncryptionContextKeys: only known keys, and a context required.
        row(
            "context keys: Department",
            CONTEXT_KEYS_ONLY,
            request(ALICE, "kms:Encrypt", "kms:EncryptionContextKeys", "Department"),
            ALLOW),
        row(
            "context keys: both",
            CONTEXT_KEYS_ONLY,
            request(
                ALICE,
                "kms:Encrypt",
                "kms:EncryptionContextKeys",
                "Project",
                "kms:EncryptionContextKeys",
                "Department"),
            ALLOW),
        row(
            "context keys: one unknown",
            CONTEXT_KEYS_ONLY,
            request(
                ALICE,
                "kms:Encrypt",
                "kms:EncryptionContextKeys",
                "Project",
                "kms:EncryptionContextKeys",
                "Owner"),
            NOTHING),
        row(
            "context keys: case matters",
            CONTEXT_KEYS_ONLY,
            request(ALICE, "kms:Encrypt", "kms:EncryptionContextKeys", "project"),
            NOTHING),
        row(
            "context keys: no context (Null refuses)",
            CONTEXT_KEYS_ONLY,
            request(ALICE, "kms:Encrypt"),
            NOTHING),
        // kms:ViaService with kms:CallerAccount: no request here comes through an AWS service.
        row(
            "via service: direct call is denied",
            VIA_SERVICE,
            request(ALICE, "kms:Decrypt", "kms:CallerAccount", "111122223333"),
            DENY),
        row(
            "via service: direct encrypt is not allowed",
            VIA_SERVICE,
            request(ALICE, "kms:Encrypt", "kms:CallerAccount", "111122223333"),
            NOTHING),
        row(
            "via service: through the service",
            VIA_SERVICE,
            request(
                ALICE,
                "kms:Encrypt",
                "kms:CallerAccount",
                "111122223333",
                "kms:ViaService",
                "ec2.us-east-1.amazonaws.com"),
            ALLOW),
        // ABAC by tag, with a Deny of Production keys and tag rules on CreateKey.
        row(
            "tags: Alpha key",
            TAG_ABAC_WITH_DENY,
            request(ALICE, "kms:Decrypt", "aws:ResourceTag/Project", "Alpha"),
            ALLOW),
        row(
            "tags: Alpha key in production",
            TAG_ABAC_WITH_DENY,
            request(
                ALICE,
                "kms:Decrypt",
                "aws:ResourceTag/Project",
                "Alpha",
                "aws:ResourceTag/Environment",
                "production"),
            DENY),
        row("tags: untagged key", TAG_ABAC_WITH_DENY, request(ALICE, "kms:Decrypt"), NOTHING),
        row(
            "tags: create with allowed tags",
            TAG_ABAC_WITH_DENY,
            request(
                ALICE,
                "kms:CreateKey",
                "aws:RequestTag/Project",
                "Alpha",
                "aws:TagKeys",
                "Project"),
            ALLOW),
        row(
            "tags: create with another tag key",
            TAG_ABAC_WITH_DENY,
            request(
                ALICE,
                "kms:CreateKey",
                "aws:RequestTag/Project",
                "Alpha",
                "aws:TagKeys",
                "Project",
                "aws:TagKeys",
                "CostCenter"),
            NOTHING),
        // A policy variable: the key's Owner tag is the caller's user name.
        row(
            "owner: alice's key",
            OWNER_IS_CALLER,
            request(
                ALICE, "kms:Decrypt", "aws:username", "alice", "aws:ResourceTag/Owner", "alice"),
            ALLOW),
        row(
            "owner: bob's key",
            OWNER_IS_CALLER,
            request(ALICE, "kms:Decrypt", "aws:username", "alice", "aws:ResourceTag/Owner", "bob"),
            NOTHING),
        row(
            "owner: a role has no user name",
            OWNER_IS_CALLER,
            request(DEVELOPER, "kms:Decrypt", "aws:ResourceTag/Owner", "developer"),
            NOTHING),
        // aws:SourceIp with NotIpAddress in a Deny.
        row(
            "office: from the office",
            OFFICE_ONLY,
            request(ALICE, "kms:Decrypt", "aws:SourceIp", "203.0.113.40"),
            ALLOW),
        row(
            "office: from the office over IPv6",
            OFFICE_ONLY,
            request(ALICE, "kms:Decrypt", "aws:SourceIp", "2001:db8:5::1"),
            ALLOW),
        row(
            "office: from elsewhere",
            OFFICE_ONLY,
            request(ALICE, "kms:Decrypt", "aws:SourceIp", "198.51.100.9"),
            DENY),
        row(
            "office: no source address (NotIpAddress matches)",
            OFFICE_ONLY,
            request(ALICE, "kms:Decrypt"),
            DENY));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void awsExample(String name, PolicyDocument policy, AuthzRequest request, Outcome expected) {
    assertEquals(expected, policy.evaluate(request).outcome());
  }

  /** A policy whose one statement has the one condition {@code {operator: {key: value}}}. */
  private static PolicyDocument withCondition(
      String effect, String operator, String key, String value) {
    return PolicyDocument.parse(
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"S\",\"Effect\":\""
            + effect
            + "\",\"Action\":\"kms:*\",\"Resource\":\"*\",\"Condition\":{\""
            + operator
            + "\":{\""
            + key
            + "\":\""
            + value
            + "\"}}}]}",
        PolicyKind.IDENTITY_POLICY);
  }

  static Stream<Arguments> unknownKeys() {
    return Stream.of(
        // A key the request lacks (here: one AWS does not define) never matches a positive
        // operator, whatever the effect; ...IfExists matches; a negated operator matches, as
        // IAM documents ("StringNotEquals ... matches if the key is not present").
        Arguments.of("Allow", "StringEquals", NOTHING, "v"),
        Arguments.of("Deny", "StringEquals", NOTHING, "v"),
        Arguments.of("Deny", "StringLike", NOTHING, "v"),
        Arguments.of("Deny", "NumericEquals", NOTHING, "90"),
        Arguments.of("Deny", "ArnLike", NOTHING, "v"),
        Arguments.of("Deny", "Bool", NOTHING, "true"),
        Arguments.of("Allow", "StringEqualsIfExists", ALLOW, "v"),
        Arguments.of("Deny", "StringEqualsIfExists", DENY, "v"),
        Arguments.of("Deny", "StringNotEquals", DENY, "v"),
        Arguments.of("Allow", "ForAnyValue:StringEquals", NOTHING, "v"),
        Arguments.of("Allow", "ForAllValues:StringEquals", ALLOW, "v"));
  }

  @ParameterizedTest(name = "{0} with {1} on an unknown key: {2}")
  @MethodSource("unknownKeys")
  void conditionOnAnUnknownKey(String effect, String operator, Outcome expected, String value) {
    PolicyDocument policy = withCondition(effect, operator, "kms:NoSuchConditionKey", value);
    AuthzRequest request =
        new AuthzRequest(
            ALICE,
            "111122223333",
            "kms:Decrypt",
            KEY,
            Map.of("kms:CallerAccount", List.of("111122223333")));

    assertEquals(expected, policy.evaluate(request).outcome());
  }

  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "StringEqualz",
        "ForSomeValues:StringEquals",
        "IfExists",
        "StringEqualsIfExistsIfExists",
        "ForAnyValue:",
        "ForAllValues:ForAnyValue:StringEquals",
        "NullIfExists",
        "ForAnyValue:Null",
        "IpAddressLike"
      })
  void anUnknownOperator_isMalformedAtParseTime(String operator) {
    org.junit.jupiter.api.Assertions.assertThrows(
        MalformedPolicyException.class,
        () -> withCondition("Allow", operator, "kms:CallerAccount", "true"));
  }
}
