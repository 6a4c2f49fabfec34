package org.hsmkms.auth;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Another process for {@link CredentialsLockIT}: takes the lock of the credentials file given as
 * its argument, says {@code locked}, and holds the lock until its standard input ends.
 */
public final class CredentialsLockHolder {
  private CredentialsLockHolder() {}

  public static void main(String[] args) throws IOException {
    CredentialsLock.around(
        Path.of(args[0]),
        () -> {
          System.out.println("locked");
          System.out.flush();
          while (System.in.read() >= 0) {
            // hold the lock until the test closes our input
          }
          return null;
        });
  }
}
