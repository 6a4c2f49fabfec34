package org.hsmkms.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The {@code connections} settings (docs/operations.md, "Connections"). */
class ConnectionsConfigTest {

  @Test
  void defaults_bound4096Connections_20sForHeadersAndBody_60sIdle_64KiBReceiveBuffer() {
    Connections c = Connections.defaults();

    assertEquals(4096, c.maxConnections());
    assertEquals(0, c.maxConnectionsPerAddress());
    assertEquals(20, c.headerTimeoutSeconds());
    assertEquals(20, c.bodyTimeoutSeconds());
    assertEquals(60, c.idleTimeoutSeconds());
    assertEquals(65536, c.receiveBufferBytes());
  }

  @Test
  void theSampleConfiguration_statesTheDefaults() throws Exception {
    Config c = Config.load(Path.of("hsm-config/hsm-kms.sample.yaml"));

    assertEquals(Connections.defaults(), c.connections());
  }

  @Test
  void outOfRangeSettings_areRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> new Connections(0, null, null, null, null, null));
    assertThrows(
        IllegalArgumentException.class, () -> new Connections(null, -1, null, null, null, null));
    assertThrows(
        IllegalArgumentException.class, () -> new Connections(null, null, 0, null, null, null));
    assertThrows(
        IllegalArgumentException.class, () -> new Connections(null, null, null, 0, null, null));
    assertThrows(
        IllegalArgumentException.class, () -> new Connections(null, null, null, null, 0, null));
    assertThrows(
        IllegalArgumentException.class, () -> new Connections(null, null, null, null, null, 100));
  }
}
