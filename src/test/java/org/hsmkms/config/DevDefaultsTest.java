package org.hsmkms.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The dev defaults are written once: the jar reads the same values as the launcher ({@code
 * ./hsm-kms}, sourced here as its tests do) and finds the same SoftHSM2 module.
 */
class DevDefaultsTest {
  private static final Path LAUNCHER = Path.of("hsm-kms").toAbsolutePath();

  @Test
  void theJar_readsTheValuesTheLauncherUses() throws Exception {
    List<String> launcher =
        bash(
            "printf '%s\\n' \"$DEV_PORT\" \"$DEV_DATA_DIR\" \"$DEV_ACCOUNT_ID\" \"$DEV_REGION\""
                + " \"$DEV_TOKEN_LABEL\" \"${SOFTHSM2_MODULES[*]}\"");
    DevDefaults d = DevDefaults.get();

    assertEquals(
        launcher,
        List.of(
            String.valueOf(d.port()),
            d.dataDir(),
            d.accountId(),
            d.region(),
            d.tokenLabel(),
            String.join(" ", d.softhsm2Modules())));
    assertEquals(4, d.softhsm2Modules().size(), d.softhsm2Modules().toString());
  }

  @Test
  void theJar_findsTheSoftHsm2ModuleTheLauncherFinds() throws Exception {
    List<String> launcher = bash("softhsm2_module || true");

    assertEquals(launcher, DevDefaults.get().softhsm2Module().stream().toList());
  }

  @Test
  void parse_refusesAnUnknownName_andAMissingOne() throws IOException {
    Properties typo = properties("port=4599\nregoin=us-east-1\n");
    Properties missing = properties("port=4599\n");

    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> DevDefaults.parse(typo));
    IllegalArgumentException absent =
        assertThrows(IllegalArgumentException.class, () -> DevDefaults.parse(missing));
    assertEquals("dev-defaults.properties: unknown name regoin", unknown.getMessage());
    assertEquals("dev-defaults.properties: dataDir is missing", absent.getMessage());
  }

  private static Properties properties(String text) throws IOException {
    Properties p = new Properties();
    p.load(new StringReader(text));
    return p;
  }

  /** The lines {@code script} prints after sourcing the launcher (which then runs nothing). */
  private static List<String> bash(String script) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("bash", "-c", "source \"$1\" && " + script, "bash", LAUNCHER.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out.lines().toList();
  }
}
