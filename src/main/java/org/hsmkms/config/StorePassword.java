package org.hsmkms.config;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The metadata database's password a configuration names: from {@code store.passwordFile} (its
 * first line, trimmed, read as {@link PinFile} reads a PIN) or from the environment variable {@code
 * store.passwordEnv} names; none when neither is set (SQLite, or a PostgreSQL server that trusts
 * the connection).
 *
 * <p>Security: the answer is a {@code char[]} for the caller to zero; the JDBC driver and the pool
 * take the password as a {@code String}, which the caller makes as late as it can and does not log.
 */
public final class StorePassword {
  private StorePassword() {}

  /** The password, or null when the configuration names none; the caller zeroes the answer. */
  public static char[] readFor(Config.Store store) throws IOException {
    if (store.passwordFile() != null) {
      return PinFile.read(Path.of(store.passwordFile()));
    }
    if (store.passwordEnv() == null) {
      return null;
    }
    String password = System.getenv(store.passwordEnv());
    if (password == null || password.isEmpty()) {
      throw new IllegalArgumentException(
          "environment variable " + store.passwordEnv() + " (store.passwordEnv) is not set");
    }
    return password.toCharArray();
  }
}
