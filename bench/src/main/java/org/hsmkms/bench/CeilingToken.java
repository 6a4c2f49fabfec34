package org.hsmkms.bench;

import java.io.IOException;
import java.nio.file.Path;
import org.hsmkms.cli.DevDataDir;
import org.hsmkms.cli.Startup;
import org.hsmkms.config.Config;
import org.hsmkms.config.DevDefaults;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;

/**
 * The token the HSM ceiling ({@code --ceiling}) is measured on, opened through the service's own
 * PKCS#11 adapter with as many sessions as the bench has concurrent requests: the dev token of a
 * data directory that {@code ./hsm-kms dev} prepared, or the token of a production config.
 *
 * <p>Security: the PIN comes from the data directory's {@code pin} file, or as the config says
 * (file or environment variable), read and zeroed by the service's own start-up code.
 */
final class CeilingToken {
  private CeilingToken() {}

  /**
   * Opens the token of {@code configFile} if given, else the dev token of {@code dataDir}; the
   * caller closes it. Implements {@link Bench.HsmOpener}.
   */
  static Pkcs11Hsm open(Path dataDir, Path configFile, int sessions) throws IOException {
    if (configFile != null) {
      return Startup.openHsm(Startup.loadConfig(configFile.toString()), sessions);
    }
    Path dir = dataDir.toAbsolutePath();
    Path conf = dir.resolve("softhsm2.conf");
    String env = System.getenv("SOFTHSM2_CONF");
    if (env == null || !Path.of(env).toAbsolutePath().equals(conf)) {
      // The dev token is only found through its own SoftHSM2 configuration.
      throw new IllegalArgumentException(
          "--ceiling with --data-dir needs SOFTHSM2_CONF=" + conf + " (./hsm-kms bench sets it)");
    }
    DevDefaults defaults = DevDefaults.get();
    Config dev =
        DevDataDir.config(
            dir, defaults.port(), defaults.accountId(), defaults.region(), null, null, null);
    return Startup.openHsm(dev, sessions);
  }
}
