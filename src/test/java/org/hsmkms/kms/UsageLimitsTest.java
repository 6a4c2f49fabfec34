package org.hsmkms.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MetadataStore;
import org.hsmkms.store.jdbc.JdbcMetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The usage counter of key materials, on the real embedded store (in memory). */
class UsageLimitsTest {
  private final MetadataStore store = new JdbcMetadataStore("jdbc:sqlite::memory:");

  @AfterEach
  void close() {
    store.close();
  }

  private static KeyRecord key(String origin, String material) {
    return new KeyRecord(
        "0b1c2d3e-0000-4000-8000-000000000001",
        "111122223333",
        "us-east-1",
        "Enabled",
        "SYMMETRIC_DEFAULT",
        "ENCRYPT_DECRYPT",
        origin,
        "",
        null,
        Instant.EPOCH,
        null,
        null,
        material);
  }

  @Test
  void theStoredReservation_isNeverBelowTheEncryptionsMade() {
    UsageLimits usage = new UsageLimits(store, new UsageLimits.Settings(1000, 2000, 10));
    KeyRecord key = key("AWS_KMS", "aa");
    for (int i = 1; i <= 25; i++) {
      usage.beforeEncrypt(key);
      assertEquals(i, usage.encryptions("aa"));
      assertTrue(store.materialUsage("aa") >= i, "stored " + store.materialUsage("aa"));
      assertTrue(store.materialUsage("aa") < i + 10, "one batch at most ahead");
    }
  }

  @Test
  void afterACrash_theCountResumesAtTheReservation_overCountingAtMostOneBatch() {
    KeyRecord key = key("AWS_KMS", "bb");
    UsageLimits before = new UsageLimits(store, new UsageLimits.Settings(1000, 2000, 10));
    for (int i = 0; i < 13; i++) {
      before.beforeEncrypt(key);
    }
    // No close(): the process died.
    UsageLimits after = new UsageLimits(store, new UsageLimits.Settings(1000, 2000, 10));
    after.beforeEncrypt(key);
    assertEquals(21, after.encryptions("bb"));
  }

  @Test
  void close_storesTheExactCount() {
    KeyRecord key = key("AWS_KMS", "cc");
    UsageLimits usage = new UsageLimits(store, new UsageLimits.Settings(1000, 2000, 10));
    for (int i = 0; i < 13; i++) {
      usage.beforeEncrypt(key);
    }
    usage.close();
    assertEquals(13, store.materialUsage("cc"));
  }

  @Test
  void atRotateAt_aRotatableKeyAsksOnceForItsRotation() {
    UsageLimits usage = new UsageLimits(store, new UsageLimits.Settings(3, 10, 2));
    AtomicInteger asked = new AtomicInteger();
    usage.onRotationWanted(asked::incrementAndGet);
    KeyRecord key = key("AWS_KMS", "dd");
    usage.beforeEncrypt(key);
    usage.beforeEncrypt(key);
    assertEquals(0, asked.get());
    usage.beforeEncrypt(key);
    usage.beforeEncrypt(key);
    assertEquals(1, asked.get());
    var requests = usage.takeRequests();
    assertEquals(1, requests.size());
    assertEquals("dd", requests.get(0).materialId());
    assertTrue(usage.takeRequests().isEmpty());
  }

  @Test
  void atRefuseAt_aKeyThatCannotRotate_isKmsInvalidStateException() {
    UsageLimits usage = new UsageLimits(store, new UsageLimits.Settings(2, 4, 1));
    AtomicInteger asked = new AtomicInteger();
    usage.onRotationWanted(asked::incrementAndGet);
    KeyRecord key = key("EXTERNAL", "ee");
    for (int i = 0; i < 4; i++) {
      usage.beforeEncrypt(key);
    }
    KmsException e = assertThrows(KmsException.class, () -> usage.beforeEncrypt(key));
    assertEquals(ErrorCode.INVALID_STATE, e.code());
    assertEquals(
        key.arn()
            + " cannot encrypt: its current key material has reached its limit of 4"
            + " encryptions. Rotate the key.",
        e.getMessage());
    assertEquals(0, asked.get(), "a key that cannot rotate asks for no rotation");
  }

  @Test
  void settings_outsideNistsBound_areRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new UsageLimits.Settings(1, UsageLimits.GCM_RANDOM_IV_LIMIT + 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new UsageLimits.Settings(5, 4, 1));
  }
}
