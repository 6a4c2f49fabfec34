package org.hsmkms.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.ServiceKeys;

/**
 * Seals secret access keys for the credentials file: AES-256-GCM inside the HSM under the service
 * key labelled {@code hsm-kms-service:credentials} (a token object, sensitive, never extractable,
 * and not a CMK: no request can name it). The AAD binds the access key id, account and principal,
 * so an entry's secret cannot be moved to another entry, or an entry moved to another account,
 * without the HSM refusing to open it.
 *
 * <p>Format: {@code hsm:v1:} + base64(IV (12) | ciphertext | tag (16)).
 */
public final class SecretSealer {
  /** The service key's object id ({@code CKA_ID}); a fixed value, found again after restarts. */
  static final MaterialId KEY_ID =
      MaterialId.of("hsm-kms:creds:v1".getBytes(StandardCharsets.US_ASCII));

  static final String KEY_LABEL = "credentials";
  private static final String PREFIX = "hsm:v1:";
  private static final byte[] DOMAIN =
      "hsm-kms credential secret v1".getBytes(StandardCharsets.US_ASCII);
  private static final int IV_BYTES = 12;
  private static final int TAG_BYTES = 16;

  private final ServiceKeys hsm;

  public SecretSealer(ServiceKeys hsm) {
    this.hsm = hsm;
  }

  /** Creates the service key in the token if it is not there yet (for writers of the file). */
  public void ensureKey() {
    hsm.ensureServiceKey(KEY_ID, KEY_LABEL);
  }

  /** The sealer of identity policies, under the same service key. */
  PolicySealer policySealer() {
    return new PolicySealer(hsm);
  }

  /** Seals {@code secret} for the entry named by the other arguments. */
  public String seal(String accessKeyId, String account, String principalArn, byte[] secret) {
    byte[] sealed = hsm.encrypt(KEY_ID, secret, aad(accessKeyId, account, principalArn));
    return PREFIX + Base64.getEncoder().encodeToString(sealed);
  }

  /**
   * Opens an entry's secret; the caller owns and zeroes the array.
   *
   * @throws IllegalArgumentException if the value is malformed or does not authenticate
   */
  public byte[] open(CredentialsFile.Entry entry) {
    String value = entry.sealedSecret();
    if (!value.startsWith(PREFIX)) {
      throw new IllegalArgumentException(
          "secret of "
              + entry.accessKeyId()
              + " is not sealed (expected "
              + PREFIX
              + "...); add it with 'credentials add'");
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(value.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "secret of " + entry.accessKeyId() + " is not valid base64");
    }
    if (raw.length < IV_BYTES + TAG_BYTES + 1) {
      throw new IllegalArgumentException("secret of " + entry.accessKeyId() + " is truncated");
    }
    try {
      return hsm.decrypt(
          KEY_ID,
          Arrays.copyOf(raw, IV_BYTES),
          Arrays.copyOfRange(raw, IV_BYTES, raw.length),
          aad(entry.accessKeyId(), entry.account(), entry.principalArn()));
    } catch (HsmException e) {
      if (e.isAuthenticationFailure()) {
        throw new IllegalArgumentException(
            "secret of "
                + entry.accessKeyId()
                + " does not open: it was sealed for another entry, another token, or changed");
      }
      throw e;
    }
  }

  private static byte[] aad(String accessKeyId, String account, String principalArn) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(DOMAIN);
    for (String s : new String[] {accessKeyId, account, principalArn}) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      out.write(b.length >>> 8);
      out.write(b.length);
      out.writeBytes(b);
    }
    return out.toByteArray();
  }
}
