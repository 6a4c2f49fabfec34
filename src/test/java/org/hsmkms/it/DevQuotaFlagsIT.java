package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.hsmkms.config.DevDefaults;
import org.hsmkms.testing.ServiceProcess;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * {@code dev}'s quota flags reach the server: a contract of the bench's scenarios ({@code --quota
 * ACCOUNT:CLASS=RATE}, {@code --quota-scale}, {@code --no-quotas}). One real child JVM.
 */
class DevQuotaFlagsIT {
  @Test
  void quota_setsTheAccountsRateOfOneClass_onAServerStartedByDev() throws Exception {
    Path base = Path.of("target", "dev-quota").toAbsolutePath();
    Files.createDirectories(base);
    Path dir = ServiceProcess.prepareDataDir(Files.createTempDirectory(base, "quota-"));
    String account = DevDefaults.get().accountId();
    try (ServiceProcess p =
        ServiceProcess.start(dir, List.of(), List.of("--quota", account + ":symmetric=0.1"))) {
      KmsClient kms = p.client();

      // 0.1 a second: one request, then none for ten seconds.
      kms.generateRandom(r -> r.numberOfBytes(8));
      KmsException e =
          assertThrows(KmsException.class, () -> kms.generateRandom(r -> r.numberOfBytes(8)));

      assertEquals("ThrottlingException", e.awsErrorDetails().errorCode());
      // Another class of the same account: at the scale the test processes run at.
      kms.listKeys(r -> r.limit(1));
    }
  }
}
