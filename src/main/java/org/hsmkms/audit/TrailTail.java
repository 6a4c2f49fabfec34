package org.hsmkms.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the sequence number and MAC of a trail file's first and last complete lines, without
 * reading the file: where a restarted process continues the chain, and what a removed file held.
 */
final class TrailTail {
  private static final Pattern END =
      Pattern.compile(",\"seq\":(\\d{1,18}),\"mac\":\"([0-9a-f]{64})\"}$");

  private TrailTail() {}

  /** The sequence number and MAC of one line. */
  record Link(long seq, byte[] mac) {}

  /** The seq and MAC of the last complete line of {@code file}; null if it has none. */
  static Link last(Path file) throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      int n = (int) Math.min(size, AuditLimits.MAX_LINE_BYTES + 1L);
      ByteBuffer buf = ByteBuffer.allocate(n);
      ch.read(buf, size - n);
      String tail = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
      int end = tail.lastIndexOf('\n');
      if (end < 0) {
        return null;
      }
      int start = tail.lastIndexOf('\n', end - 1) + 1;
      return link(tail.substring(start, end));
    }
  }

  /** The seq and MAC of the first line of {@code file}; null if it has none. */
  static Link first(Path file) throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(ch.size(), AuditLimits.MAX_LINE_BYTES));
      ch.read(buf, 0);
      String head = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
      int end = head.indexOf('\n');
      return end < 0 ? null : link(head.substring(0, end));
    }
  }

  static Link link(String line) {
    Matcher m = END.matcher(line);
    if (!m.find()) {
      return null;
    }
    return new Link(Long.parseLong(m.group(1)), HexFormat.of().parseHex(m.group(2)));
  }
}
