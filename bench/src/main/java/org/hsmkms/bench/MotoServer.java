package org.hsmkms.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * moto ({@code python3 -m moto.server}), the emulator many users know, started on a free loopback
 * port for the comparison and stopped afterwards. It accepts any credentials.
 */
final class MotoServer implements LocalServer {
  private static final long START_TIMEOUT_MILLIS = 30_000;

  private final Process process;
  private final int port;
  private final Path log;

  private MotoServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts moto and waits until it accepts connections.
   *
   * @throws IOException if python3 or moto is missing, or moto does not come up
   */
  static MotoServer start() throws IOException {
    int port = freePort();
    Path log = Files.createTempFile("hsm-kms-bench-moto", ".log");
    Process p =
        new ProcessBuilder(
                "python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String.valueOf(port))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    MotoServer moto = new MotoServer(p, port, log);
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      if (!p.isAlive()) {
        String out = Files.readString(log, StandardCharsets.UTF_8).strip();
        moto.close();
        throw new IOException("moto exited at once (is it installed?): " + lastLine(out));
      }
      if (accepts(port)) {
        return moto;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        moto.close();
        throw new IOException("interrupted while starting moto", e);
      }
    }
    moto.close();
    throw new IOException("moto did not listen on port " + port + " within 30 s");
  }

  @Override
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String lastLine(String s) {
    int nl = s.lastIndexOf('\n');
    return nl < 0 ? s : s.substring(nl + 1);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      // a temporary file left behind
    }
  }
}
