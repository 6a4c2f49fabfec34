package org.hsmkms.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hsmkms.config.DevDefaults;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.PKCS11Constants;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11Module;
import org.xipki.pkcs11.wrapper.Session;
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

  /** The module surefire names, else the first SoftHSM2 module of the dev defaults found here. */
  /**
   * Writes {@code DIR/verify.yaml}: the test token (PIN in {@code DIR/pin}) and the embedded store
   * {@code DIR/metadata.db}, as an operator's {@code --config FILE} (e.g. for {@code audit
   * verify}).
   */
  public static Path operatorConfig(Path dir) throws IOException {
    Path config = dir.resolve("verify.yaml");
    Files.writeString(
        config,
        "hsm:\n  module: "
            + module()
            + "\n  tokenLabel: "
            + LABEL
            + "\n  pinFile: "
            + dir.resolve("pin")
            + "\nstore:\n  url: jdbc:sqlite:"
            + dir.resolve("metadata.db")
            + "\n");
    return config;
  }

  public static String module() {
    String m = System.getenv("HSM_KMS_TEST_MODULE");
    return m != null
        ? m
        : DevDefaults.get().softhsm2Module().orElse(DevDefaults.get().softhsm2Modules().get(0));
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
    Slot slot = slot();
    slot.getModule().getPKCS11Module().C_CloseAllSessions(slot.getSlotID());
  }

  /** The test token's slot, through a second handle on the same library. */
  public static Slot slot() throws Exception {
    dir();
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
        return slot;
      }
    }
    throw new IllegalStateException("test token not found");
  }

  private static Session loggedIn() throws Exception {
    Session s = slot().getToken().openSession(true);
    try {
      s.login(PKCS11Constants.CKU_USER, PIN.toCharArray());
    } catch (PKCS11Exception e) {
      if (e.getErrorCode() != PKCS11Constants.CKR_USER_ALREADY_LOGGED_IN) {
        throw e;
      }
    }
    return s;
  }

  /**
   * Tries, as anyone holding the user PIN could, to make the secret key object with this id
   * readable: set CKA_EXTRACTABLE, clear CKA_SENSITIVE, overwrite CKA_VALUE. Returns the changes
   * the token accepted (none, for a sound token).
   */
  public static List<String> acceptedWeakenings(byte[] id) throws Exception {
    Session s = loggedIn();
    try {
      long key = oneSecretKey(s, id);
      List<String> accepted = new java.util.ArrayList<>();
      Map<String, AttributeVector> changes =
          Map.of(
              "CKA_EXTRACTABLE=true", new AttributeVector().extractable(true),
              "CKA_SENSITIVE=false", new AttributeVector().sensitive(false),
              "CKA_VALUE", new AttributeVector().value(new byte[32]));
      for (Map.Entry<String, AttributeVector> c : changes.entrySet()) {
        try {
          s.setAttributeValues(key, c.getValue());
          accepted.add(c.getKey());
        } catch (PKCS11Exception refused) {
          // as it must be
        }
      }
      return accepted;
    } finally {
      s.closeSession();
    }
  }

  /**
   * An AES-256 token key made the way earlier versions made CMKs ({@code CKA_MODIFIABLE=false}),
   * which SoftHSM2 will not copy to a session object. Returns its id.
   */
  public static byte[] createUnmodifiableAesKey(String label) throws Exception {
    byte[] id = new byte[16];
    new java.security.SecureRandom().nextBytes(id);
    createAesKey(id, label);
    return id;
  }

  /**
   * An AES-256 token key with this id and label, made by someone other than the service (as another
   * application holding the PIN could).
   */
  public static void createAesKey(byte[] id, String label) throws Exception {
    Session s = loggedIn();
    try {
      s.generateKey(
          new Mechanism(PKCS11Constants.CKM_AES_KEY_GEN),
          AttributeVector.newAESSecretKey()
              .valueLen(32)
              .token(true)
              .private_(true)
              .sensitive(true)
              .extractable(false)
              .modifiable(false)
              .encrypt(true)
              .decrypt(true)
              .id(id)
              .label(label));
    } finally {
      s.closeSession();
    }
  }

  /** How many token objects of any kind carry this id. */
  public static int objectsWithId(byte[] id) throws Exception {
    Session s = loggedIn();
    try {
      return s.findObjectsSingle(new AttributeVector().token(true).id(id), 16).length;
    } finally {
      s.closeSession();
    }
  }

  /**
   * Tries, as anyone holding the user PIN could, to encrypt with the secret key object with this id
   * in ECB and CBC modes; returns the modes the token accepted (none for a CMK, which is allowed
   * AES-GCM only).
   */
  public static List<String> acceptedOtherModes(byte[] id) throws Exception {
    Session s = loggedIn();
    try {
      long key = oneSecretKey(s, id);
      List<String> accepted = new java.util.ArrayList<>();
      Map<String, Mechanism> modes =
          Map.of(
              "CKM_AES_ECB", new Mechanism(PKCS11Constants.CKM_AES_ECB),
              "CKM_AES_CBC",
                  new Mechanism(
                      PKCS11Constants.CKM_AES_CBC,
                      new org.xipki.pkcs11.wrapper.params.ByteArrayParams(new byte[16])));
      for (Map.Entry<String, Mechanism> m : modes.entrySet()) {
        try {
          s.encryptSingle(m.getValue(), key, new byte[16]);
          accepted.add(m.getKey());
        } catch (PKCS11Exception refused) {
          // as it must be
        }
      }
      return accepted;
    } finally {
      s.closeSession();
    }
  }

  /** The one secret key token object with this id. */
  private static long oneSecretKey(Session s, byte[] id) throws PKCS11Exception {
    long[] found =
        s.findObjectsSingle(
            new AttributeVector().class_(PKCS11Constants.CKO_SECRET_KEY).token(true).id(id), 2);
    if (found.length != 1) {
      throw new IllegalStateException("expected one key object, found " + found.length);
    }
    return found[0];
  }
}
