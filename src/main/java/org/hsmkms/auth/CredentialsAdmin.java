package org.hsmkms.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hsmkms.authz.MalformedPolicyException;
import org.hsmkms.authz.PolicyDocument;
import org.hsmkms.authz.PolicyKind;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.RandomSource;
import org.hsmkms.hsm.ServiceKeys;

/**
 * Adds, replaces, removes and lists access keys in a credentials file, sealing each secret in the
 * HSM, and sets, shows and removes the identity policies of principals, sealing each to its
 * principal. Used by the {@code credentials} command, by {@code dev} and by tests.
 *
 * <p>Every change is a read-modify-write under the file's exclusive lock ({@link CredentialsLock}),
 * so that concurrent changes (several {@code credentials} commands at once) all land.
 *
 * <p>Security: secrets pass through as byte arrays the caller owns; this class keeps none and
 * writes none in the clear.
 */
public final class CredentialsAdmin {
  /** The identity policy of an administrator: every KMS action on every resource. */
  public static final String ADMIN_POLICY =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:*\","
          + "\"Resource\":\"*\"}]}";

  private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

  private final Path file;
  private final RandomSource random;
  private final SecretSealer sealer;
  private final PolicySealer policySealer;

  public CredentialsAdmin(Path file, ServiceKeys serviceKeys, RandomSource random) {
    this.file = file;
    this.random = random;
    this.sealer = new SecretSealer(serviceKeys);
    this.policySealer = sealer.policySealer();
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
    return contents().entries();
  }

  private CredentialsFile.Contents contents() throws IOException {
    return Files.exists(file) ? CredentialsFile.readAll(file) : CredentialsFile.Contents.EMPTY;
  }

  /**
   * Checks an identity policy with the policy grammar, before anything is written.
   *
   * @throws MalformedPolicyException with the parser's reason
   */
  public static void checkPolicy(String document) {
    PolicyDocument.parse(document, PolicyKind.IDENTITY_POLICY);
  }

  /**
   * Sets (or replaces) the identity policy of a principal, sealed to it.
   *
   * @throws MalformedPolicyException if the document is not a valid identity policy (nothing is
   *     written)
   */
  public void setPolicy(String principalArn, String document) throws IOException {
    CredentialsLock.around(
        file,
        () -> {
          CredentialsFile.Contents contents = contents();
          write(contents.entries(), withPolicy(contents.policies(), principalArn, document));
          return null;
        });
  }

  private List<CredentialsFile.PolicyEntry> withPolicy(
      List<CredentialsFile.PolicyEntry> policies, String principalArn, String document) {
    checkPolicy(document);
    policySealer.ensureKey();
    CredentialsFile.PolicyEntry entry =
        new CredentialsFile.PolicyEntry(
            principalArn, document, policySealer.seal(principalArn, document));
    List<CredentialsFile.PolicyEntry> next = new ArrayList<>(policies);
    next.removeIf(p -> p.principalArn().equals(principalArn));
    next.add(entry);
    return next;
  }

  /**
   * The stored identity policy of a principal, verified; empty if it has none.
   *
   * @throws IllegalArgumentException if the stored policy does not verify
   */
  public Optional<String> policy(String principalArn) throws IOException {
    for (CredentialsFile.PolicyEntry p : contents().policies()) {
      if (p.principalArn().equals(principalArn)) {
        policySealer.verify(p);
        return Optional.of(p.document());
      }
    }
    return Optional.empty();
  }

  /** The principals that have a stored identity policy (verified or not). */
  public Set<String> principalsWithPolicy() throws IOException {
    Set<String> principals = new HashSet<>();
    contents().policies().forEach(p -> principals.add(p.principalArn()));
    return principals;
  }

  /** Removes the identity policy of a principal; false if it had none. */
  public boolean removePolicy(String principalArn) throws IOException {
    return CredentialsLock.around(
        file,
        () -> {
          CredentialsFile.Contents contents = contents();
          List<CredentialsFile.PolicyEntry> policies = new ArrayList<>(contents.policies());
          if (!policies.removeIf(p -> p.principalArn().equals(principalArn))) {
            return false;
          }
          write(contents.entries(), policies);
          return true;
        });
  }

  private void write(
      List<CredentialsFile.Entry> entries, List<CredentialsFile.PolicyEntry> policies)
      throws IOException {
    CredentialsFile.write(file, new CredentialsFile.Contents(entries, policies));
  }

  /** Adds an access key, or replaces the one with the same id. */
  public void put(String accessKeyId, String account, String principalArn, byte[] secret)
      throws IOException {
    put(accessKeyId, account, principalArn, secret, null);
  }

  /**
   * Adds an access key, or replaces the one with the same id, and, unless {@code policy} is null,
   * sets the identity policy of its principal, in one write of the file.
   *
   * @throws MalformedPolicyException if the policy is not a valid identity policy (nothing is
   *     written)
   */
  public void put(
      String accessKeyId, String account, String principalArn, byte[] secret, String policy)
      throws IOException {
    checkSecret(secret);
    if (policy != null) {
      checkPolicy(policy);
    }
    sealer.ensureKey();
    CredentialsFile.Entry entry =
        new CredentialsFile.Entry(
            accessKeyId,
            account,
            principalArn,
            sealer.seal(accessKeyId, account, principalArn, secret));
    CredentialsLock.around(
        file,
        () -> {
          CredentialsFile.Contents contents = contents();
          List<CredentialsFile.Entry> entries = new ArrayList<>(contents.entries());
          entries.removeIf(e -> e.accessKeyId().equals(accessKeyId));
          entries.add(entry);
          write(
              entries,
              policy == null
                  ? contents.policies()
                  : withPolicy(contents.policies(), principalArn, policy));
          return null;
        });
  }

  /** Removes an access key; false if it was not there. */
  public boolean remove(String accessKeyId) throws IOException {
    return CredentialsLock.around(
        file,
        () -> {
          CredentialsFile.Contents contents = contents();
          List<CredentialsFile.Entry> entries = new ArrayList<>(contents.entries());
          if (!entries.removeIf(e -> e.accessKeyId().equals(accessKeyId))) {
            return false;
          }
          // The principal's identity policy stays: it belongs to the principal, not to one key.
          write(entries, contents.policies());
          return true;
        });
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
