package org.hsmkms.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * IAM policy variables ("IAM policy elements: Variables and tags"): substituted from the request's
 * condition keys in Condition values of string and ARN operators and in the resource portion of a
 * Resource ARN, only in policies of Version 2012-10-17; defaults, escapes, and values without a
 * value.
 */
class PolicyVariablesTest {
  private static final String ALICE = "arn:aws:iam::111122223333:user/alice";
  private static final String KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd";

  /** The condition keys of a request by alice (aws:username as the lead puts it for IAM users). */
  private static Map<String, List<String>> aliceKeys() {
    Map<String, List<String>> keys = new HashMap<>();
    keys.put("aws:username", List.of("alice"));
    keys.put("aws:PrincipalArn", List.of(ALICE));
    keys.put("aws:PrincipalAccount", List.of("111122223333"));
    keys.put("aws:SourceIp", List.of("203.0.113.7"));
    keys.put("aws:CurrentTime", List.of("2026-08-01T12:00:00Z"));
    keys.put("kms:CallerAccount", List.of("111122223333"));
    keys.put("kms:EncryptionContext:user", List.of("alice"));
    keys.put("kms:EncryptionContext:pattern", List.of("a*"));
    keys.put("kms:EncryptionContext:both", List.of("x", "y"));
    return keys;
  }

  private static String version(String version) {
    return version.isEmpty() ? "" : "\"Version\":\"" + version + "\",";
  }

  /** Whether an Allow with the one condition {@code {op: {key: values}}} applies. */
  private static boolean conditionApplies(
      String version, String operator, String key, String values, String requestKey, String v) {
    String json =
        "{"
            + version(version)
            + "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":\"*\","
            + "\"Condition\":{\""
            + operator
            + "\":{\""
            + key
            + "\":"
            + values
            + "}}}}";
    Map<String, List<String>> keys = aliceKeys();
    if (requestKey != null) {
      keys.put(requestKey, List.of(v));
    }
    AuthzRequest request = new AuthzRequest(ALICE, "111122223333", "kms:Decrypt", KEY, keys);
    return PolicyDocument.parse(json, PolicyKind.IDENTITY_POLICY).evaluate(request).isAllow();
  }

  private static Arguments row(String operator, String values, String requestValue, boolean ok) {
    return Arguments.of(operator, values, requestValue, ok);
  }

  static Stream<Arguments> conditionValues() {
    return Stream.of(
        // The variable is replaced by the request's value of the key it names.
        row("StringEquals", "\"${aws:username}\"", "alice", true),
        row("StringEquals", "\"${aws:username}\"", "bob", false),
        row("StringEquals", "\"user-${aws:username}-x\"", "user-alice-x", true),
        row("StringEquals", "\"${aws:PrincipalAccount}\"", "111122223333", true),
        row("StringEquals", "\"${aws:SourceIp}\"", "203.0.113.7", true),
        row("StringEquals", "\"${aws:CurrentTime}\"", "2026-08-01T12:00:00Z", true),
        row("StringEquals", "\"${kms:EncryptionContext:user}\"", "alice", true),
        // Key names in any case, spaces around the key ignored; the value keeps its case.
        row("StringEquals", "\"${AWS:UserName}\"", "alice", true),
        row("StringEquals", "\"${ aws:username }\"", "alice", true),
        row("StringEquals", "\"${aws:username}\"", "Alice", false),
        row("StringEqualsIgnoreCase", "\"${aws:username}\"", "ALICE", true),
        // StringLike: the policy's own * is a wildcard; the substituted value's is not.
        row("StringLike", "\"${aws:username}/*\"", "alice/reports", true),
        row("StringLike", "\"${aws:username}/*\"", "bob/reports", false),
        row("StringLike", "\"${kms:EncryptionContext:pattern}\"", "abc", false),
        row("StringLike", "\"${kms:EncryptionContext:pattern}\"", "a*", true),
        // Escapes: a literal *, ? or $.
        row("StringLike", "\"a${*}b\"", "a*b", true),
        row("StringLike", "\"a${*}b\"", "axb", false),
        row("StringLike", "\"a${?}\"", "a?", true),
        row("StringLike", "\"a${?}\"", "ab", false),
        row("StringEquals", "\"${$}{aws:username}\"", "${aws:username}", true),
        row("StringEquals", "\"cost${$}\"", "cost$", true),
        // A default, used when the key has no value; '' is a quote; replaced once only.
        row("StringEquals", "\"${aws:PrincipalTag/team, 'none'}\"", "none", true),
        row("StringEquals", "\"${aws:username, 'none'}\"", "alice", true),
        row("StringEquals", "\"${aws:PrincipalTag/team,'it''s'}\"", "it's", true),
        row(
            "StringEquals",
            "\"${aws:PrincipalTag/team, '${aws:username}'}\"",
            "${aws:username}",
            true),
        row("StringEquals", "\"${aws:PrincipalTag/team, 'a}b'}\"", "a}b", true),
        // No value (absent key, or a key with several values) and no default: the value matches
        // nothing, so a positive operator fails and a negated one holds (IAM's Deny example).
        row("StringEquals", "\"${aws:PrincipalTag/team}\"", "", false),
        row("StringEquals", "\"${aws:PrincipalTag/team}\"", "${aws:PrincipalTag/team}", false),
        row("StringLike", "\"${aws:PrincipalTag/team}*\"", "anything", false),
        row("StringNotEquals", "\"${aws:PrincipalTag/team}\"", "blue", true),
        row("StringNotLike", "\"${aws:PrincipalTag/team}\"", "blue", true),
        row("StringEquals", "\"${kms:EncryptionContext:both}\"", "x", false),
        row("StringEquals", "[\"${aws:PrincipalTag/team}\", \"blue\"]", "blue", true),
        row("StringNotEquals", "[\"${aws:PrincipalTag/team}\", \"blue\"]", "blue", false),
        // Malformed variables never have a value; an unclosed one is literal text.
        row("StringEquals", "\"${aws:username, none}\"", "none", false),
        row("StringEquals", "\"${aws:username, 'a'b'}\"", "alice", false),
        row("StringEquals", "\"${}\"", "", false),
        row("StringEquals", "\"${aws:username\"", "${aws:username", true),
        // ARN operators: substituted before the ARN is split into its components.
        row("ArnEquals", "\"${aws:PrincipalArn}\"", ALICE, true),
        row("ArnLike", "\"arn:aws:iam::${aws:PrincipalAccount}:user/*\"", ALICE, true),
        row(
            "ArnLike",
            "\"arn:aws:iam::${aws:PrincipalAccount}:user/*\"",
            "arn:aws:iam::444455556666:user/x",
            false),
        row("ArnNotEquals", "\"${aws:PrincipalTag/owner}\"", ALICE, true),
        // Set qualifiers take substituted values too.
        row("ForAnyValue:StringEquals", "\"${aws:username}\"", "alice", true),
        row("ForAllValues:StringLike", "\"${aws:username}*\"", "bob", false));
  }

  @ParameterizedTest(name = "{0} {1} on {2}: {3}")
  @MethodSource("conditionValues")
  void conditionValue_withVariables_in2012Policy(
      String operator, String values, String requestValue, boolean expected) {
    assertEquals(
        expected,
        conditionApplies(
            "2012-10-17",
            operator,
            "kms:EncryptionContext:test",
            values,
            "kms:EncryptionContext:test",
            requestValue));
  }

  @ParameterizedTest(name = "Version \"{0}\": {1}")
  @CsvSource({
    // Without Version 2012-10-17, ${...} is literal text.
    "2008-10-17, alice, false",
    "2008-10-17, ${aws:username}, true",
    "'', alice, false",
    "'', ${aws:username}, true",
    "2012-10-17, alice, true",
    "2012-10-17, ${aws:username}, false"
  })
  void variables_onlyInVersion2012(String version, String requestValue, boolean expected) {
    assertEquals(
        expected,
        conditionApplies(
            version,
            "StringEquals",
            "kms:EncryptionContext:test",
            "\"${aws:username}\"",
            "kms:EncryptionContext:test",
            requestValue));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    // IAM: no variables "with other operators, such as Numeric, Date, Boolean, ... IP Address".
    "NumericEquals, kms:RotationPeriodInDays",
    "DateGreaterThan, aws:CurrentTime",
    "IpAddress, aws:SourceIp"
  })
  void variableInNonStringOperator_isNoValueOfThatOperator(String operator, String key) {
    assertThrows(
        MalformedPolicyException.class,
        () -> conditionApplies("2012-10-17", operator, key, "\"${" + key + "}\"", null, null));
  }

  /** Whether an Allow of kms:Decrypt on {@code resource} (or NotResource) applies to KEY. */
  private static boolean resourceApplies(String version, String element, String resource) {
    String json =
        "{"
            + version(version)
            + "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"kms:Decrypt\",\""
            + element
            + "\":\""
            + resource
            + "\"}}";
    Map<String, List<String>> keys = aliceKeys();
    keys.put("aws:PrincipalTag/key", List.of("1234abcd"));
    AuthzRequest request = new AuthzRequest(ALICE, "111122223333", "kms:Decrypt", KEY, keys);
    return PolicyDocument.parse(json, PolicyKind.IDENTITY_POLICY).evaluate(request).isAllow();
  }

  @ParameterizedTest(name = "{0} {1} {2}: {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        // In the resource portion of the ARN (after the fifth colon), variables are substituted.
        "2012-10-17 | Resource | arn:aws:kms:us-east-1:111122223333:key/${aws:PrincipalTag/key} | true",
        "2012-10-17 | Resource | arn:aws:kms:*:*:key/${aws:PrincipalTag/key} | true",
        "2012-10-17 | Resource | arn:aws:kms:*:*:key/${aws:username} | false",
        "2012-10-17 | Resource | arn:aws:kms:*:*:key/${aws:PrincipalTag/nope, '1234abcd'} | true",
        // A variable without a value: the Resource matches no resource; so NotResource applies.
        "2012-10-17 | Resource | arn:aws:kms:*:*:key/${aws:PrincipalTag/nope} | false",
        "2012-10-17 | Resource | arn:aws:kms:*:*:key/${aws:PrincipalTag/nope}* | false",
        "2012-10-17 | NotResource | arn:aws:kms:*:*:key/${aws:PrincipalTag/nope} | true",
        "2012-10-17 | NotResource | arn:aws:kms:*:*:key/${aws:PrincipalTag/key} | false",
        // Before the fifth colon a variable is not substituted ("You can't use a variable to
        // replace parts of the ARN before the fifth colon, such as the service or account").
        "2012-10-17 | Resource | arn:aws:kms:*:${aws:PrincipalAccount}:key/* | false",
        // An escape is a literal character, not a wildcard.
        "2012-10-17 | Resource | arn:aws:kms:*:*:key/${*} | false",
        "2012-10-17 | Resource | arn:aws:kms:*:*:key/* | true",
        // Version 2008-10-17: literal.
        "2008-10-17 | Resource | arn:aws:kms:*:*:key/${aws:PrincipalTag/key} | false"
      })
  void resource_withVariables(String version, String element, String resource, boolean ok) {
    assertEquals(ok, resourceApplies(version, element, resource));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "${aws:username} | alice",
        "x${*}${?}${$}y | x*?$y",
        "${aws:PrincipalTag/t, 'd'} | d",
        "no variables | no variables"
      })
  void template_resolvesFromTheRequestsKeys(String value, String expected) {
    PolicyVariables.Template template = PolicyVariables.parse(value);
    AuthzRequest request = new AuthzRequest(ALICE, "111122223333", "kms:Decrypt", KEY, aliceKeys());

    String resolved = template == null ? value : template.resolve(request).text();

    assertEquals(expected, resolved);
  }
}
