package org.hsmkms.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StartupLoadTest {
  @Test
  void asked_onlyWithStartupAndLoad() {
    assertTrue(StartupLoad.asked(new String[] {"--startup", "--load"}));
    assertFalse(StartupLoad.asked(new String[] {"--startup"}));
    assertFalse(StartupLoad.asked(new String[] {"--load"}));
  }

  @Test
  void parse_readsRunsWarmWindowAndDevFlags() {
    StartupLoad.Options o =
        StartupLoad.parse(
            new String[] {
              "--startup", "--load", "--runs", "5", "--warm-from", "40", "--dev-flag", "--no-warmup"
            },
            "/x/hsm-kms");

    assertEquals(5, o.runs());
    assertEquals(128, o.connections());
    assertEquals(40, o.warmFrom());
    assertEquals(List.of("--no-warmup"), o.devFlags());
  }

  @Test
  void parse_refusesAnUnknownOption_andARunWithoutTheLauncher() {
    assertThrows(
        IllegalArgumentException.class,
        () -> StartupLoad.parse(new String[] {"--startup", "--load", "--nope"}, "/x/hsm-kms"));
    assertThrows(
        IllegalArgumentException.class,
        () -> StartupLoad.parse(new String[] {"--startup", "--load"}, null));
  }

  @Test
  void line_reportsStartFirstWindowAndWarmWindow() {
    StartupLoad.Run run =
        new StartupLoad.Run(
            2345,
            new StartupLoad.Window(0, 10, 9876.5, new LatencyRecorder.Latency(5, 8, 17.25, 40)),
            new StartupLoad.Window(30, 40, 15000, new LatencyRecorder.Latency(4, 6, 9.5, 30)),
            3);

    String line = StartupLoad.line(1, run);

    assertTrue(line.startsWith("start 1: first answer 2345 ms after launch; "), line);
    assertTrue(line.contains("0-10 s: 9877 req/s p50 5.0 ms p99 17.3 ms"), line);
    assertTrue(line.contains("30-40 s: 15000 req/s p50 4.0 ms p99 9.5 ms"), line);
    assertTrue(line.endsWith("; 3 errors"), line);
  }
}
