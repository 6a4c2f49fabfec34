package org.hsmkms.hsm.pkcs11;

import java.util.Objects;

/**
 * How to reach the token: the Cryptoki module, the token (chosen by label, since slot ids change),
 * the user PIN and the session pool bounds.
 *
 * <p>Security: {@link #toString()} never shows the PIN.
 */
public record Pkcs11Settings(
    String modulePath, String tokenLabel, char[] userPin, int sessions, long sessionWaitMillis) {

  public Pkcs11Settings {
    Objects.requireNonNull(modulePath, "modulePath");
    Objects.requireNonNull(tokenLabel, "tokenLabel");
    Objects.requireNonNull(userPin, "userPin");
    if (sessions < 1) {
      throw new IllegalArgumentException("sessions must be at least 1");
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
