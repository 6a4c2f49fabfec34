package org.hsmkms.hsm.pkcs11;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes SoftHSM2 in this process list its token directories again, for a token object that another
 * process made and this one does not see.
 *
 * <p>Why: SoftHSM2's file store re-reads a token directory only when the token's generation file
 * ({@code TOKENDIR/<token>/generation}, 8 bytes, big-endian) differs from the value the process
 * last saw. A process that writes a token object itself sets that value to what is on disk plus
 * one, so an object another process made just before is never listed until a third write comes from
 * elsewhere. Several nodes sharing one SoftHSM2 token ({@code dev --store postgresql}) hit this
 * when one node makes a key and then stops: the other answered KeyUnavailable for it. A miss
 * therefore raises the generation on disk (under SoftHSM2's own fcntl lock) and searches once more.
 *
 * <p>Only where a SoftHSM2 configuration names a token directory; otherwise nothing happens. At
 * most one rescan per {@link #MIN_INTERVAL_NANOS}, so searches for ids that exist nowhere cost
 * little. Security: touches no object file and reads nothing secret.
 */
final class SoftHsm2Rescan {
  private static final Logger LOG = LoggerFactory.getLogger(SoftHsm2Rescan.class);
  static final long MIN_INTERVAL_NANOS = 200_000_000L;
  private static final AtomicLong LAST = new AtomicLong(System.nanoTime() - MIN_INTERVAL_NANOS);

  private SoftHsm2Rescan() {}

  /** Raises every token's generation under SoftHSM2's token directory; true if one was raised. */
  static boolean request() {
    long now = System.nanoTime();
    long last = LAST.get();
    if (now - last < MIN_INTERVAL_NANOS || !LAST.compareAndSet(last, now)) {
      return false;
    }
    Path tokenDir = tokenDir();
    if (tokenDir == null) {
      return false;
    }
    boolean raised = false;
    try (Stream<Path> tokens = Files.list(tokenDir)) {
      for (Path generation : tokens.map(t -> t.resolve("generation")).toList()) {
        if (Files.isRegularFile(generation)) {
          raised |= raise(generation);
        }
      }
    } catch (IOException e) {
      LOG.debug("SoftHSM2 token directory {}: {}", tokenDir, e.toString());
    }
    return raised;
  }

  private static boolean raise(Path generation) {
    try (FileChannel f =
            FileChannel.open(generation, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock = f.lock()) {
      ByteBuffer b = ByteBuffer.allocate(Long.BYTES);
      if (f.read(b, 0) != Long.BYTES) {
        return false;
      }
      long next = b.flip().getLong() + 1;
      b.clear().putLong(next == 0 ? 1 : next).flip();
      f.write(b, 0);
      return true;
    } catch (IOException e) {
      LOG.debug("SoftHSM2 generation {}: {}", generation, e.toString());
      return false;
    }
  }

  /** {@code directories.tokendir} of the SoftHSM2 configuration this process uses, if any. */
  static Path tokenDir() {
    String env = System.getenv("SOFTHSM2_CONF");
    Path conf = Path.of(env != null && !env.isBlank() ? env : "/etc/softhsm/softhsm2.conf");
    try {
      List<String> lines = Files.readAllLines(conf);
      for (String line : lines) {
        String l = line.strip();
        if (l.startsWith("directories.tokendir")) {
          int eq = l.indexOf('=');
          if (eq > 0) {
            Path dir = Path.of(l.substring(eq + 1).strip());
            return Files.isDirectory(dir) ? dir : null;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }
}
