package org.hsmkms.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.hsmkms.cli.PostgresPrograms;

/**
 * A real, throwaway PostgreSQL server for the tests: a cluster made by {@code initdb} in a
 * temporary directory, started by {@code pg_ctl} on a free loopback port (its Unix socket in the
 * same directory), once per JVM, and stopped and deleted by a shutdown hook. Each test asks for a
 * fresh database of its own ({@link #createDatabase()}).
 *
 * <p>The programs are Debian's ({@code /usr/lib/postgresql/VERSION/bin}, the newest version there,
 * or the directory {@code HSM_KMS_PG_BIN} names). Where they are missing the test is skipped, and
 * in CI it fails ({@link Prerequisites}). PostgreSQL refuses to run as root, so as root (CI and
 * these machines) the cluster belongs to the {@code postgres} user that Debian's package creates,
 * and the programs run through {@code runuser}.
 *
 * <p>The cluster sorts text in byte order ({@code --locale=C}) as the store requires, and asks for
 * a password (SCRAM), so that the tests go through the store's password path.
 */
public final class PostgresServer {

  /** The cluster's superuser, whom the tests connect as. */
  public static final String USER = "hsmkms_test";

  /** Its password: a test value, not a secret. */
  public static final String PASSWORD = "test-db-password-2468";

  private static final String OS_USER = "postgres";
  private static final long TIMEOUT_SECONDS = 60;
  private static PostgresServer instance;

  private final Path bin;
  private final Path dir;
  private final boolean asRoot;
  private final int port;
  private final AtomicInteger databases = new AtomicInteger();

  private PostgresServer(Path bin, Path dir, boolean asRoot, int port) {
    this.bin = bin;
    this.dir = dir;
    this.asRoot = asRoot;
    this.port = port;
  }

  /**
   * The server of this JVM, made and started on the first call. Skips the calling test (fails it in
   * CI) where PostgreSQL is not installed.
   */
  public static synchronized PostgresServer get() {
    Optional<Path> bin = binaries();
    Prerequisites.require(bin.isPresent(), Prerequisites.POSTGRESQL);
    if (instance == null) {
      try {
        instance = create(bin.get());
      } catch (IOException e) {
        throw new IllegalStateException("cannot start the test PostgreSQL server", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return instance;
  }

  /** Where initdb, pg_ctl and postgres are, if they are installed. */
  public static Optional<Path> binaries() {
    return PostgresPrograms.find();
  }

  /** A new, empty database (UTF-8, collation C) and the JDBC URL of it. */
  public String createDatabase() {
    String name = "t" + databases.incrementAndGet();
    try (Connection c = connect(url("postgres"));
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE DATABASE "
              + name
              + " TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + name, e);
    }
    return url(name);
  }

  /** The JDBC URL of database {@code name} on this server. */
  public String url(String name) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
  }

  /** A connection as {@link #USER} to {@code url}, for a test's direct look at the tables. */
  public static Connection connect(String url) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", USER);
    p.setProperty("password", PASSWORD);
    return DriverManager.getConnection(url, p);
  }

  /**
   * Restarts the server ({@code pg_ctl restart -m fast}): every open connection is cut, as in a
   * database failover or upgrade. Returns once the server accepts connections again.
   */
  public synchronized void restart() throws IOException, InterruptedException {
    pgCtl("restart", "-m", "fast");
  }

  /** The cluster's temporary directory. */
  public Path directory() {
    return dir;
  }

  private static PostgresServer create(Path bin) throws IOException, InterruptedException {
    boolean asRoot = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("hsm-kms-pg-");
    Path pwfile = dir.resolve("pwfile");
    Files.writeString(pwfile, PASSWORD + "\n", StandardCharsets.UTF_8);
    if (asRoot) {
      UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
      Files.setOwner(dir, users.lookupPrincipalByName(OS_USER));
      Files.setOwner(pwfile, users.lookupPrincipalByName(OS_USER));
    }
    PostgresServer server = new PostgresServer(bin, dir, asRoot, freePort());
    server.run(
        List.of(
            bin.resolve("initdb").toString(),
            "-D",
            server.data().toString(),
            "-U",
            USER,
            "--pwfile=" + pwfile,
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync"));
    Files.delete(pwfile);
    Runtime.getRuntime().addShutdownHook(new Thread(server::destroy, "test-postgresql-stop"));
    server.pgCtl("start");
    return server;
  }

  private void pgCtl(String action, String... extra) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(bin.resolve("pg_ctl").toString());
    command.addAll(List.of("-D", data().toString(), "-l", dir.resolve("server.log").toString()));
    command.addAll(List.of("-w", "-t", Long.toString(TIMEOUT_SECONDS)));
    // Throwaway data: no fsync; loopback only; the socket in the cluster's own directory.
    command.addAll(
        List.of(
            "-o",
            "-p "
                + port
                + " -c listen_addresses=127.0.0.1 -c unix_socket_directories="
                + dir
                + " -c fsync=off -c max_connections=200"));
    command.addAll(List.of(extra));
    command.add(action);
    run(command);
  }

  private void destroy() {
    try {
      run(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              data().toString(),
              "-m",
              "immediate",
              "-w",
              "stop"));
    } catch (IOException | RuntimeException e) {
      System.err.println("stopping the test PostgreSQL server failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("deleting " + dir + " failed: " + e);
    }
  }

  private Path data() {
    return dir.resolve("data");
  }

  private void run(List<String> command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (asRoot) {
      full.addAll(List.of("runuser", "-u", OS_USER, "--"));
    }
    full.addAll(command);
    Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
    // The server started by pg_ctl keeps no handle on this pipe (its output goes to the log file).
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          String.join(" ", command) + " failed (" + p.exitValue() + "): " + output + log());
    }
  }

  private String log() {
    try {
      Path log = dir.resolve("server.log");
      return Files.exists(log) ? "\nserver log:\n" + Files.readString(log) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
