package org.hsmkms.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;

/**
 * EME-OAEP decoding (RFC 8017, section 7.1.2, step 3) with MGF1 over the same hash and an empty
 * label: what is left to do in software when the HSM performs only the raw RSA private-key
 * operation ({@code CKM_RSA_X_509}) because it lacks OAEP with this hash.
 *
 * <p>Security: every check (leading byte, label hash, padding, separator) is evaluated without
 * data-dependent branches or early exits, and a failure of any kind is the same empty result, so
 * the caller can answer one indistinguishable error (no Manger-style oracle). Intermediate arrays
 * are zeroed.
 */
public final class RsaOaep {
  /** The OAEP hash (also used for MGF1), by its JCA name. */
  public enum Hash {
    SHA_1("SHA-1", 20),
    SHA_256("SHA-256", 32);

    private final String jcaName;
    private final int length;

    Hash(String jcaName, int length) {
      this.jcaName = jcaName;
      this.length = length;
    }

    public String jcaName() {
      return jcaName;
    }

    public int length() {
      return length;
    }

    MessageDigest digest() {
      try {
        return MessageDigest.getInstance(jcaName);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(jcaName + " missing from the JDK", e);
      }
    }
  }

  private RsaOaep() {}

  /** The largest message OAEP can carry in a {@code modulusBytes} key. */
  public static int maxMessageLength(int modulusBytes, Hash hash) {
    return modulusBytes - 2 * hash.length() - 2;
  }

  /**
   * Decodes the encoded message {@code em} (the raw RSA output, exactly {@code modulusBytes} long,
   * left-padded by the caller if the HSM stripped leading zeros). Empty on any failure.
   */
  public static Optional<byte[]> decode(byte[] em, int modulusBytes, Hash hash) {
    int hLen = hash.length();
    if (em.length != modulusBytes || modulusBytes < 2 * hLen + 2) {
      return Optional.empty();
    }
    MessageDigest md = hash.digest();
    byte[] lHash = md.digest();
    byte[] seed = Arrays.copyOfRange(em, 1, 1 + hLen);
    byte[] db = Arrays.copyOfRange(em, 1 + hLen, modulusBytes);
    try {
      xorInPlace(seed, mgf1(md, db, hLen));
      xorInPlace(db, mgf1(md, seed, db.length));

      int good = ((em[0] & 0xFF) - 1) >>> 31; // 1 iff the leading byte is zero
      good &= MessageDigest.isEqual(lHash, Arrays.copyOfRange(db, 0, hLen)) ? 1 : 0;
      int lookingForOne = 1;
      int index = 0;
      int invalid = 0;
      for (int i = hLen; i < db.length; i++) {
        int b = db[i] & 0xFF;
        int isOne = ((b ^ 1) - 1) >>> 31;
        int isZero = (b - 1) >>> 31;
        index |= -(lookingForOne & isOne) & i;
        invalid |= lookingForOne & (1 ^ isZero) & (1 ^ isOne);
        lookingForOne &= 1 ^ isOne;
      }
      good &= (1 ^ lookingForOne) & (1 ^ invalid);
      if (good != 1) {
        return Optional.empty();
      }
      return Optional.of(Arrays.copyOfRange(db, index + 1, db.length));
    } finally {
      Arrays.fill(seed, (byte) 0);
      Arrays.fill(db, (byte) 0);
    }
  }

  /** MGF1 (RFC 8017, B.2.1). */
  private static byte[] mgf1(MessageDigest md, byte[] seed, int length) {
    byte[] out = new byte[length];
    byte[] counter = new byte[4];
    int pos = 0;
    for (int c = 0; pos < length; c++) {
      counter[0] = (byte) (c >>> 24);
      counter[1] = (byte) (c >>> 16);
      counter[2] = (byte) (c >>> 8);
      counter[3] = (byte) c;
      md.update(seed);
      md.update(counter);
      byte[] block = md.digest();
      int n = Math.min(block.length, length - pos);
      System.arraycopy(block, 0, out, pos, n);
      Arrays.fill(block, (byte) 0);
      pos += n;
    }
    return out;
  }

  private static void xorInPlace(byte[] target, byte[] mask) {
    for (int i = 0; i < target.length; i++) {
      target[i] ^= mask[i];
    }
    Arrays.fill(mask, (byte) 0);
  }
}
