package org.hsmkms.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit section: retention by age, the refusal window and the queue bound. */
class AuditConfigTest {

  @Test
  void defaults_keepEveryFileAgeless_summarizeOverOneSecond_andBoundTheQueue() {
    Audit a = Audit.toFile("/var/log/hsm-kms/audit.log");
    assertEquals(0, a.maxAgeDays());
    assertEquals(1000L, a.refusalWindowMillis());
    assertEquals(1024, a.refusalMaxAddresses());
    assertEquals(10_000, a.queueCapacity());
  }

  @Test
  void theSampleConfig_andAnOperatorsValues_load(@TempDir Path dir) throws Exception {
    assertEquals(0, Config.load(Path.of("hsm-config/hsm-kms.sample.yaml")).audit().maxAgeDays());
    Path c = dir.resolve("c.yaml");
    Files.writeString(
        c,
        "hsm: {module: /x.so, tokenLabel: t, pinEnv: P}\nstore: {url: 'jdbc:sqlite:x'}\n"
            + "audit: {file: /tmp/a.log, maxAgeDays: 30, refusalWindowMillis: 250,"
            + " refusalMaxAddresses: 64, queueCapacity: 500}\n");
    Audit a = Config.load(c).audit();
    assertEquals(30, a.maxAgeDays());
    assertEquals(250L, a.refusalWindowMillis());
    assertEquals(64, a.refusalMaxAddresses());
    assertEquals(500, a.queueCapacity());
  }

  @Test
  void badValues_areRefused() {
    assertThrows(IllegalArgumentException.class, () -> audit(-1, null, null, null));
    assertThrows(IllegalArgumentException.class, () -> audit(null, -1L, null, null));
    assertThrows(IllegalArgumentException.class, () -> audit(null, 60_001L, null, null));
    assertThrows(IllegalArgumentException.class, () -> audit(null, null, 0, null));
    assertThrows(IllegalArgumentException.class, () -> audit(null, null, null, 0));
  }

  private static Audit audit(Integer days, Long window, Integer addresses, Integer queue) {
    return new Audit(true, "/tmp/a.log", null, null, null, null, days, window, addresses, queue);
  }
}
