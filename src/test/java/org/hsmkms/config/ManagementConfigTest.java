package org.hsmkms.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The management listener's settings (docs/monitoring.md). */
class ManagementConfigTest {

  @Test
  void byDefault_theManagementListenerIsOnLoopback_atTheKmsPortPlusOne_drainingTenSeconds() {
    Config.Server s = new Config.Server(null, null, null);

    assertEquals(4599, s.port());
    assertEquals(4600, s.managementPort());
    assertEquals("127.0.0.1", s.managementHost());
    assertEquals(10, s.drainSeconds());
  }

  @Test
  void aKmsPortOfZero_givesAFreeManagementPort() {
    assertEquals(0, new Config.Server("127.0.0.1", 0, null).managementPort());
  }

  @Test
  void managementPortMinusOne_turnsTheListenerOff() {
    assertFalse(new Config.Server("127.0.0.1", 4599, null).withManagementPort(-1).hasManagement());
  }

  @Test
  void theManagementPort_mustDifferFromTheKmsPort() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new Config.Server("127.0.0.1", 4599, null).withManagementPort(4599));
  }

  @Test
  void outOfRangeSettings_areRefused() {
    Config.Server s = new Config.Server("127.0.0.1", 4599, null);
    assertThrows(IllegalArgumentException.class, () -> s.withManagementPort(70000));
    assertThrows(IllegalArgumentException.class, () -> s.withManagementPort(-2));
    assertThrows(IllegalArgumentException.class, () -> s.withDrainSeconds(-1));
  }
}
