package org.hsmkms.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.hsmkms.config.Config;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.hsm.pkcs11.Pkcs11Settings;

/**
 * The token the HSM ceiling ({@code --ceiling}) is measured on, opened through the service's own
 * PKCS#11 adapter with as many sessions as the bench has concurrent requests: the dev token of a
 * data directory that {@code ./hsm-kms dev} prepared, or the token of a production config.
 *
 * <p>Security: the PIN comes from the data directory's {@code pin} file, or as the config says
 * (file or environment variable); it is handed to the adapter and zeroed here.
 */
final class CeilingToken {
  /** The label {@code ./hsm-kms dev} gives its token. */
  static final String DEV_TOKEN_LABEL = "hsm-kms-dev";

  /** Where Debian/Ubuntu packages put the SoftHSM2 module, searched as {@code dev} does. */
  private static final List<String> SOFTHSM_PATHS =
      List.of(
          "/usr/lib/softhsm/libsofthsm2.so",
          "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
          "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
          "/usr/local/lib/softhsm/libsofthsm2.so");

  private CeilingToken() {}

  /**
   * Opens the token of {@code configFile} if given, else the dev token of {@code dataDir}; the
   * caller closes it. Implements {@link Bench.HsmOpener}.
   */
  static Pkcs11Hsm open(Path dataDir, Path configFile, int sessions) throws IOException {
    if (configFile != null) {
      return open(loadConfig(configFile).hsm(), sessions);
    }
    Path dir = dataDir.toAbsolutePath();
    Path conf = dir.resolve("softhsm2.conf");
    String env = System.getenv("SOFTHSM2_CONF");
    if (env == null || !Path.of(env).toAbsolutePath().equals(conf)) {
      // The dev token is only found through its own SoftHSM2 configuration.
      throw new IllegalArgumentException(
          "--ceiling with --data-dir needs SOFTHSM2_CONF=" + conf + " (./hsm-kms bench sets it)");
    }
    return open(devHsm(dir), sessions);
  }

  /** The dev token of {@code dir}, with the service's defaults for everything else. */
  private static Config.Hsm devHsm(Path dir) {
    String module =
        SOFTHSM_PATHS.stream()
            .filter(p -> Files.exists(Path.of(p)))
            .findFirst()
            .orElseThrow(
                () -> new IllegalArgumentException("SoftHSM2 library not found; install softhsm2"));
    Path pinFile = dir.resolve("pin");
    if (!Files.exists(pinFile)) {
      throw new IllegalArgumentException(
          pinFile
              + " is missing: start through ./hsm-kms dev,"
              + " which prepares the data directory");
    }
    return new Config.Hsm(module, DEV_TOKEN_LABEL, null, pinFile.toString(), null, null, null);
  }

  private static Pkcs11Hsm open(Config.Hsm h, int sessions) throws IOException {
    char[] pin = readPin(h);
    try {
      return Pkcs11Hsm.open(
          new Pkcs11Settings(
              h.module(), h.tokenLabel(), pin, sessions, h.sessionWaitMillis(), h.workingCopies()));
    } finally {
      Arrays.fill(pin, '\0');
    }
  }

  private static char[] readPin(Config.Hsm h) throws IOException {
    if (h.pinFile() != null) {
      byte[] raw = java.nio.file.Files.readAllBytes(Path.of(h.pinFile()));
      try {
        String s = new String(raw, java.nio.charset.StandardCharsets.UTF_8);
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip().toCharArray();
      } finally {
        Arrays.fill(raw, (byte) 0);
      }
    }
    String pin = System.getenv(h.pinEnv());
    if (pin == null || pin.isEmpty()) {
      throw new IllegalArgumentException(
          "environment variable " + h.pinEnv() + " (hsm.pinEnv) is not set");
    }
    return pin.toCharArray();
  }

  private static Config loadConfig(Path path) {
    try {
      return Config.load(path);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read config " + path + ": " + e.getMessage());
    }
  }
}
