package org.hsmkms.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * IAM's {@code IpAddress} and {@code NotIpAddress} over {@code aws:SourceIp}: IPv4 and IPv6, CIDR
 * ranges and single addresses, {@code ...IfExists}, the set qualifiers, and the values a policy may
 * not hold.
 */
class IpAddressConditionTest {
  private static final String[] ABSENT = null;

  private static PolicyDocument policy(String operator, String values) {
    return PolicyDocument.parse(
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"kms:*\","
            + "\"Resource\":\"*\",\"Condition\":{\""
            + operator
            + "\":{\"aws:SourceIp\":"
            + values
            + "}}}}",
        PolicyKind.IDENTITY_POLICY);
  }

  private static boolean applies(String operator, String values, String... sourceIps) {
    Map<String, List<String>> keys =
        sourceIps == null ? Map.of() : Map.of("aws:SourceIp", new ArrayList<>(List.of(sourceIps)));
    AuthzRequest request =
        new AuthzRequest(
            "arn:aws:iam::111122223333:user/alice", "111122223333", "kms:Decrypt", "*", keys);
    return policy(operator, values).evaluate(request).isAllow();
  }

  private static Arguments row(String operator, String values, String[] ips, boolean expected) {
    return Arguments.of(operator, values, ips, expected);
  }

  private static String[] ip(String... values) {
    return values;
  }

  static Stream<Arguments> cases() {
    String office = "[\"203.0.113.0/24\",\"2001:db8:1234::/48\"]";
    return Stream.of(
        // IPv4: a range, its edges, outside it; a single address is a /32.
        row("IpAddress", "\"203.0.113.0/24\"", ip("203.0.113.7"), true),
        row("IpAddress", "\"203.0.113.0/24\"", ip("203.0.113.0"), true),
        row("IpAddress", "\"203.0.113.0/24\"", ip("203.0.113.255"), true),
        row("IpAddress", "\"203.0.113.0/24\"", ip("203.0.114.1"), false),
        row("IpAddress", "\"203.0.113.5\"", ip("203.0.113.5"), true),
        row("IpAddress", "\"203.0.113.5\"", ip("203.0.113.6"), false),
        row("IpAddress", "\"203.0.113.5/32\"", ip("203.0.113.5"), true),
        row("IpAddress", "\"10.0.0.0/7\"", ip("11.255.0.1"), true),
        row("IpAddress", "\"10.0.0.0/7\"", ip("12.0.0.1"), false),
        row("IpAddress", "\"0.0.0.0/0\"", ip("198.51.100.1"), true),
        // Host bits beyond the prefix are ignored.
        row("IpAddress", "\"203.0.113.77/24\"", ip("203.0.113.1"), true),
        // IPv6: compressed, full, mixed case, a dotted tail.
        row("IpAddress", "\"2001:db8:1234::/48\"", ip("2001:db8:1234:ffff::1"), true),
        row("IpAddress", "\"2001:db8:1234::/48\"", ip("2001:db8:1235::1"), false),
        row("IpAddress", "\"2001:DB8::/32\"", ip("2001:0db8:0000:0000:0000:0000:0000:0001"), true),
        row("IpAddress", "\"::1\"", ip("0:0:0:0:0:0:0:1"), true),
        row("IpAddress", "\"2001:db8::/126\"", ip("2001:db8::3"), true),
        row("IpAddress", "\"2001:db8::/126\"", ip("2001:db8::4"), false),
        row("IpAddress", "\"64:ff9b::/96\"", ip("64:ff9b::192.0.2.33"), true),
        // IPv4 and IPv6 never match each other; an IPv4-mapped IPv6 address is its IPv4 address.
        row("IpAddress", "\"203.0.113.0/24\"", ip("2001:db8::1"), false),
        row("IpAddress", "\"::/0\"", ip("203.0.113.1"), false),
        row("IpAddress", "\"203.0.113.0/24\"", ip("::ffff:203.0.113.9"), true),
        row("IpAddress", "\"::ffff:203.0.113.0/120\"", ip("203.0.113.9"), true),
        // Several policy values are ORed.
        row("IpAddress", office, ip("2001:db8:1234:1::5"), true),
        row("IpAddress", office, ip("203.0.113.200"), true),
        row("IpAddress", office, ip("198.51.100.1"), false),
        // A request value that is no address is in no range.
        row("IpAddress", "\"0.0.0.0/0\"", ip("localhost"), false),
        row("IpAddress", "\"0.0.0.0/0\"", ip("203.0.113.256"), false),
        // Absent: IpAddress does not match, NotIpAddress does, ...IfExists does.
        row("IpAddress", "\"203.0.113.0/24\"", ABSENT, false),
        row("IpAddressIfExists", "\"203.0.113.0/24\"", ABSENT, true),
        row("IpAddressIfExists", "\"203.0.113.0/24\"", ip("198.51.100.1"), false),
        row("NotIpAddress", "\"203.0.113.0/24\"", ABSENT, true),
        row("NotIpAddressIfExists", "\"203.0.113.0/24\"", ABSENT, true),
        // NotIpAddress: in none of the ranges.
        row("NotIpAddress", "\"203.0.113.0/24\"", ip("198.51.100.1"), true),
        row("NotIpAddress", "\"203.0.113.0/24\"", ip("203.0.113.1"), false),
        row("NotIpAddress", office, ip("2001:db8:1234::1"), false),
        row("NotIpAddress", office, ip("2001:db8:9999::1"), true),
        // The set qualifiers, as with the other operators.
        row("ForAnyValue:IpAddress", office, ip("198.51.100.1", "203.0.113.1"), true),
        row("ForAnyValue:IpAddress", office, ip("198.51.100.1"), false),
        row("ForAnyValue:IpAddress", office, ABSENT, false),
        row("ForAllValues:IpAddress", office, ip("203.0.113.1", "2001:db8:1234::9"), true),
        row("ForAllValues:IpAddress", office, ip("203.0.113.1", "198.51.100.1"), false),
        row("ForAllValues:IpAddress", office, ABSENT, true),
        row("ForAllValues:NotIpAddress", office, ip("198.51.100.1", "192.0.2.1"), true),
        row("ForAnyValue:NotIpAddress", office, ip("203.0.113.1", "192.0.2.1"), true),
        // Operator names in any case, as IAM reads them.
        row("ipaddress", "\"203.0.113.0/24\"", ip("203.0.113.1"), true));
  }

  @ParameterizedTest(name = "{0} {1} on {2}: {3}")
  @MethodSource("cases")
  void ipAddressOperator_onSourceIp(
      String operator, String values, String[] sourceIps, boolean expected) {
    assertEquals(expected, applies(operator, values, sourceIps));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "\"not-an-ip\"",
        "\"example.com\"",
        "\"203.0.113.0/33\"",
        "\"2001:db8::/129\"",
        "\"203.0.113.0/\"",
        "\"203.0.113.0/-1\"",
        "\"203.0.113\"",
        "\"203.0.113.1.1\"",
        "\"203.0.113.01\"",
        "\"1:2:3:4:5:6:7:8:9\"",
        "\"2001:db8::1::2\"",
        "\"2001:db8:::1\"",
        "\"fe80::1%eth0\"",
        "\"[::1]\"",
        "\"\"",
        "[\"203.0.113.0/24\", \"nope\"]"
      })
  void policyValue_thatIsNoAddressOrRange_isMalformed(String values) {
    MalformedPolicyException e =
        assertThrows(MalformedPolicyException.class, () -> policy("IpAddress", values));

    assertTrue(e.getMessage().contains("IpAddress"), e.getMessage());
  }

  @Test
  void ipAddress_withIfExistsAndQualifier_compiles() {
    assertNotNull(policy("ForAnyValue:NotIpAddressIfExists", "\"203.0.113.0/24\""));
  }

  @Test
  void addressParser_acceptsOnlyLiterals() {
    assertEquals(4, IpRange.address("192.0.2.1").length);
    assertEquals(16, IpRange.address("2001:db8::1").length);
    assertEquals(16, IpRange.address("::").length);
    assertEquals(4, IpRange.address("::ffff:192.0.2.1").length);
    assertNull(IpRange.address("localhost"));
    assertNull(IpRange.address("192.0.2"));
    assertNull(IpRange.address("12345::"));
    assertNull(IpRange.address(":"));
    assertNull(IpRange.address(":::"));
  }
}
