package org.hsmkms.kms;

import java.nio.charset.StandardCharsets;

/** Test access to how import tokens are stored (their SHA-256). */
public final class KeyMaterialImportTesting {
  private KeyMaterialImportTesting() {}

  public static String tokenHash(byte[] importToken) {
    return GrantTokens.hash(new String(importToken, StandardCharsets.US_ASCII));
  }
}
