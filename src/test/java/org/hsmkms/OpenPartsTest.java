package org.hsmkms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parts are closed the last opened first, each once, and a failing one keeps no other open. */
class OpenPartsTest {
  private final List<String> closed = new ArrayList<>();
  private final OpenParts parts = new OpenParts();

  @Test
  void closeAll_closesTheLastOpenedFirst_andOnlyOnce() {
    parts.add("hsm", () -> closed.add("hsm"));
    parts.add("store", () -> closed.add("store"));
    parts.add("vertx", () -> closed.add("vertx"));
    assertEquals(List.of("vertx", "store", "hsm"), parts.names());

    assertEquals(List.of(), parts.closeAll());
    assertEquals(List.of(), parts.closeAll());

    assertEquals(List.of("vertx", "store", "hsm"), closed);
    assertEquals(List.of(), parts.names());
  }

  @Test
  void aPartThatFailsToClose_isReturned_andTheOthersAreClosedAnyway() {
    IllegalStateException failure = new IllegalStateException("listeners would not stop");
    parts.add("hsm", () -> closed.add("hsm"));
    parts.add(
        "listeners",
        () -> {
          throw failure;
        });
    parts.add("timer", () -> closed.add("timer"));

    List<Exception> failures = parts.closeAll();

    assertEquals(1, failures.size());
    assertSame(failure, failures.get(0));
    assertEquals(List.of("timer", "hsm"), closed);
  }

  @Test
  void anInterruptedWait_keepsClosingTheRest_andLeavesTheInterruptFlagSet() {
    parts.add("hsm", () -> closed.add("hsm"));
    parts.add(
        "vertx",
        () -> {
          throw new InterruptedException();
        });
    try {
      List<Exception> failures = parts.closeAll();

      assertTrue(failures.get(0) instanceof InterruptedException);
      assertEquals(List.of("hsm"), closed);
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }
  }
}
