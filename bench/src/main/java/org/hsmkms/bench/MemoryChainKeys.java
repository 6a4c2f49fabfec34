package org.hsmkms.bench;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.hsmkms.audit.ChainKeys;

/**
 * Segment keys of an audit trail derived from a random key in memory, for the in-process
 * measurements of the trail ({@link MandatoryCost}, {@link AuditWriteRate}); the service derives
 * them in the HSM, once a segment, so the difference is outside what they time.
 */
final class MemoryChainKeys implements ChainKeys {
  private final byte[] key = new byte[32];

  MemoryChainKeys() {
    new SecureRandom().nextBytes(key);
  }

  @Override
  public byte[] segmentKey(byte[] segmentId) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      return m.doFinal(segmentId);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
