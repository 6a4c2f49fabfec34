package org.hsmkms.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.hsmkms.DevCredentials;
import org.hsmkms.config.Audit;
import org.hsmkms.config.Config;
import org.hsmkms.config.DevDefaults;

/**
 * A dev data directory, as the launcher prepares it: a SoftHSM2 token (its PIN in {@code DIR/pin}),
 * the embedded store, the credentials file and the audit trail.
 */
public final class DevDataDir {
  private DevDataDir() {}

  /**
   * HSM sessions of a dev server: for the fast class of work, twice the cores, at least 4 and at
   * most 16 (SoftHSM2 works inside this process, so more than that only add contention: measured in
   * docs/performance.md); and one each for the slow and the background class (config/Work.java).
   */
  static int sessions() {
    return Math.max(4, Math.min(16, 2 * Runtime.getRuntime().availableProcessors())) + 2;
  }

  /**
   * The configuration of a server on {@code dataDir}.
   *
   * @param module the SoftHSM2 module, or null for the first of the known paths that exists
   * @param sessions HSM sessions, or null for {@link #sessions()}
   * @param workingCopies keys with a working copy, or null for the default
   */
  public static Config config(
      Path dataDir,
      int port,
      String account,
      String region,
      String module,
      Integer sessions,
      Integer workingCopies) {
    return config(dataDir, port, account, region, module, sessions, workingCopies, null);
  }

  /**
   * As {@link #config(Path, int, String, String, String, Integer, Integer)}, with due deletions
   * looked for every {@code deletionCheckSeconds} (null for the default, a minute).
   */
  static Config config(
      Path dataDir,
      int port,
      String account,
      String region,
      String module,
      Integer sessions,
      Integer workingCopies,
      Integer deletionCheckSeconds) {
    DevDefaults defaults = DevDefaults.get();
    if (module == null) {
      module =
          defaults
              .softhsm2Module()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "SoftHSM2 library not found; install softhsm2 or pass --module"));
    }
    Path pinFile = dataDir.resolve("pin");
    if (!Files.exists(pinFile)) {
      throw new IllegalArgumentException(
          pinFile
              + " is missing: start through ./hsm-kms dev,"
              + " which prepares the data directory");
    }
    return new Config(
        new Config.Server("127.0.0.1", port, null),
        account,
        region,
        new Config.Hsm(
            module,
            defaults.tokenLabel(),
            null,
            pinFile.toString(),
            sessions == null ? sessions() : sessions,
            null,
            workingCopies),
        new Config.Store("jdbc:sqlite:" + dataDir.resolve("metadata.db")),
        new Config.Deletion(deletionCheckSeconds == null ? null : (long) deletionCheckSeconds),
        // Checked every second: "credentials add" is seen by every node of the directory at once.
        new Config.Credentials(dataDir.resolve(DevCredentials.SERVER_FILE).toString(), 1L),
        Audit.toFile(dataDir.resolve("audit.log").toString()));
  }

  /** Work done while holding a lock file. */
  @FunctionalInterface
  interface LockedWork<T> {
    T run() throws IOException;
  }

  /**
   * Runs {@code work} holding an exclusive lock on {@code lockFile} (made mode 600 if missing), so
   * that the processes of one data directory do it one at a time.
   */
  static <T> T underLock(Path lockFile, LockedWork<T> work) throws IOException {
    if (!Files.exists(lockFile)) {
      try {
        Files.createFile(
            lockFile,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (FileAlreadyExistsException e) {
        // Made by another process just now.
      }
    }
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
        FileLock lock = channel.lock()) {
      return work.run();
    }
  }

  /** The configuration of {@code dataDir} for the tools ({@code credentials}): default account. */
  static Config config(Path dataDir) {
    DevDefaults defaults = DevDefaults.get();
    return config(
        dataDir.toAbsolutePath(), 0, defaults.accountId(), defaults.region(), null, null, null);
  }
}
