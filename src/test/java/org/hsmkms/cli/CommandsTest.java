package org.hsmkms.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the commands answer to a wrong command line, before they open anything: the messages the
 * launcher's users see after {@code hsm-kms: }.
 */
class CommandsTest {
  @TempDir Path dir;

  private static String refused(ThrowingCommand command) {
    return assertThrows(IllegalArgumentException.class, command::run).getMessage();
  }

  @FunctionalInterface
  private interface ThrowingCommand {
    void run() throws Exception;
  }

  @Test
  void anOptionWithoutItsValue_isNamed_byEveryCommand() {
    assertEquals("--port needs a value", refused(() -> DevCommand.run(args("dev --port"))));
    assertEquals(
        "--data-dir needs a value",
        refused(() -> CredentialsCommand.run(args("credentials list --data-dir"))));
  }

  @Test
  void dev_withOnlyHalfAnAccessKey_isRefused() {
    String[] args = {"dev", "--access-key-id", "AKIDHALF", "--secret-access-key", ""};

    assertEquals(
        "give both --access-key-id and --secret-access-key (HSM_KMS_ACCESS_KEY_ID and"
            + " HSM_KMS_SECRET_ACCESS_KEY), or neither",
        refused(() -> DevCommand.run(args)));
  }

  @Test
  void dev_onADataDirTheLauncherDidNotPrepare_saysHowToStart() {
    String[] args = {"dev", "--data-dir", dir.toString(), "--module", "/no/such/module.so"};

    assertEquals(
        dir.resolve("pin")
            + " is missing: start through ./hsm-kms dev, which prepares the data directory",
        refused(() -> DevCommand.run(args)));
  }

  @Test
  void dev_aStoreOtherThanSqliteOrPostgresql_isRefused() {
    assertEquals(
        "--store takes sqlite (the default) or postgresql, not mysql",
        refused(() -> DevCommand.run(args("dev --store mysql"))));
  }

  @Test
  void dev_aNonNumericPort_isRefused() {
    assertThrows(NumberFormatException.class, () -> DevCommand.run(args("dev --port http")));
  }

  @Test
  void credentials_needsAnAction_aKnownOption_andAConfigOrDataDir() {
    assertEquals(
        "usage: hsm-kms credentials add|remove|list|policy ...",
        refused(() -> CredentialsCommand.run(args("credentials"))));
    assertEquals(
        "usage: hsm-kms credentials policy set|show|remove ...",
        refused(() -> CredentialsCommand.run(args("credentials policy"))));
    assertEquals(
        "give --admin or --policy FILE, not both",
        refused(() -> CredentialsCommand.run(args("credentials add --admin --policy p.json"))));
    assertEquals(
        "unknown option --secret",
        refused(() -> CredentialsCommand.run(args("credentials add --secret s"))));
    assertEquals(
        "give --config FILE (with credentials.file) or --data-dir DIR",
        refused(() -> CredentialsCommand.run(args("credentials list"))));
    assertTrue(
        refused(() -> CredentialsCommand.run(args("credentials list --config /no/such.yaml")))
            .startsWith("cannot read config /no/such.yaml: "));
  }

  @Test
  void serve_takesExactlyAConfigFile() {
    assertEquals(
        "usage: hsm-kms serve --config FILE", refused(() -> ServeCommand.run(args("serve"))));
    assertEquals(
        "usage: hsm-kms serve --config FILE",
        refused(() -> ServeCommand.run(args("serve --conf x.yaml"))));
  }

  @Test
  void help_namesEveryCommand() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    HelpCommand.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String help = bytes.toString(StandardCharsets.UTF_8);

    for (String command :
        new String[] {
          "hsm-kms dev ",
          "hsm-kms serve --config FILE",
          "hsm-kms credentials add ",
          "hsm-kms credentials remove ",
          "hsm-kms credentials list ",
          "hsm-kms credentials policy set ",
          "hsm-kms credentials policy show|remove ",
          "[--policy FILE | --admin]",
        }) {
      assertTrue(help.contains(command), command + " in\n" + help);
    }
    assertFalse(help.contains("null"), help);
  }

  @Test
  void commandLine_skipsTheValueOfAnUnknownOption_butNotTheNextOption() {
    CommandLine options = new CommandLine(args("dev --later 1 --flag --port 4591"), 1);

    assertEquals("--later", options.next());
    options.skipValueOf("--later");
    assertEquals("--flag", options.next());
    options.skipValueOf("--flag");
    assertEquals("--port", options.next());
    assertEquals(4591, options.intValue("--port"));
    assertFalse(options.hasNext());
  }

  private static String[] args(String line) {
    return line.split(" ");
  }
}
