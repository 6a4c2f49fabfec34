package org.hsmkms.audit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The trail's sequence numbers and MAC chain. Each line ends with {@code ,"seq":N,"mac":"<hex>"}}
 * where {@code mac = HMAC-SHA256(segment key, previous mac || the line up to its ,"mac")}: the
 * previous line's mac (32 zero bytes before the first line ever), then the UTF-8 of the line from
 * its opening brace through its {@code "seq"}. So an edited line fails its own MAC, a deleted line
 * leaves a gap in the sequence, and reordered lines go backwards in it.
 *
 * <p>Not thread-safe: the trail uses it under its lock.
 */
public final class AuditChain {
  static final int MAC_BYTES = 32;
  static final int SEGMENT_ID_BYTES = 16;

  /** What precedes the MAC in every line; the MAC is the line's last field. */
  public static final String MAC_FIELD = ",\"mac\":\"";

  private static final String SEQ_FIELD = ",\"seq\":";
  private static final HexFormat HEX = HexFormat.of();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ChainKeys keys;
  private Mac mac;
  private long nextSeq;
  private byte[] previousMac;
  private byte[] sealed;

  /**
   * @param lastSeq the sequence number of the trail's last line (0 if none)
   * @param lastMac that line's MAC (null if none)
   */
  AuditChain(ChainKeys keys, long lastSeq, byte[] lastMac) {
    this.keys = keys;
    this.nextSeq = lastSeq + 1;
    this.previousMac = lastMac == null ? new byte[MAC_BYTES] : lastMac.clone();
  }

  /**
   * Starts a new segment: a fresh random id and its key from {@link ChainKeys}. Returns the event
   * that must be the segment's first line (it names the id and what precedes it).
   */
  AuditEvent startSegment(Instant now, String reason, String previousFile) {
    byte[] id = new byte[SEGMENT_ID_BYTES];
    RANDOM.nextBytes(id);
    byte[] key = keys.segmentKey(id);
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      mac = m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
    AuditEvent start =
        AuditEvent.of(now, AuditEvent.SEGMENT_START)
            .with("reason", reason)
            .with("segment", HEX.formatHex(id))
            .with("previousSeq", nextSeq - 1)
            .with("previousMac", nextSeq == 1 ? null : HEX.formatHex(previousMac));
    return previousFile == null ? start : start.with("previousFile", previousFile);
  }

  /** The sequence number the next line gets. */
  long nextSeq() {
    return nextSeq;
  }

  /**
   * Seals one line: {@code body} is its JSON without the closing brace; returns what follows it
   * ({@code ,"seq":N,"mac":"..."}} and the newline). The chain advances only with {@link #commit},
   * once the line is written: a line that could not be written leaves no gap.
   */
  byte[] seal(byte[] body) {
    StringBuilder suffix = new StringBuilder(96).append(SEQ_FIELD).append(nextSeq);
    mac.update(previousMac);
    mac.update(body);
    mac.update(suffix.toString().getBytes(StandardCharsets.US_ASCII));
    sealed = mac.doFinal();
    HEX.formatHex(suffix.append(MAC_FIELD), sealed).append("\"}\n");
    return suffix.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** The line {@link #seal} sealed last was written, or is queued to be. */
  void commit() {
    previousMac = sealed;
    nextSeq++;
  }

  /** The MAC the next line chains on (never modified: each seal makes a new array). */
  byte[] previousMac() {
    return previousMac;
  }

  /**
   * Back to an earlier point: the next line gets {@code nextSeq} and chains on {@code previousMac}.
   * For lines committed to a batch that could not be written, or to continue from the last whole
   * line found in the file.
   */
  void continueFrom(long nextSeq, byte[] previousMac) {
    this.nextSeq = nextSeq;
    this.previousMac = previousMac;
  }

  /**
   * Whether {@code line} (without its newline) carries the right MAC under {@code segmentKey},
   * chained on {@code previousMac}; false also if it has no MAC field.
   */
  public static boolean verify(byte[] segmentKey, byte[] previousMac, String line) {
    int at = line.lastIndexOf(MAC_FIELD);
    if (at < 0 || !line.endsWith("\"}")) {
      return false;
    }
    byte[] written;
    try {
      written = HEX.parseHex(line, at + MAC_FIELD.length(), line.length() - 2);
    } catch (IllegalArgumentException e) {
      return false;
    }
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(segmentKey, "HmacSHA256"));
      m.update(previousMac == null ? new byte[MAC_BYTES] : previousMac);
      m.update(line.substring(0, at).getBytes(StandardCharsets.UTF_8));
      return MessageDigest.isEqual(m.doFinal(), written);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /** The MAC written at the end of {@code line}, or null if it has none. */
  public static byte[] writtenMac(String line) {
    int at = line.lastIndexOf(MAC_FIELD);
    if (at < 0 || !line.endsWith("\"}")) {
      return null;
    }
    try {
      return HEX.parseHex(line, at + MAC_FIELD.length(), line.length() - 2);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
