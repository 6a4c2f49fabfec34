package org.hsmkms.audit;

import java.nio.charset.StandardCharsets;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.ServiceKeys;

/**
 * Segment keys derived in the HSM under the service HMAC key labelled {@code
 * hsm-kms-service:audit-chain}: a token object, sensitive, never extractable, made on first use and
 * found by its id and label afterwards, like the credentials' sealing key.
 */
public final class HsmChainKeys implements ChainKeys {
  /** The service key's object id ({@code CKA_ID}); fixed, so found again after restarts. */
  static final MaterialId KEY_ID =
      MaterialId.of("hsm-kms:audit:v1".getBytes(StandardCharsets.US_ASCII));

  static final String KEY_LABEL = "audit-chain";
  private static final byte[] DOMAIN =
      "hsm-kms audit segment v1".getBytes(StandardCharsets.US_ASCII);

  private final ServiceKeys hsm;

  private HsmChainKeys(ServiceKeys hsm) {
    this.hsm = hsm;
  }

  /** The chain keys of this token, creating its audit service key if it has none yet. */
  public static HsmChainKeys open(ServiceKeys hsm) {
    hsm.ensureServiceMacKey(KEY_ID, KEY_LABEL);
    return new HsmChainKeys(hsm);
  }

  /** The chain keys of this token, for a verifier: the audit service key must exist. */
  public static HsmChainKeys existing(ServiceKeys hsm) {
    return new HsmChainKeys(hsm);
  }

  @Override
  public byte[] segmentKey(byte[] segmentId) {
    byte[] message = new byte[DOMAIN.length + segmentId.length];
    System.arraycopy(DOMAIN, 0, message, 0, DOMAIN.length);
    System.arraycopy(segmentId, 0, message, DOMAIN.length, segmentId.length);
    return hsm.serviceMac(KEY_ID, message);
  }
}
