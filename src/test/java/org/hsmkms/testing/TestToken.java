package org.hsmkms.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.xipki.pkcs11.wrapper.PKCS11Constants;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11Module;
import org.xipki.pkcs11.wrapper.Slot;

/**
 * A fresh SoftHSM2 token for this test run, made once per JVM under target/test-hsm. Surefire sets
 * SOFTHSM2_CONF to the config file written here, before the first C_Initialize.
 */
public final class TestToken {
  public static final String LABEL = "hsm-kms-test";
  public static final String PIN = "test-user-pin-1234";
  static final String SO_PIN = "test-so-pin-5678";
  private static Path dir;

  private TestToken() {}

  /** The test directory, with the token initialised on first call. */
  public static synchronized Path dir() {
    if (dir == null) {
      try {
        dir = create();
      } catch (IOException e) {
        throw new IllegalStateException("cannot create the SoftHSM2 test token", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return dir;
  }

  public static String module() {
    String m = System.getenv("HSM_KMS_TEST_MODULE");
    return m != null ? m : "/usr/lib/softhsm/libsofthsm2.so";
  }

  private static Path create() throws IOException, InterruptedException {
    Path base = Path.of(System.getProperty("hsmkms.testDir", "target/test-hsm")).toAbsolutePath();
    String conf = System.getenv("SOFTHSM2_CONF");
    if (conf == null || !Path.of(conf).toAbsolutePath().startsWith(base)) {
      throw new IllegalStateException(
          "SOFTHSM2_CONF must point into " + base + " (set by surefire); it is " + conf);
    }
    deleteTree(base);
    Path tokens = Files.createDirectories(base.resolve("tokens"));
    Files.writeString(
        Path.of(conf),
        "directories.tokendir = "
            + tokens
            + "\n"
            + "objectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
        StandardCharsets.UTF_8);
    Process p =
        new ProcessBuilder(
                "softhsm2-util",
                "--init-token",
                "--free",
                "--label",
                LABEL,
                "--so-pin",
                SO_PIN,
                "--pin",
                PIN)
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("softhsm2-util --init-token failed: " + output);
    }
    return base;
  }

  private static void deleteTree(Path base) throws IOException {
    if (!Files.exists(base)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(base)) {
      List<Path> paths = walk.sorted(Comparator.reverseOrder()).toList();
      for (Path p : paths) {
        Files.delete(p);
      }
    }
  }

  /**
   * A real fault for recovery tests: C_CloseAllSessions on the test token's slot, through a second
   * handle on the same library (which also logs the token out).
   */
  public static void closeAllSessions() throws Exception {
    PKCS11Module module = PKCS11Module.getInstance(module());
    try {
      module.initialize();
    } catch (PKCS11Exception e) {
      if (e.getErrorCode() != PKCS11Constants.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        throw e;
      }
    }
    for (Slot slot : module.getSlotList(true)) {
      if (LABEL.equals(slot.getToken().getTokenInfo().getLabel().trim())) {
        module.getPKCS11Module().C_CloseAllSessions(slot.getSlotID());
        return;
      }
    }
    throw new IllegalStateException("test token not found");
  }
}
