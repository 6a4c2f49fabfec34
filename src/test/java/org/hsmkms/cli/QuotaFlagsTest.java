package org.hsmkms.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.hsmkms.config.Quotas;
import org.junit.jupiter.api.Test;

/** {@code dev}'s request quota flags, which the bench's scenarios use by these names. */
class QuotaFlagsTest {
  private static Quotas read(String... args) {
    QuotaFlags flags = new QuotaFlags();
    CommandLine options = new CommandLine(args, 0);
    while (options.hasNext()) {
      String a = options.next();
      assertTrue(flags.read(a, options), a);
    }
    return flags.quotas();
  }

  @Test
  void quotaScale_andRepeatedQuota_becomeTheQuotasSection() {
    Quotas q =
        read(
            "--quota-scale",
            "0.01",
            "--quota",
            "111122223333:symmetric=2000",
            "--quota",
            "111122223333:GenerateDataKeyPair:RSA_4096=1",
            "--quota",
            "444455556666:CreateKey=0.5");

    assertTrue(q.enabled());
    assertEquals(0.01, q.scale());
    assertEquals(
        Map.of("symmetric", 2000.0, "GenerateDataKeyPair:RSA_4096", 1.0),
        q.accounts().get("111122223333"));
    assertEquals(Map.of("CreateKey", 0.5), q.accounts().get("444455556666"));
  }

  @Test
  void noQuotas_turnsThemOff() {
    assertFalse(read("--no-quotas").enabled());
    assertFalse(read("--quota-scale", "1", "--no-quotas").enabled());
  }

  @Test
  void withoutAScaleOrARate_devEnforcesNoRequestQuotas_butKeepsTheResourceQuotas() {
    Quotas q = read();
    assertFalse(q.enabled());
    assertEquals(Quotas.defaults().keysPerAccount(), q.keysPerAccount());
    assertTrue(read("--quota-scale", "1").enabled());
    assertTrue(read("--quota", "111122223333:CreateKey=5").enabled());
  }

  @Test
  void throttledDelayMillis_setsTheDelayOfThrottledAnswers() {
    assertEquals(100, read().throttledAnswerDelayMillis());
    assertEquals(0, read("--throttled-delay-millis", "0").throttledAnswerDelayMillis());
    assertThrows(IllegalArgumentException.class, () -> read("--throttled-delay-millis", "99999"));
  }

  @Test
  void otherOptions_areNotTheirs() {
    assertFalse(new QuotaFlags().read("--port", new CommandLine(new String[] {"1"}, 0)));
  }

  @Test
  void aMalformedQuota_isRefused_withWhatItTakes() {
    for (String bad :
        new String[] {
          "symmetric=5",
          "111122223333:symmetric",
          "111122223333:=5",
          "111122223333:symmetric=",
          "111122223333:symmetric=fast",
          "111122223333:Symmetric=5"
        }) {
      assertThrows(IllegalArgumentException.class, () -> read("--quota", bad), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> read("--quota-scale", "0"));
  }
}
