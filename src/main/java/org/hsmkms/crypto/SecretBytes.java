package org.hsmkms.crypto;

import java.util.Arrays;

/**
 * Holds plaintext key material or data in memory for as short a time as possible.
 *
 * <p>Security: the constructor takes ownership of the array (no copy, so no second plaintext copy
 * exists); {@link #copy()} hands out copies; {@link #close()} zeroes the array. It has no {@code
 * equals}/{@code hashCode} and prints as {@code [REDACTED]}.
 */
public final class SecretBytes implements AutoCloseable {
  private final byte[] bytes;
  private volatile boolean closed;

  private SecretBytes(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Takes ownership of {@code bytes}: the caller must not use or zero the array afterwards. */
  public static SecretBytes wrap(byte[] bytes) {
    return new SecretBytes(bytes);
  }

  public int length() {
    return bytes.length;
  }

  /** A copy the caller owns and must zero. */
  public byte[] copy() {
    if (closed) {
      throw new IllegalStateException("secret already closed");
    }
    return bytes.clone();
  }

  /**
   * The held array itself, without a copy, for the one call that consumes it (e.g. encoding it into
   * a response). The caller must not keep or modify it.
   */
  public byte[] unsafeView() {
    if (closed) {
      throw new IllegalStateException("secret already closed");
    }
    return bytes;
  }

  @Override
  public void close() {
    closed = true;
    Arrays.fill(bytes, (byte) 0);
  }

  @Override
  public String toString() {
    return "[REDACTED]";
  }
}
