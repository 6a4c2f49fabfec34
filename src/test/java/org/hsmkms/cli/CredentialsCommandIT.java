package org.hsmkms.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.hsmkms.auth.CredentialsAdmin;
import org.hsmkms.authz.MalformedPolicyException;
import org.hsmkms.testing.SuiteSecrets;
import org.hsmkms.testing.TestServer;
import org.hsmkms.testing.TestToken;
import org.junit.jupiter.api.Test;

/**
 * {@code credentials add|list|remove --config FILE} on the test token: a generated secret is shown
 * once and kept sealed, the key is listed, and removed again.
 */
class CredentialsCommandIT {
  private static final String ID = "AKIDCLICOMMAND";
  private static final String ACCOUNT = "111122223333";
  private static final String PRINCIPAL = "arn:aws:iam::" + ACCOUNT + ":user/" + ID;
  private static final String READ_ONLY =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
          + "\"Action\":\"kms:DescribeKey\",\"Resource\":\"*\"}]}";

  @Test
  void add_list_remove_throughAConfigFile() throws Exception {
    Path config = newConfig();
    Path credentials = config.resolveSibling("server-credentials");

    List<String> added =
        run("credentials", "add", "--config", config.toString(), "--access-key-id", ID);
    String secret = added.get(1).substring("aws_secret_access_key = ".length());
    SuiteSecrets.secret(secret);
    List<String> listed = run("credentials", "list", "--config", config.toString());
    String[] check = {null};
    TestServer.withHsm(
        hsm ->
            check[0] =
                String.valueOf(
                    new CredentialsAdmin(credentials, hsm.serviceKeys(), hsm.random())
                        .holds(
                            ID,
                            ACCOUNT,
                            "arn:aws:iam::" + ACCOUNT + ":user/" + ID,
                            secret.getBytes(StandardCharsets.UTF_8))));
    List<String> removed =
        run("credentials", "remove", "--config", config.toString(), "--access-key-id", ID);

    assertEquals("aws_access_key_id = " + ID, added.get(0));
    assertTrue(secret.length() >= 30, "a generated secret of " + secret.length() + " characters");
    assertEquals("true", check[0], "the file holds the printed secret, sealed");
    assertFalse(Files.readString(credentials).contains(secret), "the secret is sealed in the file");
    assertEquals(
        List.of(
            ID
                + "\t"
                + ACCOUNT
                + "\tarn:aws:iam::"
                + ACCOUNT
                + ":user/"
                + ID
                + "\tno identity policy"),
        listed);
    assertEquals(List.of("removed " + ID + " from " + credentials), removed);
    assertEquals(List.of(), run("credentials", "list", "--config", config.toString()));
    assertEquals(
        "no access key " + ID + " in " + credentials,
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    CredentialsCommand.run(
                        new String[] {
                          "credentials",
                          "remove",
                          "--config",
                          config.toString(),
                          "--access-key-id",
                          ID
                        }))
            .getMessage());
  }

  /** A config of the test token, with its credentials file {@code server-credentials} beside it. */
  private static Path newConfig() throws Exception {
    Path dir = Files.createDirectories(TestServer.newDataDir());
    Files.writeString(dir.resolve("pin"), TestToken.PIN + "\n");
    Path credentials = dir.resolve("server-credentials");
    Path config = dir.resolve("hsm-kms.yaml");
    Files.writeString(
        config,
        "hsm:\n  module: "
            + TestToken.module()
            + "\n  tokenLabel: "
            + TestToken.LABEL
            + "\n  pinFile: "
            + dir.resolve("pin")
            + "\nstore:\n  url: jdbc:sqlite:"
            + dir.resolve("metadata.db")
            + "\ncredentials:\n  file: "
            + credentials
            + "\n");
    TestToken.dir();
    return config;
  }

  @Test
  void policy_set_show_remove_andTheListSaysWhoHasOne() throws Exception {
    Path config = newConfig();
    Path credentials = config.resolveSibling("server-credentials");
    Path policy = config.resolveSibling("policy.json");
    Files.writeString(policy, READ_ONLY);
    List<String> added =
        run("credentials", "add", "--config", config.toString(), "--access-key-id", ID);
    SuiteSecrets.secret(added.get(1).substring("aws_secret_access_key = ".length()));

    policy(config, "set", "--file", policy.toString());
    List<String> shown = policy(config, "show");
    List<String> listed = run("credentials", "list", "--config", config.toString());
    List<String> removed = policy(config, "remove");

    assertEquals(List.of(READ_ONLY), shown);
    assertEquals(List.of(ID + "\t" + ACCOUNT + "\t" + PRINCIPAL + "\tidentity policy"), listed);
    assertEquals(
        List.of("removed the identity policy of " + PRINCIPAL + " from " + credentials), removed);
    assertEquals(
        PRINCIPAL + " has no identity policy in " + credentials,
        assertThrows(IllegalArgumentException.class, () -> policy(config, "show")).getMessage());
    assertEquals(
        List.of(ID + "\t" + ACCOUNT + "\t" + PRINCIPAL + "\tno identity policy"),
        run("credentials", "list", "--config", config.toString()));
  }

  @Test
  void add_withAdmin_givesThePrincipalKmsStarOnStar() throws Exception {
    Path config = newConfig();
    List<String> added =
        run("credentials", "add", "--config", config.toString(), "--access-key-id", ID, "--admin");
    SuiteSecrets.secret(added.get(1).substring("aws_secret_access_key = ".length()));

    assertEquals(List.of(CredentialsAdmin.ADMIN_POLICY), policy(config, "show"));
  }

  @Test
  void malformedPolicy_isRefusedWithTheParsersMessage_andNothingIsWritten() throws Exception {
    Path config = newConfig();
    Path credentials = config.resolveSibling("server-credentials");
    Path policy = config.resolveSibling("policy.json");
    Files.writeString(policy, READ_ONLY.replace("\"Allow\"", "\"Maybe\""));
    String parserMessage =
        assertThrows(
                MalformedPolicyException.class,
                () -> CredentialsAdmin.checkPolicy(Files.readString(policy)))
            .getMessage();

    IllegalArgumentException add =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                run(
                    "credentials",
                    "add",
                    "--config",
                    config.toString(),
                    "--access-key-id",
                    ID,
                    "--policy",
                    policy.toString()));
    IllegalArgumentException set =
        assertThrows(
            IllegalArgumentException.class,
            () -> policy(config, "set", "--file", policy.toString()));

    assertEquals("identity policy " + policy + ": " + parserMessage, add.getMessage());
    assertEquals(add.getMessage(), set.getMessage());
    assertFalse(Files.exists(credentials), "nothing written");
  }

  /** The lines the command prints on standard output. */
  /** {@code credentials policy VERB --config CONFIG --principal PRINCIPAL [more...]}. */
  private static List<String> policy(Path config, String verb, String... more) throws Exception {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "credentials",
                "policy",
                verb,
                "--config",
                config.toString(),
                "--principal",
                PRINCIPAL));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  private static List<String> run(String... args) throws Exception {
    PrintStream console = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      CredentialsCommand.run(args);
    } finally {
      System.setOut(console);
    }
    return bytes.toString(StandardCharsets.UTF_8).lines().toList();
  }
}
