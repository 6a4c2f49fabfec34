package org.hsmkms.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonMappingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code quotas} section (docs/quotas.md). */
class QuotasConfigTest {
  @TempDir Path dir;

  private Config load(String yaml) throws Exception {
    Path file = dir.resolve("c.yaml");
    Files.writeString(
        file,
        "hsm: {module: /m.so, tokenLabel: t, pinFile: /p}\nstore: {url: 'jdbc:sqlite:/tmp/m.db'}\n"
            + yaml);
    return Config.load(file);
  }

  @Test
  void byDefault_requestQuotasAreOn_atAwsRates_withAwsResourceQuotas() throws Exception {
    Quotas q = load("").quotas();

    assertTrue(q.enabled());
    assertEquals(1.0, q.scale());
    assertEquals(0.0, q.perAccessKey());
    assertEquals(Map.of(), q.accounts());
    assertEquals(100_000L, q.keysPerAccount());
    assertEquals(50, q.aliasesPerKey());
    assertEquals(50_000, q.grantsPerKey());
    assertEquals(50, q.tagsPerKey());
    assertEquals(32_768, q.keyPolicyBytes());
  }

  @Test
  void scale_perAccessKey_andAccountOverrides_load_includingAClassNameWithAColon()
      throws Exception {
    Quotas q =
        load("""
                quotas:
                  scale: 0.5
                  perAccessKey: 0.25
                  accounts:
                    "111122223333":
                      symmetric: 2000
                      GenerateDataKeyPair:RSA_4096: 1
                      CreateKey: 0.5
                  keysPerAccount: 10
                """)
            .quotas();

    assertEquals(0.5, q.scale());
    assertEquals(0.25, q.perAccessKey());
    assertEquals(
        Map.of("symmetric", 2000.0, "GenerateDataKeyPair:RSA_4096", 1.0, "CreateKey", 0.5),
        q.accounts().get("111122223333"));
    assertEquals(10L, q.keysPerAccount());
  }

  @Test
  void theSampleConfiguration_statesTheDefaults() throws Exception {
    assertEquals(
        Quotas.defaults(), Config.load(Path.of("hsm-config/hsm-kms.sample.yaml")).quotas());
  }

  @Test
  void enabledFalse_turnsRequestQuotasOff() throws Exception {
    assertFalse(load("quotas: {enabled: false}\n").quotas().enabled());
  }

  @Test
  void anUnknownClass_aBadAccount_aRateOfZero_orAScaleOfZero_isRefused() {
    assertThrows(
        JsonMappingException.class,
        () -> load("quotas: {accounts: {'111122223333': {symetric: 5}}}\n"));
    assertThrows(
        JsonMappingException.class, () -> load("quotas: {accounts: {'1111': {symmetric: 5}}}\n"));
    assertThrows(
        JsonMappingException.class,
        () -> load("quotas: {accounts: {'111122223333': {CreateKey: 0}}}\n"));
    assertThrows(JsonMappingException.class, () -> load("quotas: {scale: 0}\n"));
    assertThrows(JsonMappingException.class, () -> load("quotas: {perAccessKey: 2}\n"));
    assertThrows(JsonMappingException.class, () -> load("quotas: {keysPerAcount: 2}\n"));
  }
}
