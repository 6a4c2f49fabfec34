package org.hsmkms.hsm;

import java.util.Objects;
import org.hsmkms.crypto.SecretBytes;

/**
 * A data key pair taken out of the HSM: the public key as DER SubjectPublicKeyInfo and the private
 * key as DER PKCS#8. The HSM objects it came from are already destroyed.
 *
 * <p>Security: the caller owns the private key and closes it (which zeroes it); {@link #toString}
 * never shows it.
 */
public record ExportedKeyPair(KeyPairType type, byte[] publicKey, SecretBytes privateKey)
    implements AutoCloseable {

  public ExportedKeyPair {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(publicKey, "publicKey");
    Objects.requireNonNull(privateKey, "privateKey");
  }

  @Override
  public void close() {
    privateKey.close();
  }

  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }

  @Override
  public String toString() {
    return "ExportedKeyPair[" + type + ", private key [REDACTED]]";
  }
}
