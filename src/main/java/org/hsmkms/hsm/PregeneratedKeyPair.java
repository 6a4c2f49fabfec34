package org.hsmkms.hsm;

/**
 * A data key pair waiting inside the HSM (as session objects) until a request takes it. Opaque:
 * only the {@link DataKeyPairSource} that made it can take it, once.
 */
public interface PregeneratedKeyPair {
  KeyPairType type();
}
