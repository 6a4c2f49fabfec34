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
import org.hsmkms.hsm.Hsm;
import org.hsmkms.hsm.HsmException;
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
    TestToken.dir();
    return Pkcs11Hsm.open(
        new Pkcs11Settings(
            TestToken.module(),
            TestToken.LABEL,
            TestToken.PIN.toCharArray(),
            2,
            5000L,
            workingCopies));
  }

  private static byte[] newKey(Hsm hsm) {
    byte[] id = hsm.generateRandom(16);
    hsm.generateAesKey(id, "working-copies-it");
    return id;
  }

  private static void roundTrip(Hsm hsm, byte[] id) {
    byte[] out = hsm.encryptAesGcm(id, PLAINTEXT, AAD);
    byte[] iv = Arrays.copyOf(out, 12);
    byte[] ct = Arrays.copyOfRange(out, 12, out.length);
    assertArrayEquals(PLAINTEXT, hsm.decryptAesGcm(id, iv, ct, AAD));
  }

  @Test
  void copyOfAUsedKey_isASessionObject_sensitive_neverExtractable() {
    try (Pkcs11Hsm hsm = open(10)) {
      byte[] id = newKey(hsm);
      assertEquals(Optional.empty(), hsm.workingCopyAttributes(id));

      roundTrip(hsm, id);

      assertEquals(
          Optional.of(new Hsm.KeyAttributes(false, true, false, true)),
          hsm.workingCopyAttributes(id));
      assertEquals(new Hsm.KeyAttributes(true, true, false, true), hsm.keyAttributes(id));
      hsm.destroyKey(id);
    }
  }

  @Test
  void aKeysValueCannotBeMadeReadable_althoughItIsModifiable() throws Exception {
    try (Pkcs11Hsm hsm = open(10)) {
      byte[] id = newKey(hsm);

      assertEquals(List.of(), TestToken.acceptedWeakenings(id));

      roundTrip(hsm, id);
      hsm.destroyKey(id);
    }
  }

  @Test
  void blobsOfTheCopyAndOfTheTokenObject_openEachOther() {
    byte[] id;
    byte[] byCopy;
    try (Pkcs11Hsm withCopies = open(10)) {
      id = newKey(withCopies);
      byCopy = withCopies.encryptAesGcm(id, PLAINTEXT, AAD);
      assertTrue(withCopies.workingCopyAttributes(id).isPresent());
    }
    try (Pkcs11Hsm without = open(0)) {
      byte[] iv = Arrays.copyOf(byCopy, 12);
      assertArrayEquals(
          PLAINTEXT,
          without.decryptAesGcm(id, iv, Arrays.copyOfRange(byCopy, 12, byCopy.length), AAD));
      byte[] byToken = without.encryptAesGcm(id, PLAINTEXT, AAD);
      assertEquals(0, without.workingCopyCount());
      try (Pkcs11Hsm withCopies = open(10)) {
        assertArrayEquals(
            PLAINTEXT,
            withCopies.decryptAesGcm(
                id,
                Arrays.copyOf(byToken, 12),
                Arrays.copyOfRange(byToken, 12, byToken.length),
                AAD));
        assertEquals(1, withCopies.workingCopyCount());
      }
      without.destroyKey(id);
    }
  }

  @Test
  void aWrongTag_failsAsAnAuthenticationFailure_throughTheCopy() {
    try (Pkcs11Hsm hsm = open(10)) {
      byte[] id = newKey(hsm);
      byte[] out = hsm.encryptAesGcm(id, PLAINTEXT, AAD);
      out[out.length - 1] ^= 1;

      HsmException e =
          assertThrows(
              HsmException.class,
              () ->
                  hsm.decryptAesGcm(
                      id, Arrays.copyOf(out, 12), Arrays.copyOfRange(out, 12, out.length), AAD));
      assertTrue(e.isAuthenticationFailure());
      assertTrue(hsm.workingCopyAttributes(id).isPresent());
      hsm.destroyKey(id);
    }
  }

  @Test
  void copiesAreBounded_theOneUsedLongestAgoMakesRoom_atMostOnceASecond()
      throws InterruptedException {
    try (Pkcs11Hsm hsm = open(2)) {
      byte[][] ids = {newKey(hsm), newKey(hsm), newKey(hsm)};
      for (byte[] id : ids) {
        roundTrip(hsm, id);
      }

      assertEquals(2, hsm.workingCopyCount());
      assertFalse(hsm.workingCopyAttributes(ids[0]).isPresent());
      assertTrue(hsm.workingCopyAttributes(ids[1]).isPresent());
      assertTrue(hsm.workingCopyAttributes(ids[2]).isPresent());

      roundTrip(hsm, ids[2]);
      roundTrip(hsm, ids[0]); // within a second of the last eviction: no copy, no churn
      assertFalse(hsm.workingCopyAttributes(ids[0]).isPresent());
      Thread.sleep(1100);
      roundTrip(hsm, ids[0]); // ids[1] is now the one used longest ago

      assertEquals(2, hsm.workingCopyCount());
      assertTrue(hsm.workingCopyAttributes(ids[0]).isPresent());
      assertFalse(hsm.workingCopyAttributes(ids[1]).isPresent());
      assertTrue(hsm.workingCopyAttributes(ids[2]).isPresent());
      for (byte[] id : ids) {
        roundTrip(hsm, id);
        hsm.destroyKey(id);
      }
      assertEquals(0, hsm.workingCopyCount());
    }
  }

  @Test
  void manyThreadsOverMoreKeysThanCopies_allRoundTrip() throws Exception {
    try (Pkcs11Hsm hsm = open(3)) {
      byte[][] ids = new byte[8][];
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
      assertTrue(hsm.workingCopyCount() <= 3);
      for (byte[] id : ids) {
        hsm.destroyKey(id);
      }
    }
  }

  @Test
  void destroyingAKey_destroysItsCopy() {
    try (Pkcs11Hsm hsm = open(10)) {
      byte[] id = newKey(hsm);
      roundTrip(hsm, id);
      assertEquals(1, hsm.workingCopyCount());

      hsm.destroyKey(id);

      assertEquals(0, hsm.workingCopyCount());
      assertFalse(hsm.keyExists(id));
      HsmException e =
          assertThrows(HsmException.class, () -> hsm.encryptAesGcm(id, PLAINTEXT, AAD));
      assertEquals(HsmException.Kind.KEY_NOT_FOUND, e.kind());
    }
  }

  @Test
  void anUnmodifiableKey_cannotBeCopied_andIsUsedAsTheTokenObject() throws Exception {
    byte[] id = TestToken.createUnmodifiableAesKey(Pkcs11Hsm.LABEL_PREFIX + "unmodifiable");
    try (Pkcs11Hsm hsm = open(10)) {
      roundTrip(hsm, id);
      roundTrip(hsm, id);

      assertEquals(0, hsm.workingCopyCount());
      hsm.destroyKey(id);
    }
  }

  @Test
  void allSessionsClosed_copiesAreMadeAgain() throws Exception {
    try (Pkcs11Hsm hsm = open(10)) {
      byte[] id = newKey(hsm);
      byte[] before = hsm.encryptAesGcm(id, PLAINTEXT, AAD);

      TestToken.closeAllSessions();

      assertArrayEquals(
          PLAINTEXT,
          hsm.decryptAesGcm(
              id, Arrays.copyOf(before, 12), Arrays.copyOfRange(before, 12, before.length), AAD));
      roundTrip(hsm, id);
      assertEquals(1, hsm.workingCopyCount());
      assertTrue(hsm.workingCopyAttributes(id).isPresent());
      hsm.destroyKey(id);
    }
  }

  @Test
  void copiesAreNotCountedAsSessionObjects() {
    try (Pkcs11Hsm hsm = open(10)) {
      int before = hsm.sessionObjectCount();
      byte[] id = newKey(hsm);
      roundTrip(hsm, id);

      assertEquals(1, hsm.workingCopyCount());
      assertEquals(before, hsm.sessionObjectCount());
      hsm.destroyKey(id);
    }
  }
}
