package org.hsmkms.hsm.pkcs11;

import java.util.Objects;

/**
 * How to reach the token: the Cryptoki module, the token (chosen by label, since slot ids change),
 * the user PIN, the session pool bounds and how many AES keys may get a working copy as a session
 * object (0: none; see {@link WorkingCopies}).
 *
 * <p>Security: {@link #toString()} never shows the PIN.
 */
public record Pkcs11Settings(
    String modulePath,
    String tokenLabel,
    char[] userPin,
    int sessions,
    long sessionWaitMillis,
    int workingCopies) {

  /** Default number of working copies. */
  public static final int DEFAULT_WORKING_COPIES = 1000;

  public Pkcs11Settings(
      String modulePath, String tokenLabel, char[] userPin, int sessions, long sessionWaitMillis) {
    this(modulePath, tokenLabel, userPin, sessions, sessionWaitMillis, DEFAULT_WORKING_COPIES);
  }

  public Pkcs11Settings {
    Objects.requireNonNull(modulePath, "modulePath");
    Objects.requireNonNull(tokenLabel, "tokenLabel");
    Objects.requireNonNull(userPin, "userPin");
    if (sessions < 1) {
      throw new IllegalArgumentException("sessions must be at least 1");
    }
    if (workingCopies < 0) {
      throw new IllegalArgumentException("workingCopies must not be negative");
    }
  }

  @Override
  public String toString() {
    return "Pkcs11Settings[module="
        + modulePath
        + ", token="
        + tokenLabel
        + ", sessions="
        + sessions
        + ", workingCopies="
        + workingCopies
        + ", pin=[REDACTED]]";
  }

  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }
}
