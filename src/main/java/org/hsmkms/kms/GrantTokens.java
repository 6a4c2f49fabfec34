package org.hsmkms.kms;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.hsmkms.hsm.RandomSource;

/**
 * Grant ids and grant tokens: both made of 32 bytes from the HSM's generator, so neither can be
 * guessed. A grant id looks like AWS's (64 hex characters); a token is 43 base64url characters.
 *
 * <p>Security: a token is a bearer credential for its grant's use before the grant is visible
 * everywhere; the store keeps only its SHA-256 ({@link #hash}), and no message or log names a token
 * or its hash.
 */
final class GrantTokens {
  static final int RANDOM_BYTES = 32;
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final Pattern GRANT_ID = Pattern.compile("[0-9a-f]{64}");

  private GrantTokens() {}

  /** A new grant id: 64 lower-case hex characters. */
  static String newGrantId(RandomSource random) {
    byte[] bytes = random.generateRandom(RANDOM_BYTES);
    try {
      return HexFormat.of().formatHex(bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** A new token: 32 random bytes, base64url without padding. */
  static String newToken(RandomSource random) {
    byte[] bytes = random.generateRandom(RANDOM_BYTES);
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** Whether {@code token} has the form of a token this service issues. */
  static boolean wellFormed(String token) {
    return token != null && TOKEN.matcher(token).matches();
  }

  /** Whether {@code grantId} has the form of a grant id this service issues. */
  static boolean wellFormedGrantId(String grantId) {
    return grantId != null && GRANT_ID.matcher(grantId).matches();
  }

  /** The SHA-256 of a token, hex: what the store keeps and looks tokens up by. */
  static String hash(String token) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha256.digest(token.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
