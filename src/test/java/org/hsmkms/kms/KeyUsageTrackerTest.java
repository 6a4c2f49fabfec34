package org.hsmkms.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.KeyUsageRecord;
import org.hsmkms.store.StoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** KeyUsageTracker and KeyLastUsage on a real SQLite store: batching, ordering, failures. */
class KeyUsageTrackerTest {
  private static final Instant NOW = StoredKeys.CREATED.plus(Duration.ofDays(10));

  @TempDir Path dir;
  private StoredKeys stored;
  private KeyUsageTracker tracker;

  @BeforeEach
  void open() {
    stored = new StoredKeys(dir);
    tracker = new KeyUsageTracker(stored.store, Clock.fixed(NOW, ZoneOffset.UTC));
    tracker.start();
  }

  @AfterEach
  void close() {
    stored.close();
  }

  @Test
  void untrackedOperation_notesNothing() {
    KeyRecord key = stored.add(KeyState.ENABLED);

    tracker.succeeded("DescribeKey", used(key));
    tracker.succeeded(null, used(key));

    assertEquals(0, tracker.pendingCount());
    assertEquals(0, tracker.flush());
  }

  @Test
  void manyRequests_areOneEntryPerKey_andOneFlushWritesOneRowPerKey() {
    KeyRecord source = stored.add(KeyState.ENABLED);
    KeyRecord destination = stored.add(KeyState.ENABLED);
    RequestContext last = null;
    for (int i = 0; i < 5; i++) {
      last = used(source, destination);
      tracker.succeeded("ReEncrypt", last);
    }

    assertEquals(2, tracker.pendingCount());
    assertTrue(stored.store.findKeyUsage(source.keyId()).isEmpty());
    assertEquals(2, tracker.flush());
    assertEquals(1, tracker.flushCount());
    assertEquals(2, tracker.rowsWritten());
    KeyUsageRecord row = stored.store.findKeyUsage(destination.keyId()).orElseThrow();
    assertEquals(new KeyUsageRecord(destination.keyId(), "ReEncrypt", NOW, last.requestId()), row);
    assertEquals(0, tracker.flush());
    assertEquals(1, tracker.flushCount());
  }

  @Test
  void anEarlierUse_neverReplacesAStoredLaterOne() {
    KeyRecord key = stored.add(KeyState.ENABLED);
    KeyUsageRecord later = new KeyUsageRecord(key.keyId(), "Sign", NOW, "later");
    KeyUsageRecord earlier =
        new KeyUsageRecord(key.keyId(), "Verify", NOW.minusSeconds(60), "earlier");

    stored.store.saveKeyUsages(java.util.List.of(later));
    stored.store.saveKeyUsages(java.util.List.of(earlier));

    assertEquals(later, stored.store.findKeyUsage(key.keyId()).orElseThrow());
  }

  @Test
  void aFailedFlush_keepsEveryUseForTheNext() {
    KeyRecord key = stored.add(KeyState.ENABLED);
    tracker.succeeded("Encrypt", used(key));
    stored.close();

    assertThrows(StoreException.class, tracker::flush);

    assertEquals(1, tracker.pendingCount());
    assertEquals(0, tracker.flushCount());
  }

  @Test
  void trackingStart_isRecordedOnce() {
    Instant first = stored.store.keyUsageTrackingStart(NOW.plusSeconds(1));

    assertEquals(NOW, first);
    assertEquals(NOW, tracker.trackingStart());
  }

  @Test
  void lastUsage_ofAKeyMadeBeforeTracking_startsAtTracking_andOfANewKeyAtItsCreation() {
    KeyRecord old = stored.add(KeyState.ENABLED);
    KeyLastUsage lastUsage = new KeyLastUsage(new Keys(stored.store), tracker);

    KeyLastUsage.Answer answer = lastUsage.getKeyLastUsage(StoredKeys.caller(), old.keyId());

    assertEquals(StoredKeys.CREATED, answer.keyCreationDate());
    assertEquals(NOW, answer.trackingStartDate());
    assertNull(answer.lastUsage());

    KeyUsageTracker laterStart =
        new KeyUsageTracker(stored.store, Clock.fixed(StoredKeys.CREATED, ZoneOffset.UTC));
    laterStart.start();
    // The start is recorded once: a later tracker reads the same start.
    assertEquals(NOW, laterStart.trackingStart());
  }

  @Test
  void lastUsage_readsTheUseInMemoryBeforeItIsFlushed() {
    KeyRecord key = stored.add(KeyState.ENABLED);
    RequestContext ctx = used(key);
    tracker.succeeded("GenerateMac", ctx);

    KeyLastUsage.Use use =
        new KeyLastUsage(new Keys(stored.store), tracker)
            .getKeyLastUsage(StoredKeys.caller(), key.keyId())
            .lastUsage();

    assertEquals(new KeyLastUsage.Use("GenerateMac", NOW, ctx.requestId()), use);
  }

  private static RequestContext used(KeyRecord... keys) {
    RequestContext ctx = StoredKeys.caller();
    for (KeyRecord k : keys) {
      ctx.used(k);
    }
    return ctx;
  }
}
