package org.hsmkms.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.RandomSource;
import org.hsmkms.hsm.ServiceKeys;

/**
 * Adds, replaces, removes and lists access keys in a credentials file, sealing each secret in the
 * HSM. Used by the {@code credentials} command, by {@code dev} and by tests.
 *
 * <p>Security: secrets pass through as byte arrays the caller owns; this class keeps none and
 * writes none in the clear.
 */
public final class CredentialsAdmin {
  private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

  private final Path file;
  private final RandomSource random;
  private final SecretSealer sealer;

  public CredentialsAdmin(Path file, ServiceKeys serviceKeys, RandomSource random) {
    this.file = file;
    this.random = random;
    this.sealer = new SecretSealer(serviceKeys);
  }

  /** A new access key pair. The caller zeroes {@code secret}. */
  public record NewKey(String accessKeyId, byte[] secret) {
    @Override
    public String toString() {
      return "NewKey[" + accessKeyId + ", secret=[REDACTED]]";
    }
  }

  /**
   * A random access key id ({@code AKIA} + 16 base32 characters) and a 40-character secret, both
   * from the HSM's random number generator.
   */
  public NewKey generate() {
    byte[] idBytes = random.generateRandom(16);
    byte[] secretBytes = random.generateRandom(30);
    try {
      StringBuilder id = new StringBuilder("AKIA");
      for (byte b : idBytes) {
        id.append(BASE32[(b & 0xff) % 32]);
      }
      // 30 random bytes are exactly 40 base64 characters, like an AWS secret access key.
      return new NewKey(id.toString(), Base64.getEncoder().encode(secretBytes));
    } finally {
      Arrays.fill(secretBytes, (byte) 0);
    }
  }

  /** The entries of the file (secrets sealed); empty if it does not exist. */
  public List<CredentialsFile.Entry> list() throws IOException {
    return Files.exists(file) ? CredentialsFile.read(file) : List.of();
  }

  /** Adds an access key, or replaces the one with the same id. */
  public void put(String accessKeyId, String account, String principalArn, byte[] secret)
      throws IOException {
    checkSecret(secret);
    sealer.ensureKey();
    CredentialsFile.Entry entry =
        new CredentialsFile.Entry(
            accessKeyId,
            account,
            principalArn,
            sealer.seal(accessKeyId, account, principalArn, secret));
    List<CredentialsFile.Entry> entries = new ArrayList<>(list());
    entries.removeIf(e -> e.accessKeyId().equals(accessKeyId));
    entries.add(entry);
    CredentialsFile.write(file, entries);
  }

  /** Removes an access key; false if it was not there. */
  public boolean remove(String accessKeyId) throws IOException {
    List<CredentialsFile.Entry> entries = new ArrayList<>(list());
    if (!entries.removeIf(e -> e.accessKeyId().equals(accessKeyId))) {
      return false;
    }
    CredentialsFile.write(file, entries);
    return true;
  }

  /**
   * True if the file holds {@code accessKeyId} for this account and principal and its secret is
   * {@code secret} (opened in the HSM and compared in constant time).
   */
  public boolean holds(String accessKeyId, String account, String principalArn, byte[] secret)
      throws IOException {
    for (CredentialsFile.Entry e : list()) {
      if (e.accessKeyId().equals(accessKeyId)
          && e.account().equals(account)
          && e.principalArn().equals(principalArn)) {
        byte[] stored = null;
        try {
          stored = sealer.open(e);
          return MessageDigest.isEqual(stored, secret);
        } catch (IllegalArgumentException | HsmException ex) {
          return false;
        } finally {
          if (stored != null) {
            Arrays.fill(stored, (byte) 0);
          }
        }
      }
    }
    return false;
  }

  private static void checkSecret(byte[] secret) {
    if (secret == null || secret.length < 8 || secret.length > 128) {
      throw new IllegalArgumentException("a secret access key has 8 to 128 characters");
    }
    // Checked on the bytes, so that no String copy of the secret is made.
    for (byte b : secret) {
      if ((b & 0xff) <= 0x20 || b == 0x7f) {
        throw new IllegalArgumentException(
            "a secret access key has no spaces or control" + " characters");
      }
    }
  }
}
