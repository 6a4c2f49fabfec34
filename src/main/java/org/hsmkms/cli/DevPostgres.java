package org.hsmkms.cli;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.hsmkms.config.Config;

/**
 * The local PostgreSQL cluster of a dev data directory ({@code dev --store postgresql}): made by
 * {@code initdb} in {@code DIR/postgresql} on first use, started by {@code pg_ctl} when it is not
 * running, and reused as it is otherwise, so that every {@code dev} process on one data directory
 * is a node of one cluster. It outlives the nodes; {@link #stopCommand()} says how to stop it.
 *
 * <p>The cluster listens on a free loopback TCP port, chosen once and kept in {@code
 * DIR/postgresql-port} and in its {@code postgresql.conf}, and on a Unix socket in {@code
 * DIR/postgresql}. It sorts text in byte order ({@code --locale=C}), as the store requires, and
 * holds one database, {@value #DATABASE}, made once right after {@code initdb} in single-user mode.
 * Making and starting it happen under a lock ({@code DIR/postgresql.lock}), so that two nodes
 * started at the same moment make one cluster.
 *
 * <p>The programs are Debian's ({@code /usr/lib/postgresql/VERSION/bin}, the newest version, or the
 * directory {@code HSM_KMS_PG_BIN} names). PostgreSQL refuses to run as root, so as root the
 * cluster directory belongs to the {@code postgres} user of Debian's package and the programs run
 * through {@code runuser}; the data directory then belongs to group {@code postgres} with mode 710,
 * so that that user can reach its cluster and nothing else (every secret file in it is mode 600).
 *
 * <p>Security: the database user's password is 128 random bits in {@code DIR/postgresql-password}
 * (mode 600), which the node reads through {@code store.passwordFile}; it is on no command line and
 * in no environment, and {@code initdb} reads it from a file deleted right after. Clients must
 * authenticate (SCRAM) even on the socket. A development cluster: no backups, no tuning.
 */
final class DevPostgres {
  /** The database user (the cluster's superuser) the nodes connect as. */
  static final String USER = "hsmkms";

  static final String DATABASE = "hsmkms";

  /** The file in the data directory that holds the cluster's port: there is a cluster. */
  static final String PORT_FILE = "postgresql-port";

  private static final String OS_USER = "postgres";
  private static final long TIMEOUT_SECONDS = 120;
  private static final Set<PosixFilePermission> OWNER_ONLY_FILE =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_ONLY_DIR =
      PosixFilePermissions.fromString("rwx------");

  private final Path dataDir;
  private final Path bin;
  private final boolean asRoot;
  private Path cluster;

  private DevPostgres(Path dataDir, Path bin, boolean asRoot) {
    this.dataDir = dataDir;
    this.bin = bin;
    this.asRoot = asRoot;
  }

  /** The cluster of {@code dataDir}; a usage error when PostgreSQL is not installed. */
  static DevPostgres of(Path dataDir) {
    Path bin =
        PostgresPrograms.find()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "PostgreSQL not found (initdb, pg_ctl, postgres under"
                            + " /usr/lib/postgresql/VERSION/bin): install Debian's postgresql"
                            + " package, which ./hsm-kms dev --store postgresql does"));
    return new DevPostgres(
        dataDir.toAbsolutePath(), bin, "root".equals(System.getProperty("user.name")));
  }

  /**
   * Makes the cluster if there is none and starts it if it is not running (both under the lock);
   * answers the store settings of its database.
   */
  Config.Store startOrReuse() throws IOException {
    DevDataDir.underLock(
        dataDir.resolve("postgresql.lock"),
        () -> {
          try {
            if (!Files.exists(data().resolve("PG_VERSION"))) {
              create();
            }
            if (!running()) {
              start();
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting PostgreSQL", e);
          }
          return null;
        });
    return store();
  }

  /**
   * {@code pg_ctl start}, through {@code setsid}: the server leaves the node's session, so that a
   * Ctrl-C stopping one node (SIGINT to the terminal's process group) leaves the cluster the other
   * nodes use running.
   */
  private void start() throws IOException, InterruptedException {
    run(
        null,
        "setsid",
        "-w",
        program("pg_ctl"),
        "-D",
        data().toString(),
        "-l",
        cluster().resolve("server.log").toString(),
        "-w",
        "-t",
        Long.toString(TIMEOUT_SECONDS),
        "start");
  }

  /** The store settings of the cluster's database. */
  Config.Store store() throws IOException {
    String port = Files.readString(portFile(), StandardCharsets.US_ASCII).trim();
    return new Config.Store(
        "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE,
        USER,
        null,
        passwordFile().toString(),
        null,
        null);
  }

  /** The command that stops the cluster (the nodes then fail their store checks). */
  String stopCommand() {
    return (asRoot ? "runuser -u " + OS_USER + " -- " : "")
        + program("pg_ctl")
        + " -D "
        + data()
        + " stop";
  }

  /**
   * Where the cluster's directory is: {@code DIR/postgresql}, or, as root when the postgres user
   * cannot reach DIR (a directory under {@code /root}, say), a directory of DIR's own under {@code
   * /var/tmp} named by a digest of DIR's path, so that every node of DIR finds the same one.
   */
  Path cluster() {
    if (cluster == null) {
      cluster = reachableByPostgres() ? dataDir.resolve("postgresql") : elsewhere(dataDir);
    }
    return cluster;
  }

  /** The cluster directory of a data directory that the postgres user cannot reach. */
  static Path elsewhere(Path dataDir) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(dataDir.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
      return Path.of("/var/tmp", "hsm-kms-postgresql-" + HexFormat.of().formatHex(digest, 0, 8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean reachableByPostgres() {
    if (!asRoot) {
      return true;
    }
    try {
      // As the postgres user: every directory on the way to DIR's parent must be searchable.
      return exitCode("test", "-x", dataDir.getParent().toString()) == 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private Path data() {
    return cluster().resolve("data");
  }

  private Path portFile() {
    return dataDir.resolve(PORT_FILE);
  }

  private Path passwordFile() {
    return dataDir.resolve("postgresql-password");
  }

  private boolean running() throws IOException, InterruptedException {
    // pg_ctl status: 0 running, 3 not running (4: no data directory).
    return exitCode(program("pg_ctl"), "status", "-D", data().toString()) == 0;
  }

  private void create() throws IOException, InterruptedException {
    if (Files.exists(cluster())) {
      // What an initdb interrupted before it finished left behind.
      deleteTree(cluster());
    }
    if (!Files.exists(passwordFile())) {
      byte[] random = new byte[16];
      new SecureRandom().nextBytes(random);
      writePrivate(passwordFile(), HexFormat.of().formatHex(random));
    }
    if (!Files.exists(portFile())) {
      writePrivate(portFile(), Integer.toString(freePort()));
    }
    Files.createDirectory(cluster(), PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
    Path pwfile = cluster().resolve("pwfile");
    Files.writeString(
        Files.createFile(pwfile, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE)),
        Files.readString(passwordFile(), StandardCharsets.US_ASCII).trim() + "\n",
        StandardCharsets.US_ASCII);
    if (asRoot) {
      letPostgresIn(pwfile);
    }
    try {
      initialize(pwfile);
    } catch (IOException | RuntimeException e) {
      // No half-made cluster: the next start makes it afresh.
      deleteTree(cluster());
      throw e;
    }
  }

  private void initialize(Path pwfile) throws IOException, InterruptedException {
    try {
      run(
          null,
          program("initdb"),
          "-D",
          data().toString(),
          "-U",
          USER,
          "--pwfile=" + pwfile,
          "--auth=scram-sha-256",
          "--encoding=UTF8",
          "--locale=C");
    } finally {
      Files.deleteIfExists(pwfile);
    }
    String port = Files.readString(portFile(), StandardCharsets.US_ASCII).trim();
    Files.writeString(
        data().resolve("postgresql.conf"),
        "\n# hsm-kms dev: loopback only, the socket beside the data.\nport = "
            + port
            + "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '"
            + cluster().toString().replace("'", "''")
            + "'\nmax_connections = 200\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    // Single-user mode needs no connection, so no password on a command line or in a variable.
    run(
        "CREATE DATABASE "
            + DATABASE
            + " TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'\n",
        program("postgres"),
        "--single",
        "-D",
        data().toString(),
        "postgres");
  }

  /** As root: the cluster directory (and the initdb password file) go to the postgres user. */
  private void letPostgresIn(Path pwfile) throws IOException {
    UserPrincipalLookupService users = dataDir.getFileSystem().getUserPrincipalLookupService();
    Files.setOwner(cluster(), users.lookupPrincipalByName(OS_USER));
    Files.setOwner(pwfile, users.lookupPrincipalByName(OS_USER));
    if (cluster().startsWith(dataDir)) {
      GroupPrincipal group = users.lookupPrincipalByGroupName(OS_USER);
      Files.getFileAttributeView(dataDir, PosixFileAttributeView.class).setGroup(group);
      Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx--x---"));
    }
  }

  private String program(String name) {
    return bin.resolve(name).toString();
  }

  /** Runs a program (as postgres when we are root), feeding it {@code input}; fails on non-zero. */
  private void run(String input, String... command) throws IOException, InterruptedException {
    Process p = start(command);
    if (input != null) {
      try (OutputStream in = p.getOutputStream()) {
        in.write(input.getBytes(StandardCharsets.UTF_8));
      }
    } else {
      p.getOutputStream().close();
    }
    // The server pg_ctl starts writes to its log file, not to this pipe, so this read ends.
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int code = await(p, command);
    if (code != 0) {
      throw new IllegalStateException(
          String.join(" ", command)
              + " failed ("
              + code
              + "): "
              + output
              + "; see "
              + cluster().resolve("server.log"));
    }
  }

  private int exitCode(String... command) throws IOException, InterruptedException {
    Process p = start(command);
    p.getOutputStream().close();
    p.getInputStream().readAllBytes();
    return await(p, command);
  }

  private Process start(String... command) throws IOException {
    List<String> full = new ArrayList<>();
    if (asRoot) {
      full.addAll(List.of("runuser", "-u", OS_USER, "--"));
    }
    full.addAll(List.of(command));
    // A working directory the postgres user may enter.
    return new ProcessBuilder(full).directory(new File("/")).redirectErrorStream(true).start();
  }

  private static int await(Process p, String... command) throws InterruptedException {
    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish");
    }
    return p.exitValue();
  }

  private static void writePrivate(Path file, String text) throws IOException {
    Files.writeString(
        Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE)),
        text,
        StandardCharsets.US_ASCII);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
