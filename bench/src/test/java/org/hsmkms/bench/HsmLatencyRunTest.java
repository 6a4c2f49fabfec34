package org.hsmkms.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.junit.jupiter.api.Test;

/** The command line of {@code bench --hsm-latency} and the sizing it gives the server. */
class HsmLatencyRunTest {
  private static final String LAUNCHER = "/opt/hsm-kms/hsm-kms";

  private static HsmLatencyRun parse(String... args) {
    return HsmLatencyRun.parse(args, LAUNCHER);
  }

  @Test
  void theSessions_followLittlesLaw_forTheTargetRate() {
    assertNull(HsmLatencyRun.sessionsFor(0), "no latency: the dev server's own default");
    assertEquals(17, HsmLatencyRun.sessionsFor(0.5)); // 10 in flight x 1.5 + 2
    assertEquals(32, HsmLatencyRun.sessionsFor(1)); // 20 in flight x 1.5 + 2
    assertEquals(62, HsmLatencyRun.sessionsFor(2)); // 40 in flight x 1.5 + 2
  }

  @Test
  void theOption_startsTheServerWithTheModel_andTheDerivedSessions() {
    HsmLatencyRun run =
        parse("--hsm-latency", "1", "--ops", "GenerateDataKey", "--concurrency", "64");

    assertTrue(HsmLatencyRun.asked(new String[] {"--ops", "Encrypt", "--hsm-latency", "1"}));
    assertFalse(HsmLatencyRun.asked(new String[] {"--ops", "Encrypt"}));
    assertEquals(1000, run.latencyMicros());
    assertEquals(List.of("--sessions", "32"), run.serverFlags());
    assertEquals(
        Map.of("HSM_KMS_JAVA_OPTS", "-D" + Pkcs11Hsm.LATENCY_MICROS_PROPERTY + "=1000"),
        run.serverEnvironment(null));
    assertEquals(
        Map.of("HSM_KMS_JAVA_OPTS", "-Xmx1g -D" + Pkcs11Hsm.LATENCY_MICROS_PROPERTY + "=1000"),
        run.serverEnvironment("-Xmx1g"));
    assertEquals(List.of("--ops", "GenerateDataKey", "--concurrency", "64"), run.benchArgs());
    assertEquals(Path.of(LAUNCHER), run.launcher());
    assertEquals(
        "HSM latency model: 1 ms per PKCS#11 call; server: 32 sessions (Little's law: 10,000"
            + " req/s x 2 calls x 1 ms x 1.5 + 2)",
        run.describe());
  }

  @Test
  void givenSessions_andFractionalOrZeroLatency_areTakenAsGiven() {
    HsmLatencyRun before = parse("--hsm-latency", "0.5", "--server-sessions", "6");
    assertEquals(List.of("--sessions", "6"), before.serverFlags());
    assertEquals(500, before.latencyMicros());
    assertEquals(
        "HSM latency model: 0.5 ms per PKCS#11 call; server: 6 sessions (--server-sessions)",
        before.describe());

    HsmLatencyRun none = parse("--hsm-latency", "0");
    assertEquals(List.of(), none.serverFlags());
    assertEquals(Map.of(), none.serverEnvironment("-Xmx1g"));
    assertEquals(
        "HSM latency model: 0 ms per PKCS#11 call; server: the dev server's default sessions",
        none.describe());
  }

  @Test
  void optionsThatNameAnotherServer_orNoLauncher_orABadValue_areRefused() {
    for (String own : List.of("--endpoint", "--data-dir", "--config", "--access-key-id")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> parse("--hsm-latency", "1", own, "x"));
      assertTrue(e.getMessage().contains(own), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> parse("--hsm-latency", "1", "--ceiling"));
    assertThrows(IllegalArgumentException.class, () -> parse("--hsm-latency", "-1"));
    assertThrows(IllegalArgumentException.class, () -> parse("--hsm-latency"));
    assertThrows(
        IllegalArgumentException.class,
        () -> parse("--hsm-latency", "1", "--server-sessions", "2"));
    IllegalArgumentException noLauncher =
        assertThrows(
            IllegalArgumentException.class,
            () -> HsmLatencyRun.parse(new String[] {"--hsm-latency", "1"}, null));
    assertTrue(noLauncher.getMessage().contains("./hsm-kms bench --hsm-latency"));
    assertEquals(
        Path.of("/x/hsm-kms"),
        HsmLatencyRun.parse(new String[] {"--hsm-latency", "1", "--launcher", "/x/hsm-kms"}, null)
            .launcher());
  }

  @Test
  void theBenchUsage_namesTheOption() {
    assertTrue(BenchOptions.USAGE.contains("--hsm-latency MS"));
    assertTrue(HsmLatencyRun.USAGE.contains("--server-sessions N"));
  }
}
