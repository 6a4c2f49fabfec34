package org.hsmkms.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dataKeyPairs section: defaults, overrides and what is refused. */
class DataKeyPairsConfigTest {

  @Test
  void absent_givesTheDefaultPoolSizesWithoutPrefill() {
    Config.DataKeyPairs d = new Config.DataKeyPairs(null, null);
    assertFalse(d.prefill());
    assertEquals(Config.DataKeyPairs.DEFAULT_POOL_SIZES, d.poolSizes());
    assertEquals(8, d.poolSizes().size());
  }

  @Test
  void override_replacesOneSpecAndKeepsTheOthers() {
    Config.DataKeyPairs d = new Config.DataKeyPairs(true, Map.of("RSA_4096", 0));
    assertTrue(d.prefill());
    assertEquals(0, d.poolSizes().get("RSA_4096"));
    assertEquals(4, d.poolSizes().get("RSA_2048"));
  }

  @Test
  void unknownSpecOrBadSize_isRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> new Config.DataKeyPairs(null, Map.of("SM2", 1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Config.DataKeyPairs(null, Map.of("RSA_2048", -1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Config.DataKeyPairs(null, Map.of("RSA_2048", 100000)));
  }

  @Test
  void theSampleConfig_loads(@TempDir Path dir) throws Exception {
    Config c = Config.load(Path.of("hsm-config/hsm-kms.sample.yaml"));
    assertEquals(Config.DataKeyPairs.DEFAULT_POOL_SIZES, c.dataKeyPairs().poolSizes());
    Path small = dir.resolve("c.yaml");
    Files.writeString(
        small,
        "hsm: {module: /x.so, tokenLabel: t, pinEnv: P}\n"
            + "store: {url: 'jdbc:sqlite:x'}\ndataKeyPairs: {poolSizes: {ECC_NIST_P256: 32}}\n");
    assertEquals(32, Config.load(small).dataKeyPairs().poolSizes().get("ECC_NIST_P256"));
  }
}
