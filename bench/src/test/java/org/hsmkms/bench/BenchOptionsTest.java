package org.hsmkms.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {
  @Test
  void defaults_areAClosedLoopOfEveryOperationAgainstTheDevServer() {
    BenchOptions o = BenchOptions.parse(new String[] {"--data-dir", ".dev"});

    assertEquals(BenchOptions.DEFAULT_ENDPOINT, o.endpoint());
    assertEquals("us-east-1", o.region());
    assertEquals(Operations.names(), o.operations());
    assertFalse(o.load().openLoop());
    assertEquals(Duration.ofSeconds(10), o.load().duration());
    assertEquals(Path.of(".dev"), o.dataDir());
    assertNull(o.keyId());
  }

  @Test
  void generateDataKeyPair_meansEverySpec() {
    BenchOptions o =
        BenchOptions.parse(
            new String[] {"--data-dir", "d", "--ops", "Decrypt,GenerateDataKeyPair,Decrypt"});

    assertEquals("Decrypt", o.operations().get(0));
    assertEquals(1 + Operations.KEY_PAIR_SPECS.size(), o.operations().size());
    assertTrue(o.operations().contains("GenerateDataKeyPair:RSA_4096"));
  }

  @Test
  void rateAndFractionalSeconds_makeAnOpenLoop() {
    BenchOptions o =
        BenchOptions.parse(new String[] {"--data-dir", "d", "--rate", "2500", "--duration", "0.5"});

    assertTrue(o.load().openLoop());
    assertEquals(2500.0, o.load().rate());
    assertEquals(Duration.ofMillis(500), o.load().duration());
  }

  @Test
  void unknownOperation_isRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> BenchOptions.parse(new String[] {"--data-dir", "d", "--ops", "Sign"}));
  }

  @Test
  void noCredentials_andCeilingWithoutToken_areRefused() {
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(new String[0]));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            BenchOptions.parse(
                new String[] {"--access-key-id", "A", "--secret-access-key", "S", "--ceiling"}));
  }

  @Test
  void context_isOffUnlessAsked_andNamedInTheOptions() {
    BenchOptions o = BenchOptions.parse(new String[] {"--data-dir", "d", "--context"});
    assertTrue(o.context());
    assertFalse(o.policies());
    assertTrue(o.toString().contains("context=true"), o.toString());
    assertFalse(BenchOptions.parse(new String[] {"--data-dir", "d"}).context());
  }

  @Test
  void policies_needTheServersCredentials_andMakeTheirOwnKeys() {
    BenchOptions o = BenchOptions.parse(new String[] {"--data-dir", "d", "--policies"});
    assertTrue(o.policies());
    assertFalse(BenchOptions.parse(new String[] {"--data-dir", "d"}).policies());
    assertTrue(
        BenchOptions.parse(
                new String[] {
                  "--access-key-id",
                  "A",
                  "--secret-access-key",
                  "S",
                  "--config",
                  "c.yaml",
                  "--policies"
                })
            .policies());

    assertThrows(
        IllegalArgumentException.class,
        () ->
            BenchOptions.parse(
                new String[] {"--access-key-id", "A", "--secret-access-key", "S", "--policies"}));
    assertThrows(
        IllegalArgumentException.class,
        () -> BenchOptions.parse(new String[] {"--data-dir", "d", "--policies", "--key-id", "k"}));
  }

  @Test
  void toString_hidesTheSecret() {
    BenchOptions o =
        BenchOptions.parse(
            new String[] {"--access-key-id", "AKID", "--secret-access-key", "very-secret"});

    assertFalse(o.toString().contains("very-secret"));
  }

  @Test
  void latencyPercentiles_areByNearestRank() {
    LatencyRecorder r = new LatencyRecorder();
    for (long ms = 1; ms <= 100; ms++) {
      r.record(ms * 1_000_000);
    }

    assertEquals(new LatencyRecorder.Latency(50, 90, 99, 100), r.summary());
  }
}
