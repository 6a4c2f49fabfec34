package org.hsmkms;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.hsmkms.config.Config;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;

/**
 * Command line: {@code dev} (SoftHSM2 token and embedded store prepared by the launcher in a data
 * directory) and {@code serve --config FILE} (production).
 */
public final class Main {
  static final String DEV_TOKEN_LABEL = "hsm-kms-dev";
  private static final List<String> SOFTHSM_PATHS = List.of(
      "/usr/lib/softhsm/libsofthsm2.so",
      "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
      "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
      "/usr/local/lib/softhsm/libsofthsm2.so");

  private Main() {}

  public static void main(String[] args) {
    PrintStream out = System.out;
    if (args.length == 0) {
      usage(out);
      System.exit(2);
    }
    try {
      switch (args[0]) {
        case "dev" -> dev(args);
        case "serve" -> serve(args);
        case "help", "--help", "-h" -> usage(out);
        default -> {
          System.err.println("unknown command: " + args[0]);
          usage(System.err);
          System.exit(2);
        }
      }
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("hsm-kms: " + e.getMessage());
      System.exit(2);
    }
  }

  private static void usage(PrintStream out) {
    out.println("usage: hsm-kms dev [--port N] [--data-dir DIR] [--account-id ID] [--region R]"
        + " [--module PATH]");
    out.println("       hsm-kms serve --config FILE");
  }

  private static void dev(String[] args) throws IOException {
    int port = 4599;
    Path dataDir = Path.of(".dev");
    String account = "111122223333";
    String region = "us-east-1";
    String module = null;
    List<String> ignored = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--port" -> port = Integer.parseInt(value(args, ++i, a));
        case "--data-dir" -> dataDir = Path.of(value(args, ++i, a));
        case "--account-id" -> account = value(args, ++i, a);
        case "--region" -> region = value(args, ++i, a);
        case "--module" -> module = value(args, ++i, a);
        default -> {
          if (a.startsWith("--") && i + 1 < args.length && !args[i + 1].startsWith("--")) {
            i++;
          }
          ignored.add(a);
        }
      }
    }
    if (module == null) {
      module = SOFTHSM_PATHS.stream().filter(p -> Files.exists(Path.of(p))).findFirst()
          .orElseThrow(() -> new IllegalArgumentException(
              "SoftHSM2 library not found; install softhsm2 or pass --module"));
    }
    dataDir = dataDir.toAbsolutePath();
    Path pinFile = dataDir.resolve("pin");
    if (!Files.exists(pinFile)) {
      throw new IllegalArgumentException(pinFile + " is missing: start through ./hsm-kms dev,"
          + " which prepares the data directory");
    }
    Config config = new Config(new Config.Server("127.0.0.1", port, null), account, region,
        new Config.Hsm(module, DEV_TOKEN_LABEL, null, pinFile.toString(), null, null),
        new Config.Store("jdbc:sqlite:" + dataDir.resolve("metadata.db")),
        new Config.Deletion(null));
    if (!ignored.isEmpty()) {
      System.err.println("hsm-kms: ignoring options not supported yet: " + ignored);
    }
    Application app = run(config);
    String endpoint = "http://127.0.0.1:" + app.port();
    System.out.println();
    System.out.println("hsm-kms (dev) is listening on " + endpoint);
    System.out.println("  account " + account + ", default region " + region + ", token '"
        + DEV_TOKEN_LABEL + "', data in " + dataDir);
    System.out.println("Try (any credentials work until signature verification is enabled):");
    System.out.println("  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test"
        + " AWS_DEFAULT_REGION=" + region);
    System.out.println("  aws --endpoint-url " + endpoint + " kms create-key");
    System.out.println("  aws --endpoint-url " + endpoint
        + " kms generate-data-key --key-id <KeyId> --key-spec AES_256");
    System.out.println();
  }

  private static void serve(String[] args) throws IOException {
    if (args.length != 3 || !"--config".equals(args[1])) {
      throw new IllegalArgumentException("usage: hsm-kms serve --config FILE");
    }
    Config config;
    try {
      config = Config.load(Path.of(args[2]));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read config " + args[2] + ": "
          + e.getMessage());
    }
    Application app = run(config);
    System.out.println("hsm-kms is listening on " + config.server().host() + ":" + app.port());
  }

  private static Application run(Config config) throws IOException {
    char[] pin = readPin(config.hsm());
    Application app = Application.start(config, pin, Clock.systemUTC());
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "hsm-kms-shutdown"));
    return app;
  }

  private static char[] readPin(Config.Hsm hsm) throws IOException {
    if (hsm.pinFile() != null) {
      return Pkcs11Hsm.readPin(Path.of(hsm.pinFile()));
    }
    String pin = System.getenv(hsm.pinEnv());
    if (pin == null || pin.isEmpty()) {
      throw new IllegalArgumentException("environment variable " + hsm.pinEnv()
          + " (hsm.pinEnv) is not set");
    }
    return pin.toCharArray();
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }
}
