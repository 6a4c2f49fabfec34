package org.hsmkms.bench;

import java.io.IOException;
import java.net.URI;

/** A server the bench starts on this machine to measure beside the service, and stops after. */
interface LocalServer extends AutoCloseable {
  URI endpoint();

  /** Stops the server; throws nothing. */
  @Override
  void close();

  /** Starts one. */
  @FunctionalInterface
  interface Starter {
    LocalServer start() throws IOException;
  }
}
