package org.hsmkms.cli;

import java.io.PrintStream;

/** {@code help}: how to call each command. */
public final class HelpCommand {
  private HelpCommand() {}

  public static void print(PrintStream out) {
    out.println(
        "usage: hsm-kms dev [--port N] [--data-dir DIR] [--account-id ID] [--region R]"
            + " [--module PATH] [--sessions N] [--working-copies N]");
    out.println("                   [--management-port N] [--deletion-check-seconds N]");
    out.println(
        "                   [--store sqlite|postgresql [--store-url JDBC_URL [--store-user U]"
            + " [--store-password-file F]]]");
    out.println("                   [--access-key-id ID --secret-access-key SECRET] [--no-warmup]");
    out.println(
        "                   [--quota-scale X] [--quota ACCOUNT:CLASS=RATE]... [--no-quotas]"
            + " [--throttled-delay-millis N]"
            + " (docs/quotas.md)");
    out.println("       hsm-kms serve --config FILE");
    out.println(
        "       hsm-kms credentials add (--config FILE | --data-dir DIR)"
            + " [--access-key-id ID] [--account-id ID] [--principal ARN]");
    out.println("                       [--policy FILE | --admin]");
    out.println(
        "       hsm-kms credentials remove (--config FILE | --data-dir DIR)"
            + " --access-key-id ID");
    out.println("       hsm-kms credentials list (--config FILE | --data-dir DIR)");
    out.println(
        "       hsm-kms credentials policy set (--config FILE | --data-dir DIR)"
            + " --principal ARN (--file FILE | --admin)");
    out.println(
        "       hsm-kms credentials policy show|remove (--config FILE | --data-dir DIR)"
            + " --principal ARN");
    out.println(
        "       hsm-kms audit verify (--config FILE | --data-dir DIR) [--open-end] [--unclean-stops] FILES...");
    out.println(
        "The secret of 'credentials add' comes from "
            + CommandLine.ENV_SECRET_ACCESS_KEY
            + " if set, else it is generated and printed once.");
    out.println(
        "An identity policy (--policy, --file) is an IAM policy document in JSON; --admin is"
            + " kms:* on *. A principal without one gets only what key policies and grants give"
            + " its ARN. See docs/authorization.md.");
  }
}
