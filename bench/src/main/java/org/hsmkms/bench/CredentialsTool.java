package org.hsmkms.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hsmkms.cli.Main;

/**
 * The launcher's {@code credentials} command, as an operator runs it ({@code ./hsm-kms credentials
 * add|remove|list|policy ... --data-dir DIR} runs {@code java -jar hsm-kms.jar credentials ...}):
 * the same entry point ({@link Main}) in a JVM of its own, from the bench's class path, which holds
 * the service. Not the launcher script itself: it rebuilds {@code target/hsm-kms.jar} when sources
 * changed, under a dev server that may be running from it.
 *
 * <p>The server sees what this writes the way it sees an operator's change: by reloading its
 * credentials file, without a restart.
 *
 * <p>Security: a secret goes to the command in {@code HSM_KMS_SECRET_ACCESS_KEY}, never on a
 * command line; the command's output (quoted in errors) holds no secret when the secret is given.
 */
final class CredentialsTool {
  /** {@code CommandLine.ENV_SECRET_ACCESS_KEY} of the service: where {@code add} reads a secret. */
  static final String ENV_SECRET_ACCESS_KEY = "HSM_KMS_SECRET_ACCESS_KEY";

  private static final long TIMEOUT_SECONDS = 120;

  /** {@code --data-dir DIR} or {@code --config FILE}: whose credentials file. */
  private final List<String> server;

  /** SOFTHSM2_CONF for a dev data directory, as the launcher sets it; null to inherit ours. */
  private final String softhsm2Conf;

  private CredentialsTool(List<String> server, String softhsm2Conf) {
    this.server = List.copyOf(server);
    this.softhsm2Conf = softhsm2Conf;
  }

  /** The credentials of the server {@code --config FILE} configures, else of {@code --data-dir}. */
  static CredentialsTool of(BenchOptions options) {
    if (options.config() != null) {
      return new CredentialsTool(List.of("--config", options.config().toString()), null);
    }
    if (options.dataDir() == null) {
      throw new IllegalArgumentException("--policies needs --data-dir DIR or --config FILE");
    }
    return forDataDir(options.dataDir());
  }

  /** The credentials of the dev server of {@code dataDir}. */
  static CredentialsTool forDataDir(Path dataDir) {
    Path dir = dataDir.toAbsolutePath();
    // A dev token is found only through its own SoftHSM2 configuration (as in the launcher).
    Path conf = dir.resolve("softhsm2.conf");
    return new CredentialsTool(
        List.of("--data-dir", dir.toString()), Files.isRegularFile(conf) ? conf.toString() : null);
  }

  /** One line of {@code credentials list}. */
  record Entry(String accessKeyId, String account, String principalArn) {}

  /** {@code credentials list}. */
  List<Entry> list() throws IOException {
    List<Entry> entries = new ArrayList<>();
    for (String line : run(List.of("list"), Map.of()).split("\n")) {
      String[] f = line.split("\t");
      if (f.length == 4) {
        entries.add(new Entry(f[0], f[1], f[2]));
      }
    }
    return entries;
  }

  /**
   * {@code credentials add --access-key-id ID --account-id ACCOUNT --principal ARN [--policy
   * FILE]}, the secret given (not generated).
   *
   * @param identityPolicy the principal's identity policy, or null for none
   */
  void add(
      String accessKeyId, String account, String principal, String secret, String identityPolicy)
      throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "add",
                "--access-key-id",
                accessKeyId,
                "--account-id",
                account,
                "--principal",
                principal));
    Path file = null;
    try {
      if (identityPolicy != null) {
        file = Files.createTempFile("hsm-kms-bench-policy", ".json");
        Files.writeString(file, identityPolicy, StandardCharsets.UTF_8);
        args.addAll(List.of("--policy", file.toString()));
      }
      run(args, Map.of(ENV_SECRET_ACCESS_KEY, secret));
    } finally {
      if (file != null) {
        Files.deleteIfExists(file);
      }
    }
  }

  /** {@code credentials remove --access-key-id ID}. */
  void remove(String accessKeyId) throws IOException {
    run(List.of("remove", "--access-key-id", accessKeyId), Map.of());
  }

  /** {@code credentials policy remove --principal ARN}. */
  void removePolicy(String principal) throws IOException {
    run(List.of("policy", "remove", "--principal", principal), Map.of());
  }

  /**
   * Runs {@code credentials <args> <server>} and returns its standard output; an exit status other
   * than 0 is an IOException with the command's last line of error output.
   */
  private String run(List<String> args, Map<String, String> env) throws IOException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                // As the service jar's manifest does: the JDK's PKCS#11 layer.
                "--add-exports",
                "jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "credentials"));
    command.addAll(args);
    command.addAll(server);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    if (softhsm2Conf != null) {
      builder.environment().put("SOFTHSM2_CONF", softhsm2Conf);
    }
    Process p = builder.start();
    p.getOutputStream().close();
    // Both streams are read at once, so that the child never blocks on a full pipe.
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> text(p.getErrorStream()));
    String out = text(p.getInputStream());
    try {
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(describe(args) + " did not finish in " + TIMEOUT_SECONDS + " s");
      }
      if (p.exitValue() != 0) {
        throw new IOException(
            describe(args) + " failed (exit " + p.exitValue() + "): " + lastLine(err.join()));
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return out;
  }

  private String describe(List<String> args) {
    return "hsm-kms credentials " + args.get(0) + " " + String.join(" ", server);
  }

  private static String text(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String lastLine(String output) {
    String[] lines = output.strip().split("\n");
    return lines.length == 0 || lines[lines.length - 1].isBlank()
        ? "no output"
        : lines[lines.length - 1].strip();
  }
}
