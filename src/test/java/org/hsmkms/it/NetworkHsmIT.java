package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.hsmkms.config.Config;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.testing.MutableClock;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;

/**
 * The service under the network HSM model ({@link Pkcs11Hsm#LATENCY_MICROS_PROPERTY}: a delay on
 * every PKCS#11 call): requests still succeed, and concurrent requests hold sessions side by side
 * instead of queueing behind one another.
 */
class NetworkHsmIT {

  private static TestServer start(long micros, int sessions) {
    System.setProperty(Pkcs11Hsm.LATENCY_MICROS_PROPERTY, Long.toString(micros));
    try {
      return TestServer.start(
          TestServer.newDataDir(),
          new MutableClock(),
          c -> {
            Config.Hsm h = c.hsm();
            return c.withHsm(
                new Config.Hsm(
                    h.module(),
                    h.tokenLabel(),
                    h.pinEnv(),
                    h.pinFile(),
                    sessions,
                    h.sessionWaitMillis(),
                    h.workingCopies()));
          });
    } finally {
      System.clearProperty(Pkcs11Hsm.LATENCY_MICROS_PROPERTY); // read once, when the HSM opens
    }
  }

  @Test
  void underASmallDelay_theOperationsSucceed() {
    try (TestServer server = start(200, 4)) {
      KmsClient kms = server.client();
      String keyId = kms.createKey(b -> b.description("network-hsm-it")).keyMetadata().keyId();
      GenerateDataKeyResponse dk =
          kms.generateDataKey(b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256));
      assertArrayEquals(
          dk.plaintext().asByteArray(),
          kms.decrypt(b -> b.ciphertextBlob(dk.ciphertextBlob())).plaintext().asByteArray());
      assertEquals(
          64, kms.generateRandom(b -> b.numberOfBytes(64)).plaintext().asByteArray().length);
      kms.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7));
    }
  }

  @Test
  void concurrentGenerateDataKeys_holdSessionsSideBySide() throws Exception {
    int requests = 32;
    long microsPerCall = 20_000;
    try (TestServer server = start(microsPerCall, 18)) {
      KmsClient kms = server.client();
      String keyId = kms.createKey(b -> b.description("network-hsm-it")).keyMetadata().keyId();
      kms.generateDataKey(b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256)); // handle, copy

      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger mostInUse = new AtomicInteger();
      CompletableFuture<Void> sampler =
          CompletableFuture.runAsync(
              () -> {
                while (running.get()) {
                  mostInUse.accumulateAndGet(
                      server.app().hsm().status().sessionsInUse(), Math::max);
                  Thread.onSpinWait();
                }
              });
      ExecutorService clients = Executors.newFixedThreadPool(requests);
      long start = System.nanoTime();
      try {
        List<Future<GenerateDataKeyResponse>> answers = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
          answers.add(
              clients.submit(
                  () -> kms.generateDataKey(b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256))));
        }
        for (Future<GenerateDataKeyResponse> a : answers) {
          assertEquals(32, a.get(60, TimeUnit.SECONDS).plaintext().asByteArray().length);
        }
      } finally {
        running.set(false);
        clients.shutdownNow();
      }
      long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      sampler.get(5, TimeUnit.SECONDS);
      // Each GenerateDataKey makes at least two calls (C_EncryptInit, C_Encrypt) of 20 ms: one
      // after the other, 32 of them would take at least 1,280 ms.
      long serialised = requests * 2 * microsPerCall / 1000;
      assertTrue(
          mostInUse.get() >= 4, "at most " + mostInUse.get() + " sessions were in use at once");
      assertTrue(
          elapsedMillis < serialised / 2,
          requests + " requests took " + elapsedMillis + " ms; one after the other: " + serialised);
      kms.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7));
    }
  }
}
