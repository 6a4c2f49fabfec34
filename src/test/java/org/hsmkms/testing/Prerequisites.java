package org.hsmkms.testing;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * Tools some tests need besides the JDK and SoftHSM2 ({@code ./hsm-kms setup} and {@code ./hsm-kms
 * test} install them on Debian). In CI (the environment variable {@code CI} is set, as {@code
 * .ci/run} does) a missing tool fails the test, so that a check cannot silently stop running; on a
 * developer's machine the test is skipped.
 */
public final class Prerequisites {
  public static final String OPENSSL = "the openssl command (Debian package openssl)";
  public static final String PYTHON_CRYPTOGRAPHY =
      "python3 with the cryptography module (Debian package python3-cryptography)";
  public static final String DEV_FULL = "a writable /dev/full (present on Linux)";
  public static final String P11_KIT =
      "p11-kit's server command and its RPC client module p11-kit-client.so (Debian packages"
          + " p11-kit and p11-kit-modules)";
  public static final String POSTGRESQL =
      "PostgreSQL's server programs initdb, pg_ctl and postgres (Debian package postgresql)";

  private Prerequisites() {}

  /** Skips the test, or in CI fails it, unless {@code present}; {@code what} names the tool. */
  public static void require(boolean present, String what) {
    require(present, what, inCi());
  }

  /**
   * For a test that uses each of several tools it finds: returns {@code present}, and in CI fails
   * the test when the tool is missing.
   */
  public static boolean available(boolean present, String what) {
    if (!present && inCi()) {
      require(false, what, true);
    }
    return present;
  }

  static void require(boolean present, String what, boolean ci) {
    if (present) {
      return;
    }
    String message = "missing: " + what + "; ./hsm-kms setup installs it";
    if (ci) {
      fail(message + " (CI runs every test; none may be skipped)");
    }
    Assumptions.abort(message);
  }

  /** CI sets {@code CI} (to {@code true}); {@code CI=false} counts as unset. */
  static boolean inCi() {
    String ci = System.getenv("CI");
    return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false");
  }
}
