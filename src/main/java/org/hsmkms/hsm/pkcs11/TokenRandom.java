package org.hsmkms.hsm.pkcs11;

import org.hsmkms.hsm.RandomSource;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.Session;

/** The token's RNG, a block at a time ({@link RandomBuffer}): IVs, data keys and GenerateRandom. */
final class TokenRandom implements RandomSource, AutoCloseable {
  private static final int BLOCK_BYTES = 4096;

  private final SessionExecutor executor;
  private final RandomBuffer buffer = new RandomBuffer(BLOCK_BYTES);

  TokenRandom(SessionExecutor executor) {
    this.executor = executor;
  }

  /** Bytes the buffer has are handed out without borrowing a session; the rest go to the token. */
  @Override
  public byte[] generateRandom(int n) {
    byte[] b = buffer.tryTake(n);
    if (b != null) {
      return b;
    }
    return executor.call("C_GenerateRandom", s -> buffer.take(s, n));
  }

  /** {@code n} random bytes on a session the caller already holds. */
  byte[] take(Session s, int n) throws PKCS11Exception {
    return buffer.take(s, n);
  }

  /** Zeroes the bytes not handed out yet. */
  @Override
  public void close() {
    buffer.clear();
  }
}
