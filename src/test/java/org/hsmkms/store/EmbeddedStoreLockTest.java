package org.hsmkms.store;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One process per embedded store: the lock file, and the message a second user gets. */
class EmbeddedStoreLockTest {
  @TempDir Path dir;

  @Test
  void aSecondLockOnOneStore_isRefused_namingTheDirectoryThePidAndPostgresql() throws Exception {
    String url = "jdbc:sqlite:" + dir.resolve("metadata.db");
    try (EmbeddedStoreLock first = EmbeddedStoreLock.acquire(url)) {
      StoreInUseException e =
          assertThrows(StoreInUseException.class, () -> EmbeddedStoreLock.acquire(url));
      assertTrue(e.getMessage().contains(dir.toAbsolutePath().toString()), e.getMessage());
      assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
      assertTrue(e.getMessage().contains("--store postgresql"), e.getMessage());
    }
    // Released: the next process may start.
    EmbeddedStoreLock.acquire(url).close();
  }

  @Test
  void anInMemoryStore_needsNoLock() {
    assertNull(EmbeddedStoreLock.acquire("jdbc:sqlite::memory:"));
    assertNull(EmbeddedStoreLock.acquire("jdbc:sqlite:file:x?mode=memory&cache=shared"));
  }
}
