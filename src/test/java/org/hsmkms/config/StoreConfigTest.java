package org.hsmkms.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store section: SQLite needs only a URL; PostgreSQL takes a user, a password from a file or an
 * environment variable (never inline), and pool settings.
 */
class StoreConfigTest {
  private static final String HSM = "hsm: {module: /x.so, tokenLabel: t, pinEnv: P}\n";

  @TempDir Path dir;

  private Config load(String store) throws Exception {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, HSM + store);
    return Config.load(file);
  }

  @Test
  void sqliteUrlAlone_hasNoCredentialsAndTheDefaultPool() throws Exception {
    Config.Store s = load("store: {url: 'jdbc:sqlite:/tmp/m.db'}\n").store();

    assertEquals(new Config.Store("jdbc:sqlite:/tmp/m.db"), s);
    assertEquals(10, s.poolSize());
    assertEquals(30_000L, s.connectionTimeoutMillis());
    assertNull(StorePassword.readFor(s));
  }

  @Test
  void postgresql_withUserPasswordFileAndPool_loads_andThePasswordIsTheFilesFirstLine()
      throws Exception {
    Path password = dir.resolve("db-password");
    Files.writeString(password, "s3cret-db\n");

    Config.Store s =
        load("store:\n  url: 'jdbc:postgresql://db:5432/kms'\n  user: kms\n"
                + "  passwordFile: "
                + password
                + "\n  poolSize: 20\n  connectionTimeoutMillis: 5000\n")
            .store();

    assertEquals("kms", s.user());
    assertEquals(20, s.poolSize());
    assertEquals(5000L, s.connectionTimeoutMillis());
    assertArrayEquals("s3cret-db".toCharArray(), StorePassword.readFor(s));
  }

  @Test
  void passwordEnvNamingAnUnsetVariable_isRefusedNamingTheVariable() {
    Config.Store s =
        new Config.Store(
            "jdbc:postgresql://db/kms", "kms", "HSM_KMS_TEST_UNSET_VARIABLE", null, null, null);

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> StorePassword.readFor(s));

    assertTrue(e.getMessage().contains("HSM_KMS_TEST_UNSET_VARIABLE"), e.getMessage());
  }

  @Test
  void inlinePassword_isNotAKnownSetting() {
    assertThrows(
        Exception.class,
        () -> load("store: {url: 'jdbc:postgresql://db/kms', user: kms, password: x}\n"));
  }

  @Test
  void bothPasswordEnvAndPasswordFile_areRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new Config.Store("jdbc:postgresql://db/kms", "kms", "E", "/f", null, null));
  }

  @Test
  void credentialsForSqlite_areRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new Config.Store("jdbc:sqlite:/tmp/m.db", "kms", null, null, null, null));
  }

  @Test
  void poolSizeAndTimeoutOutOfRange_areRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new Config.Store("jdbc:postgresql://db/kms", null, null, null, 0, null));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Config.Store("jdbc:postgresql://db/kms", null, null, null, null, 10L));
  }
}
