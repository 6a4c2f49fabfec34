package org.hsmkms.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.ServiceKeys;

/**
 * Binds an identity policy to its principal in the HSM, so that whoever can write the credentials
 * file cannot give a principal more rights: the seal is AES-256-GCM, under the same service key as
 * the secrets ({@link SecretSealer#KEY_ID}), of the SHA-256 digest of the document, with the
 * principal ARN in the AAD. A changed document, a changed seal, or a policy moved to another
 * principal does not verify.
 *
 * <p>Format: {@code hsm:v1:} + base64(IV (12) | ciphertext (32) | tag (16)). The AAD starts with
 * its own domain string, so a sealed secret can never pass for a seal, nor a seal for a secret.
 *
 * <p>Security: a policy is not secret; the seal protects its integrity and its binding only.
 */
public final class PolicySealer {
  private static final String PREFIX = "hsm:v1:";
  private static final byte[] DOMAIN =
      "hsm-kms identity policy v1".getBytes(StandardCharsets.US_ASCII);
  private static final int IV_BYTES = 12;
  private static final int TAG_BYTES = 16;
  private static final int DIGEST_BYTES = 32;

  private final ServiceKeys hsm;

  public PolicySealer(ServiceKeys hsm) {
    this.hsm = hsm;
  }

  /** Creates the service key in the token if it is not there yet (for writers of the file). */
  public void ensureKey() {
    hsm.ensureServiceKey(SecretSealer.KEY_ID, SecretSealer.KEY_LABEL);
  }

  /** The seal of {@code document} for {@code principalArn}. */
  public String seal(String principalArn, String document) {
    byte[] sealed = hsm.encrypt(SecretSealer.KEY_ID, digest(document), aad(principalArn));
    return PREFIX + Base64.getEncoder().encodeToString(sealed);
  }

  /**
   * Checks that the stored policy was sealed for its principal and is unchanged.
   *
   * @throws IllegalArgumentException if the seal is malformed or does not verify
   * @throws HsmException if the HSM fails (not a refusal of the seal)
   */
  public void verify(CredentialsFile.PolicyEntry policy) {
    String value = policy.seal();
    String who = "identity policy of " + policy.principalArn();
    if (!value.startsWith(PREFIX)) {
      throw new IllegalArgumentException(who + " has no seal (expected " + PREFIX + "...)");
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(value.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(who + ": seal is not valid base64");
    }
    if (raw.length != IV_BYTES + DIGEST_BYTES + TAG_BYTES) {
      throw new IllegalArgumentException(who + ": seal has the wrong length");
    }
    byte[] sealed;
    try {
      sealed =
          hsm.decrypt(
              SecretSealer.KEY_ID,
              Arrays.copyOf(raw, IV_BYTES),
              Arrays.copyOfRange(raw, IV_BYTES, raw.length),
              aad(policy.principalArn()));
    } catch (HsmException e) {
      if (e.isAuthenticationFailure()) {
        throw new IllegalArgumentException(
            who
                + " does not verify: it was sealed for another principal, another token, or changed");
      }
      throw e;
    }
    if (!MessageDigest.isEqual(sealed, digest(policy.document()))) {
      throw new IllegalArgumentException(who + " does not verify: the document was changed");
    }
  }

  private static byte[] digest(String document) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(document.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static byte[] aad(String principalArn) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(DOMAIN);
    byte[] b = principalArn.getBytes(StandardCharsets.UTF_8);
    out.write(b.length >>> 8);
    out.write(b.length);
    out.writeBytes(b);
    return out.toByteArray();
  }
}
