package org.hsmkms.hsm.pkcs11;

import java.util.Arrays;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.Session;

/**
 * Random bytes from the token's RNG, fetched a block at a time: one {@code C_GenerateRandom} of
 * {@code size} bytes serves many IVs and data keys instead of one call each. Every byte handed out
 * is zeroed in the buffer as it leaves, so no byte is ever handed out twice, and the rest is zeroed
 * on {@link #clear()}. Requests larger than a quarter of the block go to the token directly.
 */
final class RandomBuffer {
  private final int size;
  private final byte[] buffer;
  private int position;

  RandomBuffer(int size) {
    this.size = size;
    this.buffer = new byte[size];
    this.position = size;
  }

  /** {@code n} random bytes, refilling the buffer on the caller's session when it runs short. */
  byte[] take(Session session, int n) throws PKCS11Exception {
    if (n > size / 4) {
      return session.generateRandom(n);
    }
    synchronized (this) {
      if (size - position < n) {
        byte[] fresh = session.generateRandom(size);
        System.arraycopy(fresh, 0, buffer, 0, size);
        Arrays.fill(fresh, (byte) 0);
        position = 0;
      }
      byte[] out = Arrays.copyOfRange(buffer, position, position + n);
      Arrays.fill(buffer, position, position + n, (byte) 0);
      position += n;
      return out;
    }
  }

  /** Zeroes what is left. */
  synchronized void clear() {
    Arrays.fill(buffer, (byte) 0);
    position = size;
  }
}
