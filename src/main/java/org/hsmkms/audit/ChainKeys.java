package org.hsmkms.audit;

/**
 * The keys of the trail's MAC chain. A segment (one file, or the part of it one process wrote) has
 * a random id written in its first record, and a key derived from it by the HSM: {@code
 * HMAC-SHA256(K, "hsm-kms audit segment v1" || id)}, where K is a service key that never leaves the
 * token ({@link HsmChainKeys}). The records of the segment are then chained in software with that
 * key, so that recording a request costs no HSM call.
 *
 * <p>Security: whoever holds a segment's key can forge that segment's records (not those of other
 * segments: each id gives another key, and only the HSM can derive one). The key sits in the
 * writing process's memory while its segment is open, and in the verifier's while it checks one.
 */
public interface ChainKeys {

  /** The key of the segment with this id (32 bytes); the caller zeroes it when done. */
  byte[] segmentKey(byte[] segmentId);
}
