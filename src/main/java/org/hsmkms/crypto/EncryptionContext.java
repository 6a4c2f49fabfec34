package org.hsmkms.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * An AWS encryption context: non-secret key-value pairs bound to a ciphertext as additional
 * authenticated data.
 *
 * <p>The canonical form is unambiguous: a 2-byte pair count, then the pairs sorted by the UTF-8
 * bytes of their keys (unsigned), each key and value as a 2-byte big-endian length followed by its
 * UTF-8 bytes. So {@code {"ab":"c"}} and {@code {"a":"bc"}} never share a canonical form.
 */
public final class EncryptionContext {
  private static final Comparator<byte[]> UNSIGNED = Arrays::compareUnsigned;
  private static final EncryptionContext EMPTY = new EncryptionContext(Map.of());

  private final Map<String, String> pairs;

  private EncryptionContext(Map<String, String> pairs) {
    this.pairs = pairs;
  }

  public static EncryptionContext empty() {
    return EMPTY;
  }

  public static EncryptionContext of(Map<String, String> pairs) {
    if (pairs == null || pairs.isEmpty()) {
      return EMPTY;
    }
    return new EncryptionContext(Collections.unmodifiableMap(new LinkedHashMap<>(pairs)));
  }

  public Map<String, String> pairs() {
    return pairs;
  }

  /** Keys only: safe to log or audit (values may be sensitive to some users). */
  public java.util.Set<String> keys() {
    return pairs.keySet();
  }

  public byte[] canonicalBytes() {
    TreeMap<byte[], byte[]> sorted = new TreeMap<>(UNSIGNED);
    for (Map.Entry<String, String> e : pairs.entrySet()) {
      sorted.put(utf8(e.getKey()), utf8(e.getValue()));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeLength(out, sorted.size());
    for (Map.Entry<byte[], byte[]> e : sorted.entrySet()) {
      writeLength(out, e.getKey().length);
      out.writeBytes(e.getKey());
      writeLength(out, e.getValue().length);
      out.writeBytes(e.getValue());
    }
    return out.toByteArray();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void writeLength(ByteArrayOutputStream out, int length) {
    if (length > 0xFFFF) {
      // Bounded well below this by the API (EncryptionContext is limited by request size).
      throw new IllegalArgumentException("encryption context element too long");
    }
    out.write(length >>> 8);
    out.write(length & 0xFF);
  }

  @Override
  public String toString() {
    return "EncryptionContext" + keys();
  }
}
