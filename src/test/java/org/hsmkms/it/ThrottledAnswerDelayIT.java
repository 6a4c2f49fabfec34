package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hsmkms.config.Quotas;
import org.hsmkms.testing.MutableClock;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * A ThrottlingException is sent {@code quotas.throttledAnswerDelayMillis} after the refusal, on a
 * timer: a client that retries at once is slowed down, and the waiting answers hold no thread (many
 * wait at the same time, not one after the other).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThrottledAnswerDelayIT {
  private static final int DELAY_MILLIS = 400;
  private static final int CONCURRENT = 16;

  private TestServer server;
  private KmsClient client;

  @BeforeAll
  void start() {
    // ListAliases: one token, then one more every 1,000 s.
    Quotas quotas =
        Quotas.defaults()
            .withScale(0.001)
            .withRate(TestServer.ACCOUNT, "ListAliases", 0.001)
            .withThrottledAnswerDelay(DELAY_MILLIS);
    server =
        TestServer.start(TestServer.newDataDir(), new MutableClock(), c -> c.withQuotas(quotas));
    client = server.client();
    client.listAliases();
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** The time {@code call} took to be throttled, in milliseconds. */
  private long millisToThrottle() {
    long start = System.nanoTime();
    try {
      client.listAliases();
    } catch (KmsException e) {
      assertEquals("ThrottlingException", e.awsErrorDetails().errorCode());
      return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }
    throw new AssertionError("ListAliases was served past its quota");
  }

  @Test
  void aThrottledRequest_isAnsweredAfterTheDelay() {
    for (int i = 0; i < 3; i++) {
      long took = millisToThrottle();
      assertTrue(took >= DELAY_MILLIS - 5, "answered after " + took + " ms");
    }
  }

  @Test
  void throttledAnswers_waitSideBySide_notOneAfterAnother() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(CONCURRENT);
    try {
      long start = System.nanoTime();
      List<Future<Long>> answers = new ArrayList<>();
      for (int i = 0; i < CONCURRENT; i++) {
        answers.add(threads.submit(this::millisToThrottle));
      }
      for (Future<Long> a : answers) {
        assertTrue(a.get(60, TimeUnit.SECONDS) >= DELAY_MILLIS - 5);
      }
      long all = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      // One after another they would take CONCURRENT x DELAY_MILLIS = 6.4 s.
      assertTrue(all < CONCURRENT * DELAY_MILLIS / 2, CONCURRENT + " answers took " + all + " ms");
    } finally {
      threads.shutdownNow();
    }
  }
}
