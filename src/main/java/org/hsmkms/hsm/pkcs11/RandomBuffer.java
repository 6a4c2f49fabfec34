package org.hsmkms.hsm.pkcs11;

import java.util.Arrays;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.Session;

/**
 * Random bytes from the token's RNG, fetched a block at a time: one {@code C_GenerateRandom} of
 * {@code size} bytes serves many IVs and data keys instead of one call each. Requests larger than a
 * quarter of the block go to the token directly.
 *
 * <p>No lock is held across a call to the token: the lock guards only the copying of bytes out of
 * the block. When the block falls below half, the next taker that holds a session fetches the next
 * block ({@link #take}) outside the lock while the others go on taking from the rest, and the fresh
 * block is swapped in when the current one runs out. A taker that finds the block empty while
 * another fetches the next one fetches its own bytes on its own session instead of waiting. Under a
 * network HSM (a millisecond per call) a refill thus delays the one request that makes it, never
 * all of them.
 *
 * <p>Security: every byte handed out is zeroed in the block as it leaves, so no byte is ever handed
 * out twice; a block's unused rest is zeroed when it is replaced, and all on {@link #clear()}.
 */
final class RandomBuffer {

  /** Where blocks come from: {@code C_GenerateRandom} on the caller's session. */
  @FunctionalInterface
  interface BlockSource {
    byte[] fetch(Session s, int n) throws PKCS11Exception;
  }

  private final int size;
  private final BlockSource source;

  /** The block bytes are taken from; those before {@link #position} are zeroes. */
  private byte[] block;

  private int position;

  /** The block fetched ahead, or null. */
  private byte[] next;

  /** Whether a taker is fetching {@link #next} now (outside the lock). */
  private boolean fetching;

  private boolean cleared;

  RandomBuffer(int size) {
    this(size, Session::generateRandom);
  }

  RandomBuffer(int size, BlockSource source) {
    this.size = size;
    this.source = source;
    this.block = new byte[size];
    this.position = size;
  }

  /**
   * {@code n} random bytes from the block without a session, or null when the caller must call
   * {@link #take} on a session: the block is short, or the next one should be fetched now.
   */
  synchronized byte[] tryTake(int n) {
    if (n > size / 4) {
      return null;
    }
    swapIfShort(n);
    if (shouldFetch() || size - position < n) {
      return null;
    }
    return cut(n);
  }

  /**
   * {@code n} random bytes; fetches the next block on the caller's session (outside the lock) when
   * the block is below half and no one else does.
   */
  byte[] take(Session session, int n) throws PKCS11Exception {
    if (n > size / 4) {
      return source.fetch(session, n);
    }
    byte[] out;
    boolean fetch;
    synchronized (this) {
      swapIfShort(n);
      out = size - position >= n ? cut(n) : null;
      fetch = shouldFetch();
      if (fetch) {
        fetching = true;
      }
    }
    if (fetch) {
      try {
        install(session);
      } catch (PKCS11Exception | RuntimeException e) {
        if (out != null) {
          Arrays.fill(out, (byte) 0);
        }
        throw e;
      }
      if (out == null) {
        synchronized (this) {
          swapIfShort(n);
          out = size - position >= n ? cut(n) : null;
        }
      }
    }
    // Still short: another taker is fetching the next block; this one does not wait for it.
    return out != null ? out : source.fetch(session, n);
  }

  /** Fetches a block and keeps it as the next one; clears {@link #fetching} in any case. */
  private void install(Session session) throws PKCS11Exception {
    byte[] fresh = null;
    try {
      fresh = source.fetch(session, size);
      if (fresh.length != size) {
        throw new IllegalStateException("the token returned " + fresh.length + " random bytes");
      }
    } finally {
      synchronized (this) {
        fetching = false;
        if (fresh != null && fresh.length == size && next == null && !cleared) {
          next = fresh;
          fresh = null;
        }
      }
      if (fresh != null) {
        Arrays.fill(fresh, (byte) 0);
      }
    }
  }

  /** Under the lock: the next block should be fetched, and no one is fetching it. */
  private boolean shouldFetch() {
    return !fetching && next == null && !cleared && size - position < size / 2;
  }

  /** Under the lock: when fewer than {@code n} bytes are left and a next block is there, use it. */
  private void swapIfShort(int n) {
    if (size - position < n && next != null) {
      Arrays.fill(block, (byte) 0);
      block = next;
      next = null;
      position = 0;
    }
  }

  /** Under the lock: the next {@code n} bytes, zeroed in the block. */
  private byte[] cut(int n) {
    byte[] out = Arrays.copyOfRange(block, position, position + n);
    Arrays.fill(block, position, position + n, (byte) 0);
    position += n;
    return out;
  }

  /** Zeroes what is left, and keeps no block fetched later. */
  synchronized void clear() {
    Arrays.fill(block, (byte) 0);
    if (next != null) {
      Arrays.fill(next, (byte) 0);
      next = null;
    }
    position = size;
    cleared = true;
  }
}
