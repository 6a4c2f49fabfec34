package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.hsmkms.auth.CredentialsAdmin;
import org.hsmkms.testing.TestServer;
import org.hsmkms.testing.TestServer.RawResponse;
import org.hsmkms.testing.TestServer.Signing;
import org.junit.jupiter.api.Test;

/**
 * The credentials file fails closed: while it is damaged or missing no access key is accepted and
 * the node is not ready (the {@code credentials} check); a key removed just before the damage is
 * refused within seconds; a good file again brings back readiness and the keys it holds.
 */
class CredentialsFailClosedIT {
  private static final String RANDOM = "TrentService.GenerateRandom";
  private static final String RANDOM_BODY = "{\"NumberOfBytes\":16}";
  private static final Signing OTHER =
      new Signing().key(TestServer.OTHER_ACCESS_KEY_ID, TestServer.OTHER_SECRET_ACCESS_KEY);

  @Test
  void removedKey_isRefusedWithinSeconds_whenTheFileIsDamagedRightAfter_andReadyAgainOnceFixed()
      throws Exception {
    try (TestServer own = TestServer.start(TestServer.newDataDir())) {
      Path file = own.credentialsFile();
      assertEquals(200, own.post(RANDOM, RANDOM_BODY, OTHER).status());

      TestServer.withHsm(
          hsm ->
              new CredentialsAdmin(file, hsm.serviceKeys(), hsm.random())
                  .remove(TestServer.OTHER_ACCESS_KEY_ID));
      String good = Files.readString(file, StandardCharsets.UTF_8);
      Files.writeString(file, "this is not a credentials file\n", StandardCharsets.UTF_8);

      awaitTrue(() -> refused(own, OTHER), "the removed key is refused");
      awaitTrue(() -> notReadyFor(own, "credentials"), "not ready, naming the credentials");
      assertEquals(
          "UnrecognizedClientException",
          type(own.post(RANDOM, RANDOM_BODY)),
          "no key at all is accepted while the file is damaged");

      Files.writeString(file, good, StandardCharsets.UTF_8);

      awaitTrue(() -> own.post(RANDOM, RANDOM_BODY).status() == 200, "the kept key is back");
      awaitTrue(() -> ready(own), "ready again");
      assertEquals("UnrecognizedClientException", type(own.post(RANDOM, RANDOM_BODY, OTHER)));
    }
  }

  @Test
  void missingFile_refusesEveryKey_andMakesTheNodeNotReady_untilItIsBack() throws Exception {
    try (TestServer own = TestServer.start(TestServer.newDataDir())) {
      Path file = own.credentialsFile();
      Path aside = file.resolveSibling("credentials-aside");
      assertEquals(200, own.post(RANDOM, RANDOM_BODY).status());

      Files.move(file, aside);

      awaitTrue(() -> refused(own, new Signing()), "every key is refused");
      awaitTrue(() -> notReadyFor(own, "credentials"), "not ready, naming the credentials");

      Files.move(aside, file);

      awaitTrue(() -> own.post(RANDOM, RANDOM_BODY).status() == 200, "keys accepted again");
      awaitTrue(() -> ready(own), "ready again");
      assertEquals(200, own.post(RANDOM, RANDOM_BODY, OTHER).status());
    }
  }

  private static boolean refused(TestServer server, Signing signing) {
    return "UnrecognizedClientException".equals(type(server.post(RANDOM, RANDOM_BODY, signing)));
  }

  private static boolean ready(TestServer server) {
    return HealthAndMetricsIT.get(server.app().managementPort(), "/health/ready").status() == 200;
  }

  private static boolean notReadyFor(TestServer server, String check) {
    HealthAndMetricsIT.Answer a =
        HealthAndMetricsIT.get(server.app().managementPort(), "/health/ready");
    return a.status() == 503 && a.body().contains("\"failing\":\"" + check + "\"");
  }

  private static String type(RawResponse r) {
    int at = r.body().indexOf("\"__type\":\"");
    if (at < 0) {
      return null;
    }
    int start = at + "\"__type\":\"".length();
    return r.body().substring(start, r.body().indexOf('"', start));
  }

  /** Waits (generously: the file is checked every second) for {@code condition}. */
  private static void awaitTrue(BooleanSupplier condition, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 20 s: " + what);
      }
      Thread.sleep(100);
    }
  }
}
