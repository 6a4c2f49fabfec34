package org.hsmkms.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * AWS's condition operators, each with the key present (matching and not), absent, with {@code
 * IfExists}, and under the {@code ForAnyValue:} / {@code ForAllValues:} qualifiers.
 */
class ConditionOperatorTest {
  private static final String[] ABSENT = null;

  /** Whether a statement whose one condition is {@code {op: {key: values}}} applies. */
  private static boolean applies(
      String operator, String key, String policyValues, String requestKey, String... request) {
    String json =
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"kms:*\","
            + "\"Resource\":\"*\",\"Condition\":{\""
            + operator
            + "\":{\""
            + key
            + "\":"
            + policyValues
            + "}}}}";
    PolicyDocument policy = PolicyDocument.parse(json, PolicyKind.IDENTITY_POLICY);
    Map<String, List<String>> keys = new HashMap<>();
    keys.put("kms:Unrelated", List.of("x"));
    if (request != null) {
      keys.put(requestKey, new ArrayList<>(List.of(request)));
    }
    AuthzRequest authz =
        new AuthzRequest(
            "arn:aws:iam::111122223333:user/alice", "111122223333", "kms:Decrypt", "*", keys);
    return policy.evaluate(authz).isAllow();
  }

  private static Arguments row(
      String operator, String policyValues, String[] request, boolean expected) {
    return Arguments.of(operator, policyValues, request, expected);
  }

  private static String[] v(String... values) {
    return values;
  }

  static Stream<Arguments> singleValued() {
    return Stream.of(
        // String: exact and case-sensitive; policy values are ORed.
        row("StringEquals", "\"AES\"", v("AES"), true),
        row("StringEquals", "\"AES\"", v("aes"), false),
        row("StringEquals", "[\"RSA\",\"AES\"]", v("AES"), true),
        row("StringEquals", "\"AES\"", ABSENT, false),
        row("StringEquals", "\"AES\"", v(), false),
        row("StringEqualsIfExists", "\"AES\"", ABSENT, true),
        row("StringEqualsIfExists", "\"AES\"", v("RSA"), false),
        row("StringNotEquals", "\"AES\"", v("RSA"), true),
        row("StringNotEquals", "\"AES\"", v("AES"), false),
        row("StringNotEquals", "[\"RSA\",\"AES\"]", v("AES"), false),
        row("StringNotEquals", "\"AES\"", ABSENT, true),
        row("StringNotEqualsIfExists", "\"AES\"", ABSENT, true),
        row("StringEqualsIgnoreCase", "\"AES\"", v("aes"), true),
        row("StringEqualsIgnoreCase", "\"AES\"", v("rsa"), false),
        row("StringNotEqualsIgnoreCase", "\"AES\"", v("aes"), false),
        row("StringNotEqualsIgnoreCase", "\"AES\"", v("rsa"), true),
        row("StringNotEqualsIgnoreCase", "\"AES\"", ABSENT, true),
        // StringLike: * any run, ? one character, case-sensitive.
        row("StringLike", "\"alias/app-*\"", v("alias/app-prod"), true),
        row("StringLike", "\"alias/app-*\"", v("alias/App-prod"), false),
        row("StringLike", "\"alias/app-?\"", v("alias/app-1"), true),
        row("StringLike", "\"alias/app-?\"", v("alias/app-12"), false),
        row("StringLike", "\"*\"", v(""), true),
        row("StringLike", "\"a*b*c\"", v("aXbYbZc"), true),
        row("StringLike", "\"a*b*c\"", v("aXbYbZ"), false),
        row("StringLike", "\"alias/app-*\"", ABSENT, false),
        row("StringNotLike", "\"alias/app-*\"", v("alias/web"), true),
        row("StringNotLike", "\"alias/app-*\"", v("alias/app-x"), false),
        row("StringNotLike", "\"alias/app-*\"", ABSENT, true),
        row("StringLikeIfExists", "\"alias/app-*\"", ABSENT, true),
        // Numeric: compared as numbers; a request value that is no number matches nothing.
        row("NumericEquals", "90", v("90"), true),
        row("NumericEquals", "\"90\"", v("90.0"), true),
        row("NumericEquals", "90", v("91"), false),
        row("NumericEquals", "90", v("ninety"), false),
        row("NumericEquals", "90", ABSENT, false),
        row("NumericNotEquals", "90", v("91"), true),
        row("NumericNotEquals", "90", v("90"), false),
        row("NumericNotEquals", "90", ABSENT, true),
        row("NumericLessThan", "365", v("364"), true),
        row("NumericLessThan", "365", v("365"), false),
        row("NumericLessThanEquals", "365", v("365"), true),
        row("NumericLessThanEquals", "365", v("366"), false),
        row("NumericGreaterThan", "90", v("91"), true),
        row("NumericGreaterThan", "90", v("90"), false),
        row("NumericGreaterThanEquals", "90", v("90"), true),
        row("NumericGreaterThanEquals", "90", v("89"), false),
        row("NumericGreaterThanEquals", "90", ABSENT, false),
        row("NumericGreaterThanEqualsIfExists", "90", ABSENT, true),
        // Dates: ISO 8601 or epoch seconds, on either side.
        row("DateEquals", "\"2026-01-01T00:00:00Z\"", v("1767225600"), true),
        row("DateEquals", "\"2026-01-01\"", v("2026-01-01T00:00:00Z"), true),
        row("DateEquals", "\"2026-01-01T00:00:00Z\"", v("2026-01-01T01:00:00+01:00"), true),
        row("DateEquals", "\"2026-01-01T00:00:00Z\"", v("2026-01-01T00:00:01Z"), false),
        row("DateNotEquals", "\"2026-01-01T00:00:00Z\"", v("2026-01-02T00:00:00Z"), true),
        row("DateNotEquals", "\"2026-01-01T00:00:00Z\"", ABSENT, true),
        row("DateLessThan", "\"2026-01-01T00:00:00Z\"", v("2025-12-31T23:59:59Z"), true),
        row("DateLessThan", "\"2026-01-01T00:00:00Z\"", v("2026-01-01T00:00:00Z"), false),
        row("DateLessThanEquals", "\"2026-01-01T00:00:00Z\"", v("2026-01-01T00:00:00Z"), true),
        row("DateGreaterThan", "1767225600", v("2026-06-01T00:00:00Z"), true),
        row("DateGreaterThan", "1767225600", v("2025-06-01T00:00:00Z"), false),
        row("DateGreaterThanEquals", "\"2026-01-01T00:00:00Z\"", v("1767225600"), true),
        row("DateGreaterThan", "\"2026-01-01T00:00:00Z\"", v("yesterday"), false),
        row("DateGreaterThan", "\"2026-01-01T00:00:00Z\"", ABSENT, false),
        row("DateGreaterThanIfExists", "\"2026-01-01T00:00:00Z\"", ABSENT, true),
        // Bool: true/false in any case, from a JSON boolean or a string.
        row("Bool", "true", v("true"), true),
        row("Bool", "\"true\"", v("TRUE"), true),
        row("Bool", "false", v("true"), false),
        row("Bool", "true", ABSENT, false),
        row("BoolIfExists", "true", ABSENT, true),
        row("BoolIfExists", "true", v("false"), false),
        // Null: "true" asks for an absent key, "false" for a present one.
        row("Null", "true", ABSENT, true),
        row("Null", "true", v(), true),
        row("Null", "true", v("x"), false),
        row("Null", "false", v("x"), true),
        row("Null", "false", ABSENT, false),
        // Arn*: each of the six components matched on its own, with wildcards, case-sensitive.
        row(
            "ArnEquals",
            "\"arn:aws:iam::111122223333:role/App\"",
            v("arn:aws:iam::111122223333:role/App"),
            true),
        row(
            "ArnEquals",
            "\"arn:aws:iam::111122223333:role/App\"",
            v("arn:aws:iam::111122223333:role/app"),
            false),
        row(
            "ArnLike",
            "\"arn:aws:iam::*:role/App*\"",
            v("arn:aws:iam::444455556666:role/AppX"),
            true),
        row("ArnLike", "\"arn:aws:iam::*:role/App*\"", v("arn:aws:iam::4444:x:role/App"), false),
        row("ArnLike", "\"arn:aws:iam::*:role/*\"", v("arn:aws:iam::444455556666:user/bob"), false),
        row("ArnLike", "\"arn:aws:iam::*:role/*\"", v("not-an-arn"), false),
        row("ArnLike", "\"arn:aws:iam::*:role/*\"", ABSENT, false),
        row(
            "ArnNotEquals",
            "\"arn:aws:iam::111122223333:root\"",
            v("arn:aws:iam::111122223333:user/bob"),
            true),
        row(
            "ArnNotLike",
            "\"arn:aws:iam::111122223333:*\"",
            v("arn:aws:iam::111122223333:user/bob"),
            false),
        row("ArnNotLike", "\"arn:aws:iam::111122223333:*\"", ABSENT, true),
        row("ArnLikeIfExists", "\"arn:aws:iam::111122223333:*\"", ABSENT, true),
        // Operator names are read in any case, as IAM does.
        row("stringequals", "\"AES\"", v("AES"), true));
  }

  @ParameterizedTest(name = "{0} {1} on {2}: {3}")
  @MethodSource("singleValued")
  void operator_onOneKey(String operator, String policyValues, String[] request, boolean expected) {
    assertEquals(expected, applies(operator, "kms:KeySpec", policyValues, "kms:KeySpec", request));
  }

  static Stream<Arguments> setQualifiers() {
    String allowed = "[\"Department\",\"Project\"]";
    return Stream.of(
        // ForAllValues: every request value is among the policy values; an absent key matches.
        row("ForAllValues:StringEquals", allowed, v("Department"), true),
        row("ForAllValues:StringEquals", allowed, v("Department", "Project"), true),
        row("ForAllValues:StringEquals", allowed, v("Department", "Owner"), false),
        row("ForAllValues:StringEquals", allowed, ABSENT, true),
        row("ForAllValues:StringEquals", allowed, v(), true),
        row("ForAllValues:StringLike", "\"Dep*\"", v("Department", "Deputy"), true),
        row("ForAllValues:StringNotEquals", allowed, v("Owner", "Team"), true),
        row("ForAllValues:StringNotEquals", allowed, v("Owner", "Project"), false),
        row("ForAllValues:StringEqualsIfExists", allowed, ABSENT, true),
        // ForAnyValue: at least one request value is among them; an absent key does not match.
        row("ForAnyValue:StringEquals", allowed, v("Owner", "Project"), true),
        row("ForAnyValue:StringEquals", allowed, v("Owner"), false),
        row("ForAnyValue:StringEquals", allowed, ABSENT, false),
        row("ForAnyValue:StringEquals", allowed, v(), false),
        row("ForAnyValue:StringNotEquals", allowed, v("Department", "Owner"), true),
        row("ForAnyValue:StringNotEquals", allowed, v("Department", "Project"), false),
        row("ForAnyValue:StringNotEquals", allowed, ABSENT, false),
        row(
            "ForAnyValue:StringLike",
            "\"alias/finance-*\"",
            v("alias/hr", "alias/finance-app"),
            true),
        row("ForAnyValue:StringEqualsIfExists", allowed, ABSENT, true),
        row("ForAnyValue:StringEqualsIgnoreCase", allowed, v("department"), true),
        // Without a qualifier, several request values: a positive operator needs one to match, a
        // negated one needs none to.
        row("StringEquals", allowed, v("Owner", "Project"), true),
        row("StringNotEquals", allowed, v("Owner", "Project"), false),
        row("StringNotEquals", allowed, v("Owner", "Team"), true));
  }

  @ParameterizedTest(name = "{0} {1} on {2}: {3}")
  @MethodSource("setQualifiers")
  void setQualifier_onAMultiValuedKey(
      String operator, String policyValues, String[] request, boolean expected) {
    assertEquals(
        expected,
        applies(
            operator,
            "kms:EncryptionContextKeys",
            policyValues,
            "kms:EncryptionContextKeys",
            request));
  }

  static Stream<Arguments> keyNames() {
    return Stream.of(
        // Condition key names: case-insensitive, as AWS compares them.
        Arguments.of("kms:CallerAccount", "KMS:calleraccount", true),
        Arguments.of("aws:ResourceTag/Project", "aws:resourcetag/project", true),
        // The <k> of kms:EncryptionContext:<k> is the caller's data and keeps its case.
        Arguments.of("kms:EncryptionContext:Department", "KMS:encryptioncontext:Department", true),
        Arguments.of("kms:EncryptionContext:Department", "kms:EncryptionContext:department", false),
        // An unknown key is absent from every request: it never matches.
        Arguments.of("kms:NoSuchKey", "kms:CallerAccount", false));
  }

  @ParameterizedTest(name = "policy {0}, request {1}: {2}")
  @MethodSource("keyNames")
  void conditionKeyNames(String policyKey, String requestKey, boolean expected) {
    assertEquals(
        expected, applies("StringEquals", policyKey, "\"v\"", requestKey, new String[] {"v"}));
  }
}
