package org.hsmkms.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadinessTest {

  @Test
  void whileStarting_isNotReady_andRunsNoCheck() {
    Readiness r = new Readiness();
    List<String> ran = new ArrayList<>();
    r.add("hsm", () -> ran.add("hsm"));

    assertEquals(new Readiness.Result(false, "starting"), r.check());
    assertEquals(List.of(), ran);
  }

  @Test
  void whileServing_isReady_whenEveryCheckPasses() {
    Readiness r = new Readiness();
    r.add("hsm", () -> {});
    r.add("store", () -> {});
    r.serving();

    assertEquals(new Readiness.Result(true, null), r.check());
  }

  @Test
  void theFirstFailingCheck_isNamed_andTheLaterOnesAreNotRun() {
    Readiness r = new Readiness();
    List<String> ran = new ArrayList<>();
    r.add("hsm", () -> ran.add("hsm"));
    r.add(
        "store",
        () -> {
          throw new IllegalStateException("database gone");
        });
    r.add("audit", () -> ran.add("audit"));
    r.serving();

    assertEquals(new Readiness.Result(false, "store"), r.check());
    assertEquals(List.of("hsm"), ran);
  }

  @Test
  void whileDraining_isNotReady_evenWhenEveryCheckPasses() {
    Readiness r = new Readiness();
    r.add("hsm", () -> {});
    r.serving();
    r.draining();

    assertEquals(new Readiness.Result(false, "draining"), r.check());
  }
}
