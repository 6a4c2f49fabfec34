package org.hsmkms.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trail's current file: created mode 600, opened for appending, its size as the trail counts it
 * (lines queued for a write included). Guarded by the trail's lock, except {@link #channel()},
 * which the one writer of a batch uses outside it.
 */
final class TrailFile {
  private static final Logger LOG = LoggerFactory.getLogger(TrailFile.class);

  /** Opens the file for writing (tests: a channel that fails on demand). */
  @FunctionalInterface
  interface Opener {
    FileChannel open(Path file) throws IOException;
  }

  static final Opener APPEND =
      f -> FileChannel.open(f, StandardOpenOption.WRITE, StandardOpenOption.APPEND);

  private final Path path;
  private final Opener opener;
  private FileChannel channel;
  private long size;

  TrailFile(Path path, Opener opener) {
    this.path = path;
    this.opener = opener;
  }

  /** Creates the file if missing (mode 600) and opens it; its size is then the file's. */
  void open() throws IOException {
    Files.createDirectories(path.getParent());
    if (!Files.exists(path)) {
      try {
        Files.createFile(
            path,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(path);
      }
    }
    channel = opener.open(path);
    size = channel.size();
  }

  boolean isOpen() {
    return channel != null;
  }

  FileChannel channel() {
    return channel;
  }

  long size() {
    return size;
  }

  /** Counts {@code bytes} more, written or queued for a write. */
  void grew(long bytes) {
    size += bytes;
  }

  /** Writes all of {@code bytes} (forced to disk if asked) and counts them. */
  void write(ByteBuffer bytes, boolean force) throws IOException {
    int n = bytes.remaining();
    writeFully(channel, bytes, force);
    size += n;
  }

  /** Writes all of {@code bytes} with {@code ch}, forced to disk if asked; counts nothing. */
  static void writeFully(FileChannel ch, ByteBuffer bytes, boolean force) throws IOException {
    while (bytes.hasRemaining()) {
      ch.write(bytes);
    }
    if (force) {
      ch.force(false);
    }
  }

  /** Whether the file is empty or its last byte ends a line. */
  boolean endsWithNewline() throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      if (ch.size() == 0) {
        return true;
      }
      ByteBuffer last = ByteBuffer.allocate(1);
      ch.read(last, ch.size() - 1);
      return last.get(0) == '\n';
    }
  }

  void close() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        LOG.warn("audit trail {}: close failed: {}", path, e.toString());
      }
      channel = null;
    }
  }
}
