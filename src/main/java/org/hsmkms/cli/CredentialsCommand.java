package org.hsmkms.cli;

import static org.hsmkms.cli.CommandLine.ENV_SECRET_ACCESS_KEY;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import org.hsmkms.auth.CredentialsAdmin;
import org.hsmkms.auth.CredentialsFile;
import org.hsmkms.authz.MalformedPolicyException;
import org.hsmkms.config.Config;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;

/**
 * {@code credentials add|remove|list} and {@code credentials policy set|show|remove}: manages the
 * access keys of a server's credentials file, sealing secrets in its HSM, and the identity policies
 * of its principals, sealed to them. The running server picks the change up by itself.
 */
public final class CredentialsCommand {
  private final String action;
  private Config config;
  private String accessKeyId;
  private String account;
  private String principal;
  private Path policyFile;
  private boolean admin;

  private CredentialsCommand(String action) {
    this.action = action;
  }

  public static void run(String[] args) throws IOException {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: hsm-kms credentials add|remove|list|policy ...");
    }
    boolean policy = args[1].equals("policy");
    if (policy && args.length < 3) {
      throw new IllegalArgumentException("usage: hsm-kms credentials policy set|show|remove ...");
    }
    CredentialsCommand command = new CredentialsCommand(policy ? "policy " + args[2] : args[1]);
    command.parse(new CommandLine(args, policy ? 3 : 2));
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
        case "--file", "--policy" -> policyFile = Path.of(options.value(a));
        case "--admin" -> admin = true;
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (admin && policyFile != null) {
      throw new IllegalArgumentException("give --admin or --policy FILE, not both");
    }
    if (config == null || config.credentials() == null) {
      throw new IllegalArgumentException(
          "give --config FILE (with credentials.file) or" + " --data-dir DIR");
    }
  }

  /**
   * The identity policy given by {@code --policy FILE}, {@code --file FILE} or {@code --admin},
   * checked with the policy grammar; null if none was given.
   */
  private String policy() throws IOException {
    String document = admin ? CredentialsAdmin.ADMIN_POLICY : null;
    if (policyFile != null) {
      document = Files.readString(policyFile, StandardCharsets.UTF_8);
    }
    if (document != null) {
      try {
        CredentialsAdmin.checkPolicy(document);
      } catch (MalformedPolicyException e) {
        throw new IllegalArgumentException(
            "identity policy " + (admin ? "--admin" : policyFile) + ": " + e.getMessage());
      }
    }
    return document;
  }

  private void execute() throws IOException {
    Path file = Path.of(config.credentials().file());
    // Checked before the HSM is opened: a malformed policy writes nothing.
    String policy = policy();
    try (Pkcs11Hsm hsm = Startup.openHsm(config, 1)) {
      CredentialsAdmin admin = new CredentialsAdmin(file, hsm.serviceKeys(), hsm.random());
      switch (action) {
        case "list" -> {
          Set<String> withPolicy = admin.principalsWithPolicy();
          for (CredentialsFile.Entry e : admin.list()) {
            System.out.println(
                e.accessKeyId()
                    + "\t"
                    + e.account()
                    + "\t"
                    + e.principalArn()
                    + "\t"
                    + (withPolicy.contains(e.principalArn())
                        ? "identity policy"
                        : "no identity policy"));
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
        case "add" -> add(admin, file, policy);
        case "policy set" -> {
          if (policy == null) {
            throw new IllegalArgumentException("policy set needs --file FILE (or --admin)");
          }
          admin.setPolicy(requirePrincipal(), policy);
          System.err.println("set the identity policy of " + principal + " in " + file);
        }
        case "policy show" ->
            System.out.println(
                admin
                    .policy(requirePrincipal())
                    .orElseThrow(
                        () ->
                            new IllegalArgumentException(
                                principal + " has no identity policy in " + file)));
        case "policy remove" -> {
          if (!admin.removePolicy(requirePrincipal())) {
            throw new IllegalArgumentException(principal + " has no identity policy in " + file);
          }
          System.out.println("removed the identity policy of " + principal + " from " + file);
        }
        default ->
            throw new IllegalArgumentException(
                "unknown action "
                    + action
                    + " (add, remove, list, policy set, policy show or policy remove)");
      }
    }
  }

  private String requirePrincipal() {
    if (principal == null) {
      throw new IllegalArgumentException(action + " needs --principal ARN");
    }
    return principal;
  }

  /**
   * Adds (or replaces) an access key: its secret from {@code HSM_KMS_SECRET_ACCESS_KEY}, else
   * generated in the HSM and printed this once.
   */
  private void add(CredentialsAdmin admin, Path file, String policy) throws IOException {
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
      admin.put(accessKeyId, account, principal, secret, policy);
      System.err.println(
          "added "
              + accessKeyId
              + " ("
              + principal
              + (policy == null ? "" : ", with its identity policy")
              + ") to "
              + file);
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
