package org.hsmkms.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The slow connections of a noisy tenant: {@code count} TCP connections to the server, half of them
 * trickling a request's headers one byte a second (never reaching the blank line that ends them),
 * half sending nothing at all. A connection the server closes (or that cannot be opened) is opened
 * again a second later, as an attacker would; how many the server closed is the measurement.
 *
 * <p>All of them live on one event loop with one timer a second for every trickling byte: no thread
 * per connection, so the load generator costs the shared cores next to nothing.
 */
final class SlowConnections implements AutoCloseable {
  /** How long a slot waits before opening again a connection the server closed. */
  static final long REOPEN_MILLIS = 1000;

  /** What the bytes spell: the start of a GenerateDataKey request whose headers never end. */
  static final byte[] HEADERS =
      ("POST / HTTP/1.1\r\n"
              + "Host: kms\r\n"
              + "Content-Type: application/x-amz-json-1.1\r\n"
              + "X-Amz-Target: TrentService.GenerateDataKey\r\n"
              + "X-Amz-Date: 20260101T000000Z\r\n"
              + "Authorization: AWS4-HMAC-SHA256 Credential=AKIDNOISYTENANT/20260101/us-east-1/"
              + "kms/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target,"
              + " Signature=0\r\n")
          .getBytes(StandardCharsets.US_ASCII);

  /** Sent once {@link #HEADERS} is out, over and over: one more header line, never the last. */
  static final byte[] FILLER = "X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII);

  private final Vertx vertx;
  private final Context context;
  private final NetClient net;
  private final String host;
  private final int port;
  private final List<Slot> slots = new ArrayList<>();

  // Touched only on the context.
  private long opened;
  private long connectFailures;
  private long closedByServer;
  private long bytesSent;
  private long tickTimer = -1;
  private boolean stopped;

  /**
   * @param count connections kept open; even ones trickle, odd ones are idle
   */
  SlowConnections(Vertx vertx, String host, int port, int count) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.host = host;
    this.port = port;
    this.net =
        vertx.createNetClient(new NetClientOptions().setConnectTimeout(10_000).setTcpNoDelay(true));
    for (int i = 0; i < count; i++) {
      slots.add(new Slot(i % 2 == 0));
    }
  }

  /**
   * What they saw.
   *
   * @param opened connections opened, counting those opened again
   * @param connectFailures attempts the server (or the system) refused
   * @param closedByServer connections the server closed
   * @param openAtEnd connections still open when the scenario stopped them
   * @param bytesTrickled header bytes sent, all connections together
   */
  record Result(
      int slots,
      long opened,
      long connectFailures,
      long closedByServer,
      long openAtEnd,
      long bytesTrickled) {}

  /** Opens every connection and starts trickling. */
  SlowConnections start() {
    context.runOnContext(
        v -> {
          slots.forEach(Slot::open);
          tickTimer = vertx.setPeriodic(1000, id -> slots.forEach(Slot::trickle));
        });
    return this;
  }

  /** A snapshot of the counts so far (for progress and tests). */
  Result result() {
    return Future.<Result>future(p -> context.runOnContext(v -> p.complete(snapshot()))).await();
  }

  private Result snapshot() {
    long open = slots.stream().filter(s -> s.socket != null).count();
    return new Result(slots.size(), opened, connectFailures, closedByServer, open, bytesSent);
  }

  /** Closes every connection (those are not counted as closed by the server) and returns counts. */
  Result stop() {
    Result r =
        Future.<Result>future(
                p ->
                    context.runOnContext(
                        v -> {
                          stopped = true;
                          if (tickTimer != -1) {
                            vertx.cancelTimer(tickTimer);
                          }
                          Result snapshot = snapshot();
                          slots.forEach(Slot::close);
                          p.complete(snapshot);
                        }))
            .await();
    net.close().await();
    return r;
  }

  @Override
  public void close() {
    if (!Future.<Boolean>future(p -> context.runOnContext(v -> p.complete(stopped))).await()) {
      stop();
    }
  }

  /** One connection kept open, opened again when lost. */
  private final class Slot {
    private final boolean trickling;
    private NetSocket socket;
    private long position;

    Slot(boolean trickling) {
      this.trickling = trickling;
    }

    void open() {
      if (stopped) {
        return;
      }
      net.connect(port, host)
          .onComplete(
              ar -> {
                if (ar.failed()) {
                  connectFailures++;
                  later();
                  return;
                }
                NetSocket s = ar.result();
                if (stopped) {
                  s.close();
                  return;
                }
                opened++;
                socket = s;
                position = 0;
                // Whatever the server answers (a 408, say) is read and dropped.
                s.handler(data -> {});
                s.exceptionHandler(e -> {});
                s.closeHandler(
                    none -> {
                      if (socket == s) {
                        socket = null;
                        if (!stopped) {
                          closedByServer++;
                          later();
                        }
                      }
                    });
              });
    }

    private void later() {
      if (!stopped) {
        vertx.setTimer(REOPEN_MILLIS, id -> open());
      }
    }

    /** The next header byte, if this one trickles. */
    void trickle() {
      if (!trickling || socket == null || socket.writeQueueFull()) {
        return;
      }
      byte b =
          position < HEADERS.length
              ? HEADERS[(int) position]
              : FILLER[(int) ((position - HEADERS.length) % FILLER.length)];
      position++;
      bytesSent++;
      socket.write(Buffer.buffer(new byte[] {b}));
    }

    void close() {
      NetSocket s = socket;
      socket = null;
      if (s != null) {
        s.close();
      }
    }
  }
}
