package org.hsmkms.cli;

import java.io.IOException;
import java.io.PrintStream;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.store.StoreInUseException;

/**
 * Command line: {@code dev} (SoftHSM2 token and embedded store prepared by the launcher in a data
 * directory), {@code serve --config FILE} (production) and {@code credentials
 * add|remove|list|policy} (the access keys of either), {@code audit verify} (the audit trail's MAC
 * chain). Each command is a class of this package; this class only picks one. The load benchmark is
 * a program of its own (the {@code bench/} project).
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
        case "audit" -> System.exit(AuditCommand.run(args, out));
        case "help", "--help", "-h" -> HelpCommand.print(out);
        default -> {
          System.err.println("unknown command: " + args[0]);
          HelpCommand.print(System.err);
          System.exit(2);
        }
      }
    } catch (IllegalArgumentException | IOException | HsmException | StoreInUseException e) {
      System.err.println("hsm-kms: " + e.getMessage());
      System.exit(2);
    }
  }
}
