package org.hsmkms.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The records of refused requests wait for the audit pool in a bounded queue. With a slow trail
 * (injected) the queue fills; then a trail that fails closed answers ThrottlingException and serves
 * nothing, and one that fails open drops the record; both count the drop.
 */
class AuditQueueTest {
  private static final int CAPACITY = 2;

  @Test
  void fullQueue_failClosed_answersThrottling_andServesNothing() throws Exception {
    AtomicBoolean served = new AtomicBoolean();
    try (LinkServer s = new LinkServer()) {
      s.trail.failClosed = true;
      List<CompletableFuture<HttpResponse<String>>> waiting = fill(s, served);

      HttpResponse<String> refused = s.post("TrentService.ListKeys", "{}");

      LinkServer.assertAwsError(refused, 400, "ThrottlingException");
      assertFalse(served.get(), "the operation did not run");
      s.trail.slow.countDown();
      for (CompletableFuture<HttpResponse<String>> w : waiting) {
        LinkServer.assertAwsError(w.get(), 400, "UnknownOperationException");
      }
      assertEquals(1.0, sample(s, "hsmkms_audit_dropped_total"));
      assertEquals(1.0, sample(s, "hsmkms_audit_queue_full_refusals_total"));
      s.drainAuditPool();
      assertEquals(CAPACITY, s.trail.written.size(), "the queued records were written");
    }
  }

  @Test
  void fullQueue_failOpen_answersTheRequestsOwnError_andDropsAndCountsItsRecord() throws Exception {
    AtomicBoolean served = new AtomicBoolean();
    try (LinkServer s = new LinkServer()) {
      s.trail.failClosed = false;
      List<CompletableFuture<HttpResponse<String>>> waiting = fill(s, served);

      HttpResponse<String> dropped = s.post("TrentService.Nonsense", "{}");

      LinkServer.assertAwsError(dropped, 400, "UnknownOperationException");
      s.trail.slow.countDown();
      for (CompletableFuture<HttpResponse<String>> w : waiting) {
        w.get();
      }
      s.drainAuditPool();
      assertEquals(CAPACITY, s.trail.written.size(), "the dropped record is not written");
      assertEquals(1.0, sample(s, "hsmkms_audit_dropped_total"));
      assertEquals(0.0, sample(s, "hsmkms_audit_queue_full_refusals_total"));
    }
  }

  /**
   * Starts a server whose refused requests (an unknown target) wait on a slow trail, and sends as
   * many as the queue holds; returns when they wait.
   */
  private static List<CompletableFuture<HttpResponse<String>>> fill(
      LinkServer s, AtomicBoolean served) throws InterruptedException {
    s.trail.slow = new CountDownLatch(1);
    s.load = new AuditLoad(s.trail, s.metrics.auditMeters(), 0, 16, CAPACITY);
    s.start(
        r ->
            r.post("/")
                .handler(
                    ctx -> {
                      if ("TrentService.ListKeys".equals(ctx.request().getHeader("X-Amz-Target"))) {
                        ctx.next();
                      } else {
                        ctx.fail(
                            new org.hsmkms.kms.KmsException(
                                org.hsmkms.kms.ErrorCode.UNKNOWN_OPERATION, null));
                      }
                    })
                .handler(new AuditGateHandler(s.trail, s.load))
                .handler(
                    ctx -> {
                      served.set(true);
                      LinkServer.ok(ctx);
                    }));
    List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
    for (int i = 0; i < CAPACITY; i++) {
      waiting.add(CompletableFuture.supplyAsync(() -> s.post("TrentService.Nonsense", "{}")));
    }
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (s.load.depth() < CAPACITY && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertTrue(s.load.full(), "the queue filled");
    return waiting;
  }

  private static double sample(LinkServer s, String name) {
    for (String line : s.metrics.scrape().split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    throw new AssertionError(name + " not in the scrape");
  }
}
