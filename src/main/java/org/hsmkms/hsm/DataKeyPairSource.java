package org.hsmkms.hsm;

import java.util.Optional;

/**
 * Key pairs made in the HSM to be handed out (GenerateDataKeyPair): generated as session objects,
 * read out once, destroyed.
 */
public interface DataKeyPairSource {

  /**
   * Generates a pair, reads it out as SPKI and PKCS#8 and destroys its objects (also on failure).
   */
  ExportedKeyPair generateDataKeyPair(KeyPairType type);

  /**
   * Generates a pair kept alive in the HSM for a later {@link #takeDataKeyPair}; nothing about the
   * private key leaves the HSM here.
   */
  PregeneratedKeyPair pregenerateDataKeyPair(KeyPairType type);

  /**
   * Reads a pregenerated pair out and destroys its objects. Empty if the objects are gone (their
   * session was lost); a pair is never handed out twice.
   */
  Optional<ExportedKeyPair> takeDataKeyPair(PregeneratedKeyPair pair);

  /** False if the pair is known to be gone; true if it may still be taken. Makes no HSM call. */
  boolean isAlive(PregeneratedKeyPair pair);

  /** Destroys a pregenerated pair without reading it. */
  void discardDataKeyPair(PregeneratedKeyPair pair);
}
