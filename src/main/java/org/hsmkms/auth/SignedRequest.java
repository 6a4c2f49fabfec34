package org.hsmkms.auth;

import java.util.List;
import java.util.Map;

/**
 * The parts of an HTTP request that a signature covers, independent of the HTTP server.
 *
 * @param headers header names in lower case, each with its values in arrival order
 */
public record SignedRequest(
    String method, String path, String rawQuery, Map<String, List<String>> headers, byte[] body) {

  /** The first value of a header (name in any case), or null. */
  public String header(String name) {
    List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  @Override
  public String toString() {
    return "SignedRequest[" + method + " " + path + "]";
  }
}
