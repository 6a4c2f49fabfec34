package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.hsmkms.auth.CredentialsAdmin;
import org.hsmkms.config.Quotas;
import org.hsmkms.testing.MutableClock;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * AWS's request quotas on a real server, through AWS SDK clients without retries: a class's bucket
 * holds one second of its rate, the request beyond it is ThrottlingException (HTTP 400, AWS's
 * message), audited and counted, and the bucket refills; accounts, access keys, classes and
 * KeyPairSpecs each have buckets of their own.
 *
 * <p>Each test spends the buckets of its own classes, so that the tests do not depend on their
 * order. A count of requests served before the first throttle allows for tokens that refill while
 * the requests are sent on a loaded machine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuotasIT {
  private static final String A = TestServer.ACCOUNT;
  private static final String AWS_MESSAGE =
      "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.";
  private static final String SECOND_KEY_ID = "AKIDSECONDKEYOFA";
  private static final String SECOND_SECRET = "second-key-of-account-a";

  private TestServer server;
  private TestServer perKeyServer;
  private KmsClient a;
  private KmsClient b;
  private String symmetricKey;
  private String rsaSigningKey;
  private String eccSigningKey;
  private String otherAccountKey;

  @BeforeAll
  void start() {
    // Every AWS default at a thousandth (CreateKey: one in 200 s), with account A's own rates.
    Quotas quotas =
        Quotas.defaults()
            .withScale(0.001)
            .withRate(A, "CreateKey", 20)
            .withRate(A, "symmetric", 5)
            .withRate(A, "DescribeKey", 3)
            .withRate(A, "rsa", 3)
            .withRate(A, "ecc", 50)
            .withRate(A, "GenerateDataKeyPair:ECC_NIST_P256", 2);
    server =
        TestServer.start(TestServer.newDataDir(), new MutableClock(), c -> c.withQuotas(quotas));
    a = server.client();
    b = server.otherAccountClient();
    symmetricKey = a.createKey(r -> r.description("quota")).keyMetadata().keyId();
    rsaSigningKey =
        a.createKey(r -> r.keySpec("RSA_2048").keyUsage("SIGN_VERIFY")).keyMetadata().keyId();
    eccSigningKey =
        a.createKey(r -> r.keySpec("ECC_NIST_P256").keyUsage("SIGN_VERIFY")).keyMetadata().keyId();
    otherAccountKey = b.createKey(r -> r.description("quota, B")).keyMetadata().keyId();
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
    if (perKeyServer != null) {
      perKeyServer.close();
    }
  }

  /** Sends {@code call} until it is throttled; the number served before. */
  private static int servedUntilThrottled(Runnable call) {
    for (int served = 0; served < 200; served++) {
      try {
        call.run();
      } catch (KmsException e) {
        if ("ThrottlingException".equals(e.awsErrorDetails().errorCode())) {
          assertThrottlingAsAws(e);
          return served;
        }
        throw e;
      }
    }
    return fail("200 requests served without a ThrottlingException");
  }

  private static void assertThrottlingAsAws(KmsException e) {
    assertEquals(400, e.statusCode());
    assertEquals("ThrottlingException", e.awsErrorDetails().errorCode());
    assertEquals(AWS_MESSAGE, e.awsErrorDetails().errorMessage());
  }

  /**
   * At least the burst ({@code rate} requests), and not many more: the bucket refills while the
   * requests are sent, by more the slower a loaded machine sends them.
   */
  private static void assertAboutTheBurst(int rate, int actual, String what) {
    int high = 3 * rate + 2;
    assertTrue(
        actual >= rate && actual <= high, what + ": " + actual + " not in " + rate + ".." + high);
  }

  @Test
  void theSymmetricClass_servesItsBurst_thenThrottles_audited_counted_andRefills()
      throws Exception {
    String scrapeBefore = metrics();

    int served =
        servedUntilThrottled(
            () -> a.generateDataKey(r -> r.keyId(symmetricKey).keySpec("AES_256")));

    // 5 a second holds 5; a token more refills every 200 ms while the requests are sent.
    assertAboutTheBurst(5, served, "GenerateDataKey served before the throttle");
    List<String> throttled =
        server.auditLines().stream()
            .filter(l -> l.contains("\"errorCode\":\"ThrottlingException\""))
            .filter(l -> l.contains("\"operation\":\"GenerateDataKey\""))
            .toList();
    assertEquals(1, throttled.size(), "one audit record of the throttled request");
    assertTrue(throttled.get(0).contains("\"account\":\"" + A + "\""), throttled.get(0));
    double before =
        HealthAndMetricsIT.sample(
            scrapeBefore, "hsmkms_requests_throttled_total", "quota_class=\"symmetric\"");
    double after =
        HealthAndMetricsIT.sample(
            metrics(), "hsmkms_requests_throttled_total", "quota_class=\"symmetric\"");
    assertEquals(1.0, after - before);

    Thread.sleep(1200);
    a.generateDataKey(r -> r.keyId(symmetricKey).keySpec("AES_256"));
  }

  @Test
  void anAccountAtItsQuota_doesNotThrottleAnotherAccount() {
    int served = servedUntilThrottled(() -> a.describeKey(r -> r.keyId(symmetricKey)));
    assertAboutTheBurst(3, served, "A's DescribeKey served");

    // B's DescribeKey: 2,000 a second at scale 0.001, its own bucket.
    b.describeKey(r -> r.keyId(otherAccountKey));
    b.describeKey(r -> r.keyId(otherAccountKey));
  }

  @Test
  void rsaAtItsQuota_leavesEccAndGetPublicKeyServed() {
    SdkBytes message = SdkBytes.fromString("quota", StandardCharsets.UTF_8);
    int served =
        servedUntilThrottled(
            () ->
                a.sign(
                    r ->
                        r.keyId(rsaSigningKey)
                            .message(message)
                            .signingAlgorithm("RSASSA_PSS_SHA_256")));
    assertAboutTheBurst(3, served, "RSA Sign served");

    a.sign(r -> r.keyId(eccSigningKey).message(message).signingAlgorithm("ECDSA_SHA_256"));
    a.getPublicKey(r -> r.keyId(eccSigningKey));
  }

  @Test
  void dataKeyPairs_haveABucketPerKeyPairSpec_atTheScaledAwsRateOrTheOverride() {
    int p256 =
        servedUntilThrottled(
            () ->
                a.generateDataKeyPairWithoutPlaintext(
                    r -> r.keyId(symmetricKey).keyPairSpec("ECC_NIST_P256")));
    assertAboutTheBurst(2, p256, "ECC_NIST_P256 pairs (override 2 a second)");

    // ECC_NIST_P384: AWS's 100 a second at scale 0.001, one token, one in 10 seconds.
    int p384 =
        servedUntilThrottled(
            () -> a.generateDataKeyPair(r -> r.keyId(symmetricKey).keyPairSpec("ECC_NIST_P384")));
    assertEquals(1, p384, "ECC_NIST_P384 pairs");
  }

  @Test
  void perAccessKey_givesEachKeyAShare_soOneKeyCannotSpendItsAccount() throws Exception {
    Path dir = TestServer.newDataDir();
    Files.createDirectories(dir);
    Path credentials = dir.resolve("server-credentials");
    TestServer.writeCredentials(credentials);
    TestServer.withHsm(
        hsm ->
            new CredentialsAdmin(credentials, hsm.serviceKeys(), hsm.random())
                .put(
                    SECOND_KEY_ID,
                    A,
                    "arn:aws:iam::" + A + ":user/second",
                    SECOND_SECRET.getBytes(StandardCharsets.UTF_8),
                    CredentialsAdmin.ADMIN_POLICY));
    Quotas quotas =
        new Quotas(null, null, 0.5, null, null, null, null, null, null, null)
            .withRate(A, "symmetric", 10);
    perKeyServer = TestServer.start(dir, new MutableClock(), c -> c.withQuotas(quotas));
    KmsClient first = perKeyServer.client();
    KmsClient second = perKeyServer.client(Region.US_EAST_1, SECOND_KEY_ID, SECOND_SECRET);

    int served = servedUntilThrottled(() -> first.generateRandom(r -> r.numberOfBytes(16)));

    assertAboutTheBurst(5, served, "the first key's half of 10 a second");
    second.generateRandom(r -> r.numberOfBytes(16));
  }

  private String metrics() {
    return HealthAndMetricsIT.get(server.app().managementPort(), "/metrics").body();
  }
}
