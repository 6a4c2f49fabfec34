package org.hsmkms.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One TCP connection to a server, written and read byte by byte as a test wants: a request's head
 * without its body, a header trickled a byte at a time, a response read as it arrives. For what an
 * HTTP client library would not do.
 */
public final class RawConnection implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;

  /** A response as read off the wire: status, headers (lower-case names) and body. */
  public record Response(int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private RawConnection(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
  }

  /** Connects to 127.0.0.1:{@code port}; reads time out after {@code readTimeoutMillis}. */
  public static RawConnection open(int port, int readTimeoutMillis) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    s.setSoTimeout(readTimeoutMillis);
    return new RawConnection(s);
  }

  public RawConnection send(String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
    return this;
  }

  /** Reads one response: its head, then as many body bytes as its Content-Length says. */
  public Response readResponse() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!endsWithBlankLine(head)) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before a response; got: " + head);
      }
      head.write(b);
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(
            lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).strip());
      }
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    byte[] body = in.readNBytes(length);
    return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  /**
   * True if the server closed the connection (end of stream or reset) before the read timeout;
   * false if it is still open. Anything the server sends meanwhile is skipped.
   */
  public boolean closedByServer() throws IOException {
    try {
      while (in.read() >= 0) {
        // skip
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  /** Writes {@code text} one byte at a time, {@code pauseMillis} apart; false once refused. */
  public boolean trickle(String text, long pauseMillis) throws InterruptedException {
    for (byte b : text.getBytes(StandardCharsets.ISO_8859_1)) {
      try {
        socket.getOutputStream().write(b);
        socket.getOutputStream().flush();
      } catch (IOException e) {
        return false;
      }
      Thread.sleep(pauseMillis);
    }
    return true;
  }

  /**
   * A well-formed Authorization header of {@code accessKeyId} for us-east-1 at {@code amzDate}
   * (signing host, x-amz-date and x-amz-target) whose signature is zeros: it passes the checks of
   * the headers alone, and fails once the body is there.
   */
  public static String zeroSignature(String accessKeyId, String amzDate) {
    return "AWS4-HMAC-SHA256 Credential="
        + accessKeyId
        + "/"
        + amzDate.substring(0, 8)
        + "/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target,"
        + " Signature="
        + "0".repeat(64);
  }

  private static boolean endsWithBlankLine(ByteArrayOutputStream b) {
    byte[] a = b.toByteArray();
    int n = a.length;
    return n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n';
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
