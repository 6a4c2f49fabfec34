package org.hsmkms.work;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the CPU priority of the calling thread alone (Linux keeps a nice value per thread), so
 * that long CPU-bound HSM work (RSA key generation in a software token) runs on what the other
 * threads leave and cannot take a core from the event loops and the fast class. The thread still
 * gets the whole CPU when nothing else wants it.
 *
 * <p>No privilege is needed to lower one's own priority. Where it cannot be done (not Linux, no
 * {@code renice}), the thread runs at normal priority and this is logged once at INFO.
 */
final class ThreadNiceness {
  private static final Logger LOG = LoggerFactory.getLogger(ThreadNiceness.class);
  private static volatile boolean reported;

  private ThreadNiceness() {}

  /** Gives the calling thread the nice value {@code nice} (1..19); false if it could not. */
  static boolean lowerCurrent(int nice) {
    try {
      // "/proc/thread-self" links to "PID/task/TID" for the calling thread.
      Path self = Files.readSymbolicLink(Path.of("/proc/thread-self"));
      String tid = self.getFileName().toString();
      Process p =
          new ProcessBuilder("renice", "-n", Integer.toString(nice), "-p", tid)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
        return true;
      }
      p.destroyForcibly();
      report("renice exited with " + (p.isAlive() ? "a timeout" : p.exitValue()));
    } catch (IOException | UnsupportedOperationException e) {
      report(e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  private static void report(String why) {
    if (!reported) {
      reported = true;
      LOG.info("slow HSM work runs at normal CPU priority: {}", why);
    }
  }
}
