package org.hsmkms.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.hsmkms.bench.SignedClient.Answer;
import org.junit.jupiter.api.Test;

/** How the bench frames HTTP/1.1 answers from a connection's bytes. */
class AnswerReaderTest {
  private final AnswerReader reader = new AnswerReader();

  private void receive(String s) {
    reader.append(Buffer.buffer(s.getBytes(StandardCharsets.ISO_8859_1)));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void contentLength_answerComplete_onlyWhenItsLastByteIsIn() throws IOException {
    receive("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n");
    assertNull(reader.next(false));
    receive("\r\nabc");
    assertNull(reader.next(false));
    receive("de");

    Answer a = reader.next(false);

    assertEquals(200, a.status());
    assertArrayEquals(bytes("abcde"), a.body());
    assertFalse(reader.closeAfter());
  }

  @Test
  void twoAnswers_inTurn_eachWithItsOwnBody() throws IOException {
    receive("HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}");
    assertEquals(400, reader.next(false).status());
    receive("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
    assertArrayEquals(bytes("x"), reader.next(false).body());
  }

  @Test
  void chunked_bodyJoined_afterTheLastChunk() throws IOException {
    receive("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
    assertNull(reader.next(false));
    receive("2;ext=1\r\nde\r\n0\r\n\r\n");

    assertArrayEquals(bytes("abcde"), reader.next(false).body());
  }

  @Test
  void noLength_bodyIsWhatCameBeforeTheClose() throws IOException {
    receive("HTTP/1.0 200 OK\r\n\r\nuntil the end");
    assertNull(reader.next(false));

    Answer a = reader.next(true);

    assertArrayEquals(bytes("until the end"), a.body());
    assertTrue(reader.closeAfter(), "HTTP/1.0 closes unless it says keep-alive");
  }

  @Test
  void connectionClose_isRemembered() throws IOException {
    receive("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    reader.next(false);
    assertTrue(reader.closeAfter());
  }

  @Test
  void closedWithinAnAnswer_orNotHttp_isAnIOException() {
    receive("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
    assertThrows(IOException.class, () -> reader.next(true));

    AnswerReader other = new AnswerReader();
    other.append(Buffer.buffer("SSH-2.0-OpenSSH\r\n\r\n"));
    assertThrows(IOException.class, () -> other.next(false));
  }
}
