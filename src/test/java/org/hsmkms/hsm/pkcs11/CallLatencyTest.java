package org.hsmkms.hsm.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xipki.pkcs11.wrapper.Session;

/** The latency model: how many round trips each call is charged, and on which thread. */
class CallLatencyTest {

  @AfterEach
  void clearProperty() {
    System.clearProperty(CallLatency.PROPERTY);
  }

  @Test
  void charge_countsEachCall_andWaitsAtLeastThatLong_onTheCallingThread() {
    CallLatency latency = new CallLatency(2_000);
    long start = System.nanoTime();
    latency.charge(3);
    long elapsed = System.nanoTime() - start;
    assertEquals(3, latency.calls());
    assertTrue(elapsed >= TimeUnit.MICROSECONDS.toNanos(6_000), "waited " + elapsed + " ns");
  }

  @Test
  void none_chargesNothing_andLeavesTheLayersAlone() {
    CallLatency.NONE.charge(1000);
    assertEquals(0, CallLatency.NONE.calls());
    assertFalse(CallLatency.NONE.enabled());
    RecordingLayer layer = new RecordingLayer();
    assertSame(layer, CallLatency.NONE.gcm(layer));
  }

  @Test
  void theIaikLayer_isNotWrapped_becauseItsSessionCallsAreChargedAlready() {
    assertSame(GcmLayer.IAIK, new CallLatency(1_000).gcm(GcmLayer.IAIK));
  }

  @Test
  void gcmThroughTheJdkLayer_isChargedTwoCallsEach_beforeTheLayerRunsOnTheSameThread()
      throws Exception {
    CallLatency latency = new CallLatency(1_000);
    RecordingLayer inner = new RecordingLayer();
    GcmLayer layer = latency.gcm(inner);
    inner.latency = latency;

    layer.encrypt(null, 1, new byte[12], new byte[0], new byte[16]);
    assertEquals(List.of(2L), inner.callsSeen);
    layer.decrypt(null, 1, new byte[12], new byte[0], new byte[32]);
    assertEquals(List.of(2L, 4L), inner.callsSeen);
    assertEquals(List.of(Thread.currentThread(), Thread.currentThread()), inner.threads);
    assertEquals("recording", layer.name());
  }

  @Test
  void fromSystemProperty_readsMicroseconds_zeroOrUnsetIsNone_garbageIsRefused() {
    assertSame(CallLatency.NONE, CallLatency.fromSystemProperty());
    System.setProperty(CallLatency.PROPERTY, "0");
    assertSame(CallLatency.NONE, CallLatency.fromSystemProperty());
    System.setProperty(CallLatency.PROPERTY, "1500");
    assertEquals(1500, CallLatency.fromSystemProperty().microsPerCall());
    System.setProperty(CallLatency.PROPERTY, "1.5ms");
    assertThrows(IllegalArgumentException.class, CallLatency::fromSystemProperty);
    System.setProperty(CallLatency.PROPERTY, "-1");
    assertThrows(IllegalArgumentException.class, CallLatency::fromSystemProperty);
  }

  /** Records, when the inner layer runs, how many calls had been charged, and on which thread. */
  private static final class RecordingLayer implements GcmLayer {
    CallLatency latency;
    final List<Long> callsSeen = new ArrayList<>();
    final List<Thread> threads = new ArrayList<>();

    @Override
    public String name() {
      return "recording";
    }

    @Override
    public byte[] encrypt(Session s, long key, byte[] iv, byte[] aad, byte[] plaintext) {
      callsSeen.add(latency.calls());
      threads.add(Thread.currentThread());
      return new byte[plaintext.length + 16];
    }

    @Override
    public byte[] decrypt(Session s, long key, byte[] iv, byte[] aad, byte[] ciphertextAndTag) {
      callsSeen.add(latency.calls());
      threads.add(Thread.currentThread());
      return new byte[ciphertextAndTag.length - 16];
    }
  }
}
