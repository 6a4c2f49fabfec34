package org.hsmkms.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** A missing tool fails a test in CI and skips it elsewhere, naming what to install. */
class PrerequisitesTest {

  @Test
  void presentTool_letsTheTestRun_inCiAndElsewhere() {
    Prerequisites.require(true, Prerequisites.OPENSSL, true);
    Prerequisites.require(true, Prerequisites.OPENSSL, false);
  }

  @Test
  void missingTool_inCi_failsTheTest_sayingWhatToInstall() {
    AssertionFailedError e =
        assertThrows(
            AssertionFailedError.class,
            () -> Prerequisites.require(false, Prerequisites.PYTHON_CRYPTOGRAPHY, true));

    assertTrue(e.getMessage().contains("python3-cryptography"), e.getMessage());
  }

  @Test
  void missingTool_outsideCi_skipsTheTest_sayingWhatToInstall() {
    TestAbortedException e =
        assertThrows(
            TestAbortedException.class,
            () -> Prerequisites.require(false, Prerequisites.OPENSSL, false));

    assertTrue(e.getMessage().contains("Debian package openssl"), e.getMessage());
  }
}
