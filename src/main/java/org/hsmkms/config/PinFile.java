package org.hsmkms.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A PIN kept in a file ({@code hsm.pinFile}): its first line, without surrounding white space, so
 * that a file written by {@code echo} or an editor (trailing newline, CRLF) gives the same PIN.
 *
 * <p>Security: the PIN is returned as a {@code char[]} for the caller to zero; the bytes read and
 * the characters decoded on the way are zeroed here, and no {@code String} of the PIN is made.
 */
public final class PinFile {
  private PinFile() {}

  /**
   * The token PIN a configuration names: from {@code hsm.pinFile} if set, else from the environment
   * variable {@code hsm.pinEnv}. The caller zeroes the answer.
   */
  public static char[] readFor(Config.Hsm hsm) throws IOException {
    if (hsm.pinFile() != null) {
      return read(Path.of(hsm.pinFile()));
    }
    String pin = System.getenv(hsm.pinEnv());
    if (pin == null || pin.isEmpty()) {
      throw new IllegalArgumentException(
          "environment variable " + hsm.pinEnv() + " (hsm.pinEnv) is not set");
    }
    return pin.toCharArray();
  }

  /** The PIN in {@code file}; the caller zeroes the answer. */
  public static char[] read(Path file) throws IOException {
    byte[] raw = Files.readAllBytes(file);
    CharBuffer decoded = null;
    try {
      decoded = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(raw));
      int end = 0;
      while (end < decoded.limit() && decoded.get(end) != '\n') {
        end++;
      }
      int start = 0;
      while (start < end && Character.isWhitespace(decoded.get(start))) {
        start++;
      }
      while (end > start && Character.isWhitespace(decoded.get(end - 1))) {
        end--;
      }
      char[] pin = new char[end - start];
      decoded.get(start, pin);
      return pin;
    } finally {
      Arrays.fill(raw, (byte) 0);
      if (decoded != null && decoded.hasArray()) {
        Arrays.fill(decoded.array(), '\0');
      }
    }
  }
}
