package org.hsmkms.hsm;

import java.util.HexFormat;

/**
 * A signature scheme as the HSM applies it. RSA and ECDSA schemes sign a digest the caller computed
 * (so RAW and DIGEST messages take the same path); EdDSA signs the whole message.
 */
public enum SignatureScheme {
  /** RSASSA-PKCS1-v1_5: the HSM pads the DigestInfo ({@code CKM_RSA_PKCS}). */
  RSA_PKCS1_SHA256("SHA-256", 32, "3031300d060960864801650304020105000420"),
  RSA_PKCS1_SHA384("SHA-384", 48, "3041300d060960864801650304020205000430"),
  RSA_PKCS1_SHA512("SHA-512", 64, "3051300d060960864801650304020305000440"),
  /** RSASSA-PSS with MGF1 over the same hash and a salt as long as the hash. */
  RSA_PSS_SHA256("SHA-256", 32, null),
  RSA_PSS_SHA384("SHA-384", 48, null),
  RSA_PSS_SHA512("SHA-512", 64, null),
  /** ECDSA over a digest; signatures are DER {@code Ecdsa-Sig-Value} on both sides of the seam. */
  ECDSA(null, 0, null),
  /** Pure EdDSA (Ed25519) over the message. */
  EDDSA(null, 0, null);

  private final String hash;
  private final int hashLength;
  private final String digestInfoPrefix;

  SignatureScheme(String hash, int hashLength, String digestInfoPrefix) {
    this.hash = hash;
    this.hashLength = hashLength;
    this.digestInfoPrefix = digestInfoPrefix;
  }

  /** The JCA name of the fixed hash; null when any digest goes (ECDSA) or none is used (EdDSA). */
  public String hash() {
    return hash;
  }

  public int hashLength() {
    return hashLength;
  }

  /** The DER DigestInfo header that precedes the digest (RFC 8017, 9.2 note 1); PKCS#1 only. */
  public byte[] digestInfoPrefix() {
    return digestInfoPrefix == null ? null : HexFormat.of().parseHex(digestInfoPrefix);
  }
}
