package org.hsmkms.audit;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Segment keys derived in software from a key in memory: the trail's unit tests run without a
 * token; the servers' tests use the HSM's ({@link HsmChainKeys}).
 */
public final class SoftwareChainKeys implements ChainKeys {
  private final byte[] key = new byte[32];

  public SoftwareChainKeys() {
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

  /** A trail in {@code file} chained with these keys, on the system clock, no limit by age. */
  public FileAuditTrail trail(
      java.nio.file.Path file, long maxFileBytes, int maxFiles, boolean fsync, boolean failClosed) {
    return new FileAuditTrail(
        file, maxFileBytes, maxFiles, 0, fsync, failClosed, this, java.time.Clock.systemUTC());
  }
}
