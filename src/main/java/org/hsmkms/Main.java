package org.hsmkms;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import org.hsmkms.bench.Bench;
import org.hsmkms.cli.CredentialsCommand;
import org.hsmkms.cli.DevCommand;
import org.hsmkms.cli.DevDataDir;
import org.hsmkms.cli.HelpCommand;
import org.hsmkms.cli.ServeCommand;
import org.hsmkms.cli.Startup;
import org.hsmkms.config.Config;
import org.hsmkms.hsm.Hsm;
import org.hsmkms.hsm.HsmException;

/**
 * Command line: {@code dev} (SoftHSM2 token and embedded store prepared by the launcher in a data
 * directory), {@code serve --config FILE} (production), {@code credentials add|remove|list} (the
 * access keys of either) and {@code bench} (the load benchmark, {@link Bench}). Each command is a
 * class of {@code org.hsmkms.cli}; this class only picks one.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    PrintStream out = System.out;
    if (args.length == 0) {
      HelpCommand.print(out);
      System.exit(2);
    }
    try {
      switch (args[0]) {
        case "dev" -> DevCommand.run(args);
        case "serve" -> ServeCommand.run(args);
        case "credentials" -> CredentialsCommand.run(args);
        case "bench" ->
            System.exit(Bench.main(Arrays.copyOfRange(args, 1, args.length), Main::benchHsm));
        case "help", "--help", "-h" -> HelpCommand.print(out);
        default -> {
          System.err.println("unknown command: " + args[0]);
          HelpCommand.print(System.err);
          System.exit(2);
        }
      }
    } catch (IllegalArgumentException | IOException | HsmException e) {
      System.err.println("hsm-kms: " + e.getMessage());
      System.exit(2);
    }
  }

  /** The token of a dev data directory or of a config file (bench --ceiling). */
  private static Hsm benchHsm(Path dataDir, Path configFile, int sessions) throws IOException {
    if (configFile != null) {
      return openHsm(loadConfig(configFile.toString()), sessions);
    }
    Path conf = dataDir.toAbsolutePath().resolve("softhsm2.conf");
    String env = System.getenv("SOFTHSM2_CONF");
    if (env == null || !Path.of(env).toAbsolutePath().equals(conf)) {
      // The dev token is only found through its own SoftHSM2 configuration.
      throw new IllegalArgumentException(
          "--ceiling with --data-dir needs SOFTHSM2_CONF=" + conf + " (./hsm-kms bench sets it)");
    }
    return openHsm(
        devConfig(dataDir.toAbsolutePath(), 0, "111122223333", "us-east-1", null, null, null),
        sessions);
  }

  // What benchHsm calls, now kept by the commands.

  private static Hsm openHsm(Config config, int sessions) throws IOException {
    return Startup.openHsm(config, sessions);
  }

  private static Config loadConfig(String path) {
    return Startup.loadConfig(path);
  }

  private static Config devConfig(
      Path dataDir,
      int port,
      String account,
      String region,
      String module,
      Integer sessions,
      Integer workingCopies) {
    return DevDataDir.config(dataDir, port, account, region, module, sessions, workingCopies);
  }
}
