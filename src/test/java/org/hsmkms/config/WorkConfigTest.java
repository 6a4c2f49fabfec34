package org.hsmkms.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The shares of the HSM sessions between the classes of work, and the queue bounds. */
class WorkConfigTest {
  @Test
  void defaults_onTwoCores_giveTheSlowClassOneThread_andTheFastClassTheRest() {
    Work.Shares s = Work.defaults().shares(8, 2);

    assertEquals(new Work.Shares(6, 1, 1, false), s);
  }

  @Test
  void defaults_onMoreCores_giveTheSlowClassAQuarterOfTheSessions() {
    assertEquals(new Work.Shares(11, 4, 1, false), Work.defaults().shares(16, 8));
  }

  @Test
  void sharesGiven_thatExceedTheSessions_areRefused() {
    Work w = new Work(4, 1, 4, null, null, null, null);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.shares(8, 2));
    assertTrue(e.getMessage().contains("hsm.sessions (8)"), e.getMessage());
  }

  @Test
  void defaults_withTooFewSessions_stillGiveEveryClassAThread_oversubscribed() {
    Work.Shares s = Work.defaults().shares(2, 2);

    assertEquals(1, s.fast());
    assertTrue(s.oversubscribed());
    assertFalse(Work.defaults().shares(3, 2).oversubscribed());
  }

  @Test
  void queueBounds_mustHoldAtLeastOneAccountsQueue() {
    assertThrows(
        IllegalArgumentException.class, () -> new Work(null, null, null, 10, 5, null, null));
    assertThrows(
        IllegalArgumentException.class, () -> new Work(null, null, null, null, null, 0, 4));
    assertThrows(
        IllegalArgumentException.class, () -> new Work(0, null, null, null, null, null, null));
  }
}
