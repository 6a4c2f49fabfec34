package org.hsmkms.bench;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.Locale;
import java.util.regex.Pattern;
import org.hsmkms.bench.SignedClient.Answer;

/**
 * HTTP/1.1 answers read off one connection's bytes: the status line and headers, then the body by
 * its {@code Content-Length}, by {@code Transfer-Encoding: chunked}, or up to the connection's
 * close. One answer at a time, as the client sends one request at a time per connection. Used on
 * the connection's event loop only.
 */
final class AnswerReader {
  /** Compiled once: {@code String.split("\r\n")} compiles its pattern on every call. */
  private static final Pattern LINE_BREAK = Pattern.compile("\r\n", Pattern.LITERAL);

  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] CRLF_CRLF = {'\r', '\n', '\r', '\n'};

  private Buffer in = Buffer.buffer();

  // The answer being read.
  private int status;
  private int headerEnd = -1;
  private long contentLength;
  private boolean chunked;
  private boolean closeAfter;

  /** Bytes received from the server. */
  void append(Buffer data) {
    in.appendBuffer(data);
  }

  /**
   * Whether the server closes the connection after the answer last returned by {@link #next}
   * ({@code Connection: close}, or HTTP/1.0 without keep-alive).
   */
  boolean closeAfter() {
    return closeAfter;
  }

  /**
   * The answer, once all of it is in, or null while more is to come; {@code atClose}: the server
   * has closed the connection, so what is in is all there will be.
   *
   * @throws IOException if the bytes are no HTTP/1.x answer, or the connection closed within one
   */
  Answer next(boolean atClose) throws IOException {
    if (headerEnd < 0 && !readHead()) {
      if (atClose) {
        throw new IOException("connection closed before an answer");
      }
      return null;
    }
    byte[] body;
    if (chunked) {
      body = dechunk();
      if (body == null) {
        if (atClose) {
          throw new IOException("connection closed within a chunked answer");
        }
        return null;
      }
    } else if (contentLength >= 0) {
      if (in.length() - headerEnd < contentLength) {
        if (atClose) {
          throw new IOException("connection closed within an answer");
        }
        return null;
      }
      body = in.getBytes(headerEnd, headerEnd + (int) contentLength);
    } else if (atClose) {
      body = in.getBytes(headerEnd, in.length());
    } else {
      return null; // read to the close
    }
    in = Buffer.buffer();
    headerEnd = -1;
    return new Answer(status, body);
  }

  /** Parses the status line and headers once they are all in. */
  private boolean readHead() throws IOException {
    int end = indexOf(in, 0, CRLF_CRLF);
    if (end < 0) {
      if (in.length() > 64 * 1024) {
        throw new IOException("answer headers longer than 64 KiB");
      }
      return false;
    }
    String head = in.getString(0, end, "ISO-8859-1");
    String[] lines = LINE_BREAK.split(head);
    String[] statusLine = lines[0].split(" ", 3);
    if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP/1.x answer: " + lines[0]);
    }
    status = Integer.parseInt(statusLine[1]);
    contentLength = -1;
    chunked = false;
    closeAfter = statusLine[0].equals("HTTP/1.0");
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = lines[i].substring(colon + 1).trim().toLowerCase(Locale.ROOT);
      switch (name) {
        case "content-length" -> contentLength = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.contains("chunked");
        case "connection" -> {
          if (value.contains("close")) {
            closeAfter = true;
          } else if (value.contains("keep-alive")) {
            closeAfter = false;
          }
        }
        default -> {}
      }
    }
    headerEnd = end + CRLF_CRLF.length;
    return true;
  }

  /** The body of a complete chunked answer, or null while chunks are still missing. */
  private byte[] dechunk() throws IOException {
    Buffer body = Buffer.buffer();
    int pos = headerEnd;
    while (true) {
      int lineEnd = indexOf(in, pos, CRLF);
      if (lineEnd < 0) {
        return null;
      }
      String sizeField = in.getString(pos, lineEnd, "ISO-8859-1");
      int semicolon = sizeField.indexOf(';');
      int size =
          Integer.parseInt(
              (semicolon < 0 ? sizeField : sizeField.substring(0, semicolon)).trim(), 16);
      pos = lineEnd + CRLF.length;
      if (size == 0) {
        // Trailers, if any, end with an empty line.
        int end = indexOf(in, pos - CRLF.length, CRLF_CRLF);
        return end < 0 ? null : body.getBytes();
      }
      if (in.length() < pos + size + CRLF.length) {
        return null;
      }
      body.appendBuffer(in, pos, size);
      pos += size + CRLF.length;
    }
  }

  private static int indexOf(Buffer b, int from, byte[] needle) {
    int last = b.length() - needle.length;
    outer:
    for (int i = Math.max(0, from); i <= last; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (b.getByte(i + j) != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
