package org.hsmkms.auth;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The exclusive lock held around a read-modify-write of a credentials file, so that concurrent
 * {@code credentials add/remove/policy} (several processes, or several threads of one) cannot lose
 * each other's edits: {@code FILE.lock} beside the file, locked with {@link FileChannel#lock()},
 * which other processes respect; and, since a JVM may hold only one lock on a file, a lock per file
 * for the threads of this process.
 *
 * <p>The server never takes it: it only reads, and every write is an atomic rename of a complete
 * file ({@link CredentialsFile#writeAtomically}), so a reader never sees half a file.
 */
final class CredentialsLock {
  private static final ConcurrentHashMap<Path, ReentrantLock> IN_THIS_PROCESS =
      new ConcurrentHashMap<>();

  /** A read-modify-write of the file. */
  @FunctionalInterface
  interface Edit<T> {
    T run() throws IOException;
  }

  private CredentialsLock() {}

  /** The lock file of {@code file}: {@code FILE.lock} in the same directory. */
  static Path lockFile(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    return absolute.resolveSibling(absolute.getFileName() + ".lock");
  }

  /**
   * Runs {@code edit} holding the exclusive lock of {@code file}; waits for it as long as needed.
   */
  static <T> T around(Path file, Edit<T> edit) throws IOException {
    Path lockFile = lockFile(file);
    ReentrantLock local = IN_THIS_PROCESS.computeIfAbsent(lockFile, f -> new ReentrantLock());
    local.lock();
    try {
      Files.createDirectories(lockFile.getParent());
      try (FileChannel channel =
              FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = channel.lock()) {
        return edit.run();
      }
    } finally {
      local.unlock();
    }
  }
}
