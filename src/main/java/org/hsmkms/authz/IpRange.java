package org.hsmkms.authz;

/**
 * An IPv4 or IPv6 address range in CIDR notation ({@code 203.0.113.0/24}, {@code 2001:db8::/32}),
 * or one address (a {@code /32} or {@code /128} range), as IAM's {@code IpAddress} and {@code
 * NotIpAddress} operators take it.
 *
 * <p>Security: parses address literals itself; never resolves a name (no {@link
 * java.net.InetAddress#getByName}, which would ask DNS for anything that is not a literal).
 */
final class IpRange {
  private final byte[] network;
  private final int prefix;

  private IpRange(byte[] network, int prefix) {
    this.network = network;
    this.prefix = prefix;
    // Bits beyond the prefix are ignored, as IAM ignores the host bits of 203.0.113.5/24.
    for (int bit = prefix; bit < network.length * 8; bit++) {
      network[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
  }

  /** The range a policy value names, or null when it is no address or CIDR range. */
  static IpRange parse(String value) {
    String v = value.trim();
    int slash = v.indexOf('/');
    String literal = slash < 0 ? v : v.substring(0, slash);
    byte[] address = literal.indexOf(':') < 0 ? ipv4(literal) : ipv6(literal);
    if (address == null) {
      return null;
    }
    int bits = address.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String p = v.substring(slash + 1);
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return null;
      }
      prefix = Integer.parseInt(p);
      if (prefix > bits) {
        return null;
      }
    }
    if (address.length == 16 && isIpv4Mapped(address) && prefix >= 96) {
      // ::ffff:192.0.2.0/120 is 192.0.2.0/24: request addresses are compared in that form.
      return new IpRange(
          new byte[] {address[12], address[13], address[14], address[15]}, prefix - 96);
    }
    return new IpRange(address, prefix);
  }

  /**
   * Whether the request's address is in this range. An IPv4 address and an IPv6 range (or the
   * reverse) never match, except that an IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.1}, as a
   * dual-stack socket reports an IPv4 client) is taken as its IPv4 address.
   */
  boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (address[full] & mask) == (network[full] & 0xff);
  }

  /**
   * The bytes of an IPv4 (4) or IPv6 (16) address literal, an IPv4-mapped IPv6 address as its 4
   * IPv4 bytes; null when the text is neither. IPv6 may be written with {@code ::}, in any case,
   * and with a dotted IPv4 tail; a zone ({@code %eth0}) or brackets are not addresses here.
   */
  static byte[] address(String text) {
    if (text.indexOf(':') < 0) {
      return ipv4(text);
    }
    byte[] v6 = ipv6(text);
    if (v6 != null && isIpv4Mapped(v6)) {
      return new byte[] {v6[12], v6[13], v6[14], v6[15]};
    }
    return v6;
  }

  private static byte[] ipv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      String part = parts[i];
      // Decimal only, at most 3 digits, no leading zeros (which some parsers read as octal).
      if (part.isEmpty()
          || part.length() > 3
          || (part.length() > 1 && part.charAt(0) == '0')
          || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return null;
      }
      int n = Integer.parseInt(part);
      if (n > 255) {
        return null;
      }
      out[i] = (byte) n;
    }
    return out;
  }

  private static byte[] ipv6(String text) {
    int gap = text.indexOf("::");
    if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
      return null; // "::" at most once
    }
    String head = gap < 0 ? text : text.substring(0, gap);
    String tail = gap < 0 ? "" : text.substring(gap + 2);
    int[] front = groups(head);
    int[] back = groups(tail);
    if (front == null || back == null) {
      return null;
    }
    int count = front.length + back.length;
    if (gap < 0 ? count != 8 : count > 7) {
      return null;
    }
    byte[] out = new byte[16];
    for (int i = 0; i < front.length; i++) {
      out[2 * i] = (byte) (front[i] >>> 8);
      out[2 * i + 1] = (byte) front[i];
    }
    for (int i = 0; i < back.length; i++) {
      int at = 8 - back.length + i;
      out[2 * at] = (byte) (back[i] >>> 8);
      out[2 * at + 1] = (byte) back[i];
    }
    return out;
  }

  /** The 16-bit groups of one side of "::"; a dotted IPv4 tail counts as two groups. */
  private static int[] groups(String text) {
    if (text.isEmpty()) {
      return new int[0];
    }
    String[] parts = text.split(":", -1);
    int n = parts.length;
    boolean dottedTail = parts[n - 1].indexOf('.') >= 0;
    int[] out = new int[dottedTail ? n + 1 : n];
    for (int i = 0; i < n; i++) {
      String part = parts[i];
      if (i == n - 1 && dottedTail) {
        byte[] v4 = ipv4(part);
        if (v4 == null) {
          return null;
        }
        out[i] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
        out[i + 1] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
        continue;
      }
      if (part.isEmpty() || part.length() > 4) {
        return null;
      }
      int value = 0;
      for (int j = 0; j < part.length(); j++) {
        int digit = Character.digit(part.charAt(j), 16);
        if (digit < 0) {
          return null;
        }
        value = (value << 4) | digit;
      }
      out[i] = value;
    }
    return out;
  }

  private static boolean isIpv4Mapped(byte[] v6) {
    for (int i = 0; i < 10; i++) {
      if (v6[i] != 0) {
        return false;
      }
    }
    return v6[10] == (byte) 0xff && v6[11] == (byte) 0xff;
  }
}
