package org.hsmkms.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One process per embedded (SQLite) store: an exclusive lock on {@code <database file>.lock}, held
 * for the life of the process, with the holder's process id written in the file. A second process
 * on the same file is refused with a message that names the data directory, the holder and the way
 * to run several nodes ({@code --store postgresql}): two processes would each cache rows the other
 * changes, and each would take the other's unfinished work for a crash.
 *
 * <p>The operating system releases the lock when the process dies, however it dies; a stale lock
 * file therefore never blocks a restart.
 */
public final class EmbeddedStoreLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private EmbeddedStoreLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of the SQLite database {@code jdbcUrl} names; null for an in-memory database.
   *
   * @throws StoreInUseException if another process holds it
   */
  public static EmbeddedStoreLock acquire(String jdbcUrl) {
    Path db = databaseFile(jdbcUrl);
    if (db == null) {
      return null;
    }
    Path file = db.resolveSibling(db.getFileName() + ".lock");
    FileChannel channel = null;
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // this JVM holds it already
      }
      if (lock == null) {
        String holder = readHolder(channel);
        channel.close();
        throw new StoreInUseException(
            "the metadata store in "
                + db.toAbsolutePath().getParent()
                + " is in use by another hsm-kms process"
                + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                + ": an embedded store serves one process only. Stop that process, use another"
                + " --data-dir, or run several nodes on PostgreSQL (--store postgresql).");
      }
      byte[] pid = Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII);
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(pid), 0);
      channel.force(false);
      return new EmbeddedStoreLock(channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new StoreException("cannot lock the metadata store's lock file " + file, e);
    }
  }

  private static String readHolder(FileChannel channel) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(32);
    channel.read(buffer, 0);
    String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
    return text.trim().matches("\\d{1,19}") ? text.trim() : "";
  }

  /** The database file of a SQLite URL, or null for an in-memory database. */
  static Path databaseFile(String jdbcUrl) {
    String path = jdbcUrl.substring("jdbc:sqlite:".length());
    int query = path.indexOf('?');
    if (query >= 0) {
      path = path.substring(0, query);
    }
    if (path.startsWith("file:")) {
      path = path.substring("file:".length());
      if (path.startsWith("//")) {
        path = path.substring(2);
      }
    }
    if (path.isEmpty() || path.startsWith(":") || jdbcUrl.contains("mode=memory")) {
      return null;
    }
    return Path.of(path);
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // The failure being reported matters more.
      }
    }
  }
}
