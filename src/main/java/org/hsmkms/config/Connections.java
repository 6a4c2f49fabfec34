package org.hsmkms.config;

/**
 * The {@code connections} component: how many connections the KMS listener keeps open and how long
 * a connection may take over each part of a request, so that idle and trickling connections
 * (slowloris) cannot exhaust memory, file descriptors or event loops.
 *
 * <p>A connection past {@code maxConnections} (or past {@code maxConnectionsPerAddress} from one
 * source address; 0 turns that limit off, the default, as behind a load balancer every connection
 * comes from one address) is closed as soon as it is accepted. A connection must complete a
 * request's headers within {@code headerTimeoutSeconds} of opening, or of its previous response
 * (which is also how long an idle kept-alive connection stays open), and then its body within
 * {@code bodyTimeoutSeconds}; one without any traffic for {@code idleTimeoutSeconds} is closed.
 * Each connection's kernel receive buffer is {@code receiveBufferBytes}.
 *
 * @param maxConnections default 4096; keep it well under the process's file descriptor limit
 *     ({@code ulimit -n})
 * @param maxConnectionsPerAddress default 0 (no limit per address)
 * @param headerTimeoutSeconds default 20
 * @param bodyTimeoutSeconds default 20
 * @param idleTimeoutSeconds default 60
 * @param receiveBufferBytes default 65536 (the largest body is 64 KiB by default)
 */
public record Connections(
    Integer maxConnections,
    Integer maxConnectionsPerAddress,
    Integer headerTimeoutSeconds,
    Integer bodyTimeoutSeconds,
    Integer idleTimeoutSeconds,
    Integer receiveBufferBytes) {
  public Connections {
    maxConnections = maxConnections == null ? 4096 : maxConnections;
    maxConnectionsPerAddress = maxConnectionsPerAddress == null ? 0 : maxConnectionsPerAddress;
    headerTimeoutSeconds = headerTimeoutSeconds == null ? 20 : headerTimeoutSeconds;
    bodyTimeoutSeconds = bodyTimeoutSeconds == null ? 20 : bodyTimeoutSeconds;
    idleTimeoutSeconds = idleTimeoutSeconds == null ? 60 : idleTimeoutSeconds;
    receiveBufferBytes = receiveBufferBytes == null ? 65536 : receiveBufferBytes;
    check(maxConnections, 1, 1_000_000, "maxConnections");
    check(maxConnectionsPerAddress, 0, 1_000_000, "maxConnectionsPerAddress");
    check(headerTimeoutSeconds, 1, 3600, "headerTimeoutSeconds");
    check(bodyTimeoutSeconds, 1, 3600, "bodyTimeoutSeconds");
    check(idleTimeoutSeconds, 1, 3600, "idleTimeoutSeconds");
    check(receiveBufferBytes, 4096, 16 * 1024 * 1024, "receiveBufferBytes");
  }

  /** The defaults. */
  public static Connections defaults() {
    return new Connections(null, null, null, null, null, null);
  }

  private static void check(int value, int min, int max, String name) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          "connections." + name + " must be " + min + ".." + max + ", not " + value);
    }
  }
}
