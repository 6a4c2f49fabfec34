package org.hsmkms.crypto;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The few pieces of DER (ITU-T X.690) that key and signature encodings need: an encoder that writes
 * a tree of values into one exactly sized array, and a bounded reader for untrusted input.
 *
 * <p>Security: the encoder computes every length first and writes once, so no intermediate buffer
 * (as a growing stream would leave behind) ever holds a copy of private key components; the nodes
 * only reference the caller's arrays, which the caller zeroes. The reader checks every length
 * against what remains before reading and answers malformed input with an empty result.
 */
public final class Der {
  static final int INTEGER = 0x02;
  static final int BIT_STRING = 0x03;
  static final int OCTET_STRING = 0x04;
  static final int NULL = 0x05;
  static final int OID = 0x06;
  static final int SEQUENCE = 0x30;

  private Der() {}

  /** One DER value to be encoded. */
  public abstract static class Node {
    private Node() {}

    abstract int contentLength();

    abstract int write(byte[] out, int pos);

    int encodedLength() {
      int len = contentLength();
      return 1 + lengthOfLength(len) + len;
    }

    /** The encoding in a fresh array of exactly the right size. */
    public final byte[] encode() {
      byte[] out = new byte[encodedLength()];
      int end = write(out, 0);
      if (end != out.length) {
        throw new IllegalStateException("DER length mismatch");
      }
      return out;
    }
  }

  /** An INTEGER of the unsigned big-endian magnitude {@code bytes} (referenced, not copied). */
  public static Node unsignedInteger(byte[] bytes) {
    return new Node() {
      private int skip() {
        int i = 0;
        while (i < bytes.length - 1 && bytes[i] == 0) {
          i++;
        }
        return i;
      }

      @Override
      int contentLength() {
        if (bytes.length == 0) {
          return 1;
        }
        int skip = skip();
        return bytes.length - skip + ((bytes[skip] & 0x80) != 0 ? 1 : 0);
      }

      @Override
      int write(byte[] out, int pos) {
        pos = header(out, pos, INTEGER, contentLength());
        if (bytes.length == 0) {
          out[pos] = 0;
          return pos + 1;
        }
        int skip = skip();
        if ((bytes[skip] & 0x80) != 0) {
          out[pos++] = 0;
        }
        System.arraycopy(bytes, skip, out, pos, bytes.length - skip);
        return pos + bytes.length - skip;
      }
    };
  }

  /** A small non-negative INTEGER (versions). */
  public static Node integer(int value) {
    if (value < 0 || value > 127) {
      throw new IllegalArgumentException("small integers only");
    }
    return primitive(INTEGER, new byte[] {(byte) value});
  }

  public static Node octetString(byte[] content) {
    return primitive(OCTET_STRING, content);
  }

  /** An OCTET STRING whose content is the encoding of {@code inner}. */
  public static Node octetString(Node inner) {
    return constructedLike(OCTET_STRING, List.of(inner));
  }

  /** A BIT STRING with no unused bits. */
  public static Node bitString(byte[] content) {
    return new Node() {
      @Override
      int contentLength() {
        return 1 + content.length;
      }

      @Override
      int write(byte[] out, int pos) {
        pos = header(out, pos, BIT_STRING, contentLength());
        out[pos++] = 0;
        System.arraycopy(content, 0, out, pos, content.length);
        return pos + content.length;
      }
    };
  }

  /** A BIT STRING (no unused bits) whose content is the encoding of {@code inner}. */
  public static Node bitString(Node inner) {
    return new Node() {
      @Override
      int contentLength() {
        return 1 + inner.encodedLength();
      }

      @Override
      int write(byte[] out, int pos) {
        pos = header(out, pos, BIT_STRING, contentLength());
        out[pos++] = 0;
        return inner.write(out, pos);
      }
    };
  }

  /** A value already DER-encoded (tag included), such as an OBJECT IDENTIFIER constant. */
  public static Node raw(byte[] encoded) {
    return new Node() {
      @Override
      int contentLength() {
        throw new UnsupportedOperationException("a raw node has no separate content");
      }

      @Override
      int encodedLength() {
        return encoded.length;
      }

      @Override
      int write(byte[] out, int pos) {
        System.arraycopy(encoded, 0, out, pos, encoded.length);
        return pos + encoded.length;
      }
    };
  }

  public static Node nullValue() {
    return primitive(NULL, new byte[0]);
  }

  public static Node sequence(Node... children) {
    return constructedLike(SEQUENCE, List.of(children));
  }

  /** A constructed context-specific tag {@code [n]} wrapping {@code inner} (explicit tagging). */
  public static Node explicit(int n, Node inner) {
    return constructedLike(0xA0 | n, List.of(inner));
  }

  private static Node primitive(int tag, byte[] content) {
    return new Node() {
      @Override
      int contentLength() {
        return content.length;
      }

      @Override
      int write(byte[] out, int pos) {
        pos = header(out, pos, tag, content.length);
        System.arraycopy(content, 0, out, pos, content.length);
        return pos + content.length;
      }
    };
  }

  private static Node constructedLike(int tag, List<Node> children) {
    return new Node() {
      @Override
      int contentLength() {
        int sum = 0;
        for (Node c : children) {
          sum += c.encodedLength();
        }
        return sum;
      }

      @Override
      int write(byte[] out, int pos) {
        pos = header(out, pos, tag, contentLength());
        for (Node c : children) {
          pos = c.write(out, pos);
        }
        return pos;
      }
    };
  }

  private static int lengthOfLength(int len) {
    if (len < 0x80) {
      return 1;
    }
    int n = 0;
    for (int v = len; v > 0; v >>>= 8) {
      n++;
    }
    return 1 + n;
  }

  private static int header(byte[] out, int pos, int tag, int len) {
    out[pos++] = (byte) tag;
    if (len < 0x80) {
      out[pos++] = (byte) len;
      return pos;
    }
    int n = lengthOfLength(len) - 1;
    out[pos++] = (byte) (0x80 | n);
    for (int i = n - 1; i >= 0; i--) {
      out[pos++] = (byte) (len >>> (8 * i));
    }
    return pos;
  }

  /**
   * A bounded reader over untrusted DER. Every read checks the remaining length; a failure makes
   * the reader return empty from then on.
   */
  public static final class Reader {
    private final byte[] in;
    private int pos;
    private final int end;

    public Reader(byte[] in) {
      this(in, 0, in.length);
    }

    private Reader(byte[] in, int from, int end) {
      this.in = in;
      this.pos = from;
      this.end = end;
    }

    public boolean atEnd() {
      return pos == end;
    }

    /** The next value's tag, or -1 at the end. */
    public int peekTag() {
      return pos < end ? in[pos] & 0xFF : -1;
    }

    /** Reads a value with {@code tag}; returns a reader over its content. */
    public Optional<Reader> read(int tag) {
      return span(tag).map(s -> new Reader(in, s[0], s[1]));
    }

    /** Reads a value with {@code tag}; returns a copy of its content. */
    public Optional<byte[]> readContent(int tag) {
      return span(tag).map(s -> Arrays.copyOfRange(in, s[0], s[1]));
    }

    /** Reads any value and returns its whole encoding (tag and length included). */
    public Optional<byte[]> readEncoded() {
      int start = pos;
      if (pos >= end) {
        return Optional.empty();
      }
      return span(in[pos] & 0xFF).map(s -> Arrays.copyOfRange(in, start, s[1]));
    }

    /** {@code [contentStart, contentEnd)} of the next value if its tag is {@code tag}. */
    private Optional<int[]> span(int tag) {
      if (end - pos < 2 || (in[pos] & 0xFF) != tag) {
        return Optional.empty();
      }
      int p = pos + 1;
      int first = in[p++] & 0xFF;
      int len;
      if (first < 0x80) {
        len = first;
      } else {
        int n = first & 0x7F;
        // DER: the long form only for lengths >= 128, minimal, at most 4 bytes here.
        if (n == 0 || n > 4 || end - p < n || in[p] == 0) {
          return Optional.empty();
        }
        long l = 0;
        for (int i = 0; i < n; i++) {
          l = (l << 8) | (in[p++] & 0xFF);
        }
        if (l < 0x80 || l > Integer.MAX_VALUE) {
          return Optional.empty();
        }
        len = (int) l;
      }
      if (len > end - p) {
        return Optional.empty();
      }
      pos = p + len;
      return Optional.of(new int[] {p, p + len});
    }
  }

  /**
   * The magnitude of a DER INTEGER's content as exactly {@code size} unsigned big-endian bytes;
   * empty if it is negative, not minimal, or does not fit.
   */
  public static Optional<byte[]> unsignedFixed(byte[] content, int size) {
    if (content.length == 0 || (content[0] & 0x80) != 0) {
      return Optional.empty();
    }
    if (content.length > 1 && content[0] == 0 && (content[1] & 0x80) == 0) {
      return Optional.empty();
    }
    int skip = content[0] == 0 && content.length > 1 ? 1 : 0;
    int len = content.length - skip;
    if (len > size) {
      return Optional.empty();
    }
    byte[] out = new byte[size];
    System.arraycopy(content, skip, out, size - len, len);
    return Optional.of(out);
  }
}
