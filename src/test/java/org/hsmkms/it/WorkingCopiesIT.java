package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.hsm.KeyInventory;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.pkcs11.Pkcs11Diagnostics;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.hsm.pkcs11.Pkcs11Settings;
import org.hsmkms.testing.TestToken;
import org.junit.jupiter.api.Test;

/**
 * Working copies of AES keys (session objects used in place of the token object): as protected as
 * the original, used transparently, bounded, gone with their key, and never a condition of service.
 */
class WorkingCopiesIT {
  private static final byte[] AAD = "aad".getBytes(StandardCharsets.UTF_8);
  private static final byte[] PLAINTEXT = "working copy".getBytes(StandardCharsets.UTF_8);

  private static Pkcs11Hsm open(int workingCopies) {
    return open(workingCopies, System::nanoTime);
  }

  private static Pkcs11Hsm open(int workingCopies, LongSupplier nanoTicker) {
    TestToken.dir();
    return Pkcs11Hsm.open(
        new Pkcs11Settings(
            TestToken.module(),
            TestToken.LABEL,
            TestToken.PIN.toCharArray(),
            2,
            5000L,
            workingCopies),
        nanoTicker);
  }

  private static MaterialId newKey(Pkcs11Hsm hsm) {
    MaterialId id = MaterialId.of(hsm.random().generateRandom(16));
    hsm.inventory().generateAesKey(id, "working-copies-it");
    return id;
  }

  private static void roundTrip(Pkcs11Hsm hsm, MaterialId id) {
    byte[] out = hsm.symmetric().encrypt(id, PLAINTEXT, AAD);
    byte[] iv = Arrays.copyOf(out, 12);
    byte[] ct = Arrays.copyOfRange(out, 12, out.length);
    assertArrayEquals(PLAINTEXT, hsm.symmetric().decrypt(id, iv, ct, AAD));
  }

  @Test
  void copyOfAUsedKey_isASessionObject_sensitive_neverExtractable() {
    try (Pkcs11Hsm hsm = open(10)) {
      MaterialId id = newKey(hsm);
      assertEquals(Optional.empty(), hsm.diagnostics().workingCopyAttributes(id));

      roundTrip(hsm, id);

      assertEquals(
          Optional.of(new Pkcs11Diagnostics.KeyAttributes(false, true, false, true)),
          hsm.diagnostics().workingCopyAttributes(id));
      assertEquals(
          new Pkcs11Diagnostics.KeyAttributes(true, true, false, true),
          hsm.diagnostics().keyAttributes(id));
      hsm.inventory().destroyKey(id);
    }
  }

  @Test
  void aKeysValueCannotBeMadeReadable_althoughItIsModifiable() throws Exception {
    try (Pkcs11Hsm hsm = open(10)) {
      MaterialId id = newKey(hsm);

      assertEquals(List.of(), TestToken.acceptedWeakenings(id.bytes()));

      roundTrip(hsm, id);
      hsm.inventory().destroyKey(id);
    }
  }

  @Test
  void blobsOfTheCopyAndOfTheTokenObject_openEachOther() {
    MaterialId id;
    byte[] byCopy;
    try (Pkcs11Hsm withCopies = open(10)) {
      id = newKey(withCopies);
      byCopy = withCopies.symmetric().encrypt(id, PLAINTEXT, AAD);
      assertTrue(withCopies.diagnostics().workingCopyAttributes(id).isPresent());
    }
    try (Pkcs11Hsm without = open(0)) {
      byte[] iv = Arrays.copyOf(byCopy, 12);
      assertArrayEquals(
          PLAINTEXT,
          without.symmetric().decrypt(id, iv, Arrays.copyOfRange(byCopy, 12, byCopy.length), AAD));
      byte[] byToken = without.symmetric().encrypt(id, PLAINTEXT, AAD);
      assertEquals(0, without.diagnostics().workingCopyCount());
      try (Pkcs11Hsm withCopies = open(10)) {
        assertArrayEquals(
            PLAINTEXT,
            withCopies
                .symmetric()
                .decrypt(
                    id,
                    Arrays.copyOf(byToken, 12),
                    Arrays.copyOfRange(byToken, 12, byToken.length),
                    AAD));
        assertEquals(1, withCopies.diagnostics().workingCopyCount());
      }
      without.inventory().destroyKey(id);
    }
  }

  @Test
  void aWrongTag_failsAsAnAuthenticationFailure_throughTheCopy() {
    try (Pkcs11Hsm hsm = open(10)) {
      MaterialId id = newKey(hsm);
      byte[] out = hsm.symmetric().encrypt(id, PLAINTEXT, AAD);
      out[out.length - 1] ^= 1;

      HsmException e =
          assertThrows(
              HsmException.class,
              () ->
                  hsm.symmetric()
                      .decrypt(
                          id,
                          Arrays.copyOf(out, 12),
                          Arrays.copyOfRange(out, 12, out.length),
                          AAD));
      assertTrue(e.isAuthenticationFailure());
      assertTrue(hsm.diagnostics().workingCopyAttributes(id).isPresent());
      hsm.inventory().destroyKey(id);
    }
  }

  @Test
  void copiesAreBounded_theOneUsedLongestAgoMakesRoom_atMostOnceASecond() {
    // The copies' clock moves a nanosecond per reading, and a second when the test says so.
    AtomicLong now = new AtomicLong();
    try (Pkcs11Hsm hsm = open(2, now::incrementAndGet)) {
      MaterialId[] ids = {newKey(hsm), newKey(hsm), newKey(hsm)};
      for (MaterialId id : ids) {
        roundTrip(hsm, id);
      }

      assertEquals(2, hsm.diagnostics().workingCopyCount());
      assertFalse(hsm.diagnostics().workingCopyAttributes(ids[0]).isPresent());
      assertTrue(hsm.diagnostics().workingCopyAttributes(ids[1]).isPresent());
      assertTrue(hsm.diagnostics().workingCopyAttributes(ids[2]).isPresent());

      roundTrip(hsm, ids[2]);
      roundTrip(hsm, ids[0]); // within a second of the last eviction: no copy, no churn
      assertFalse(hsm.diagnostics().workingCopyAttributes(ids[0]).isPresent());
      now.addAndGet(999_000_000L);
      roundTrip(hsm, ids[0]); // still within the second: no copy
      assertFalse(hsm.diagnostics().workingCopyAttributes(ids[0]).isPresent());
      now.addAndGet(1_000_000L);
      roundTrip(hsm, ids[0]); // a second later, ids[1] is the one used longest ago

      assertEquals(2, hsm.diagnostics().workingCopyCount());
      assertTrue(hsm.diagnostics().workingCopyAttributes(ids[0]).isPresent());
      assertFalse(hsm.diagnostics().workingCopyAttributes(ids[1]).isPresent());
      assertTrue(hsm.diagnostics().workingCopyAttributes(ids[2]).isPresent());
      for (MaterialId id : ids) {
        roundTrip(hsm, id);
        hsm.inventory().destroyKey(id);
      }
      assertEquals(0, hsm.diagnostics().workingCopyCount());
    }
  }

  @Test
  void manyThreadsOverMoreKeysThanCopies_allRoundTrip() throws Exception {
    try (Pkcs11Hsm hsm = open(3)) {
      MaterialId[] ids = new MaterialId[8];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = newKey(hsm);
      }
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(4);
      try {
        List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
          int offset = t;
          done.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < 200; i++) {
                      roundTrip(hsm, ids[(i * 3 + offset) % ids.length]);
                    }
                  }));
        }
        for (java.util.concurrent.Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
      assertTrue(hsm.diagnostics().workingCopyCount() <= 3);
      for (MaterialId id : ids) {
        hsm.inventory().destroyKey(id);
      }
    }
  }

  @Test
  void destroyingAKey_destroysItsCopy() {
    try (Pkcs11Hsm hsm = open(10)) {
      MaterialId id = newKey(hsm);
      roundTrip(hsm, id);
      assertEquals(1, hsm.diagnostics().workingCopyCount());

      hsm.inventory().destroyKey(id);

      assertEquals(0, hsm.diagnostics().workingCopyCount());
      assertFalse(hsm.inventory().keyExists(id));
      HsmException e =
          assertThrows(HsmException.class, () -> hsm.symmetric().encrypt(id, PLAINTEXT, AAD));
      assertEquals(HsmException.Kind.KEY_NOT_FOUND, e.kind());
    }
  }

  @Test
  void anUnmodifiableKey_cannotBeCopied_andIsUsedAsTheTokenObject() throws Exception {
    MaterialId id =
        MaterialId.of(
            TestToken.createUnmodifiableAesKey(KeyInventory.LABEL_PREFIX + "unmodifiable"));
    try (Pkcs11Hsm hsm = open(10)) {
      roundTrip(hsm, id);
      roundTrip(hsm, id);

      assertEquals(0, hsm.diagnostics().workingCopyCount());
      hsm.inventory().destroyKey(id);
    }
  }

  @Test
  void allSessionsClosed_copiesAreMadeAgain() throws Exception {
    try (Pkcs11Hsm hsm = open(10)) {
      MaterialId id = newKey(hsm);
      byte[] before = hsm.symmetric().encrypt(id, PLAINTEXT, AAD);

      TestToken.closeAllSessions();

      assertArrayEquals(
          PLAINTEXT,
          hsm.symmetric()
              .decrypt(
                  id,
                  Arrays.copyOf(before, 12),
                  Arrays.copyOfRange(before, 12, before.length),
                  AAD));
      roundTrip(hsm, id);
      assertEquals(1, hsm.diagnostics().workingCopyCount());
      assertTrue(hsm.diagnostics().workingCopyAttributes(id).isPresent());
      hsm.inventory().destroyKey(id);
    }
  }

  @Test
  void copiesAreNotCountedAsSessionObjects() {
    try (Pkcs11Hsm hsm = open(10)) {
      int before = hsm.diagnostics().sessionObjectCount();
      MaterialId id = newKey(hsm);
      roundTrip(hsm, id);

      assertEquals(1, hsm.diagnostics().workingCopyCount());
      assertEquals(before, hsm.diagnostics().sessionObjectCount());
      hsm.inventory().destroyKey(id);
    }
  }
}
