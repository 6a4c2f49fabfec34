package org.hsmkms.cli;

import static org.hsmkms.cli.CommandLine.ENV_SECRET_ACCESS_KEY;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.hsmkms.auth.CredentialsAdmin;
import org.hsmkms.auth.CredentialsFile;
import org.hsmkms.config.Config;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;

/**
 * {@code credentials add|remove|list}: manages the access keys of a server's credentials file,
 * sealing secrets in its HSM. The running server picks the change up by itself.
 */
public final class CredentialsCommand {
  private final String action;
  private Config config;
  private String accessKeyId;
  private String account;
  private String principal;

  private CredentialsCommand(String action) {
    this.action = action;
  }

  public static void run(String[] args) throws IOException {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: hsm-kms credentials add|remove|list ...");
    }
    CredentialsCommand command = new CredentialsCommand(args[1]);
    command.parse(new CommandLine(args, 2));
    command.execute();
  }

  private void parse(CommandLine options) {
    while (options.hasNext()) {
      String a = options.next();
      switch (a) {
        case "--config" -> config = Startup.loadConfig(options.value(a));
        case "--data-dir" -> config = DevDataDir.config(Path.of(options.value(a)));
        case "--access-key-id" -> accessKeyId = options.value(a);
        case "--account-id" -> account = options.value(a);
        case "--principal" -> principal = options.value(a);
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (config == null || config.credentials() == null) {
      throw new IllegalArgumentException(
          "give --config FILE (with credentials.file) or" + " --data-dir DIR");
    }
  }

  private void execute() throws IOException {
    Path file = Path.of(config.credentials().file());
    try (Pkcs11Hsm hsm = Startup.openHsm(config, 1)) {
      CredentialsAdmin admin = new CredentialsAdmin(file, hsm.serviceKeys(), hsm.random());
      switch (action) {
        case "list" -> {
          for (CredentialsFile.Entry e : admin.list()) {
            System.out.println(e.accessKeyId() + "\t" + e.account() + "\t" + e.principalArn());
          }
        }
        case "remove" -> {
          if (accessKeyId == null) {
            throw new IllegalArgumentException("remove needs --access-key-id");
          }
          if (!admin.remove(accessKeyId)) {
            throw new IllegalArgumentException("no access key " + accessKeyId + " in " + file);
          }
          System.out.println("removed " + accessKeyId + " from " + file);
        }
        case "add" -> add(admin, file);
        default ->
            throw new IllegalArgumentException(
                "unknown action " + action + " (add, remove or list)");
      }
    }
  }

  /**
   * Adds (or replaces) an access key: its secret from {@code HSM_KMS_SECRET_ACCESS_KEY}, else
   * generated in the HSM and printed this once.
   */
  private void add(CredentialsAdmin admin, Path file) throws IOException {
    account = account == null ? config.accountId() : account;
    String given = System.getenv(ENV_SECRET_ACCESS_KEY);
    byte[] secret;
    boolean generated = false;
    if (given != null && !given.isEmpty()) {
      if (accessKeyId == null) {
        throw new IllegalArgumentException(
            "a secret from " + ENV_SECRET_ACCESS_KEY + " needs --access-key-id");
      }
      secret = given.getBytes(StandardCharsets.UTF_8);
    } else {
      CredentialsAdmin.NewKey key = admin.generate();
      accessKeyId = accessKeyId == null ? key.accessKeyId() : accessKeyId;
      secret = key.secret();
      generated = true;
    }
    try {
      principal =
          principal == null ? "arn:aws:iam::" + account + ":user/" + accessKeyId : principal;
      admin.put(accessKeyId, account, principal, secret);
      System.err.println("added " + accessKeyId + " (" + principal + ") to " + file);
      if (generated) {
        // The only time the secret is shown: the file keeps it sealed in the HSM.
        System.out.println("aws_access_key_id = " + accessKeyId);
        System.out.println("aws_secret_access_key = " + new String(secret, StandardCharsets.UTF_8));
      }
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }
}
