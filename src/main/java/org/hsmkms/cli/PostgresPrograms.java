package org.hsmkms.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where PostgreSQL's server programs (initdb, pg_ctl, postgres) are: the directory {@code
 * HSM_KMS_PG_BIN} names, else the newest of Debian's {@code /usr/lib/postgresql/VERSION/bin}. For
 * the dev cluster ({@code dev --store postgresql}) and the tests' throwaway servers.
 */
public final class PostgresPrograms {
  private PostgresPrograms() {}

  /** The directory of the programs, if they are installed. */
  public static Optional<Path> find() {
    String configured = System.getenv("HSM_KMS_PG_BIN");
    if (configured != null && !configured.isBlank()) {
      return Optional.of(Path.of(configured)).filter(PostgresPrograms::hasPrograms);
    }
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .filter(v -> v.getFileName().toString().matches("\\d+"))
          .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())))
          .map(v -> v.resolve("bin"))
          .filter(PostgresPrograms::hasPrograms);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static boolean hasPrograms(Path bin) {
    return Stream.of("initdb", "pg_ctl", "postgres")
        .allMatch(name -> Files.isExecutable(bin.resolve(name)));
  }
}
