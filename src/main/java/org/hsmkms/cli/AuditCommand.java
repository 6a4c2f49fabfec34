package org.hsmkms.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.hsmkms.audit.AuditVerifier;
import org.hsmkms.audit.HsmChainKeys;
import org.hsmkms.config.Config;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;

/**
 * {@code audit verify [--data-dir DIR | --config FILE] [--open-end] [--unclean-stops] FILES...}:
 * checks audit files against their MAC chain with the server's HSM (whose audit service key derives
 * each segment's key), in sequence order whatever order they are given in. Prints per file its
 * records, its sequence range and each break by line; exits 0 only if every file verifies, 1 if
 * not.
 */
public final class AuditCommand {
  private AuditCommand() {}

  /** Runs the command; returns its exit status. */
  public static int run(String[] args, PrintStream out) throws IOException {
    if (args.length < 2 || !args[1].equals("verify")) {
      throw new IllegalArgumentException(
          "usage: hsm-kms audit verify (--config FILE | --data-dir DIR) [--open-end]"
              + " [--unclean-stops] FILES...");
    }
    Config config = null;
    boolean openEnd = false;
    boolean uncleanStops = false;
    List<Path> files = new ArrayList<>();
    CommandLine options = new CommandLine(args, 2);
    while (options.hasNext()) {
      String a = options.next();
      switch (a) {
        case "--config" -> config = Startup.loadConfig(options.value(a));
        case "--data-dir" -> config = DevDataDir.config(Path.of(options.value(a)));
        case "--open-end" -> openEnd = true;
        case "--unclean-stops" -> uncleanStops = true;
        default -> {
          if (a.startsWith("--")) {
            throw new IllegalArgumentException("unknown option " + a);
          }
          files.add(Path.of(a));
        }
      }
    }
    if (config == null) {
      throw new IllegalArgumentException("give --config FILE or --data-dir DIR (the HSM's token)");
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("name the audit files to verify");
    }
    try (Pkcs11Hsm hsm = Startup.openHsm(config, 1)) {
      AuditVerifier.Report report =
          new AuditVerifier(HsmChainKeys.existing(hsm.serviceKeys()), openEnd, uncleanStops)
              .verify(files);
      report.print(out);
      return report.ok() ? 0 : 1;
    }
  }
}
