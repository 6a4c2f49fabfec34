package org.hsmkms.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import org.hsmkms.Application;
import org.hsmkms.config.Config;
import org.hsmkms.config.PinFile;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.hsm.pkcs11.Pkcs11Settings;

/** What the commands share: a configuration file, the PIN, the HSM, the running service. */
public final class Startup {
  private Startup() {}

  /** The configuration in {@code path}; a file that cannot be read is a usage error. */
  public static Config loadConfig(String path) {
    try {
      return Config.load(Path.of(path));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read config " + path + ": " + e.getMessage());
    }
  }

  /** The token named by the configuration, logged in, with {@code sessions} sessions. */
  public static Pkcs11Hsm openHsm(Config config, int sessions) throws IOException {
    char[] pin = PinFile.readFor(config.hsm());
    try {
      Config.Hsm h = config.hsm();
      return Pkcs11Hsm.open(
          new Pkcs11Settings(
              h.module(), h.tokenLabel(), pin, sessions, h.sessionWaitMillis(), h.workingCopies()));
    } finally {
      Arrays.fill(pin, '\0');
    }
  }

  /**
   * Starts the service, running {@code before} with its HSM first, and closes it when the process
   * ends.
   */
  static Application start(Config config, Application.Preparation before) throws IOException {
    char[] pin = PinFile.readFor(config.hsm());
    Application app = Application.start(config, pin, Clock.systemUTC(), before);
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "hsm-kms-shutdown"));
    return app;
  }
}
