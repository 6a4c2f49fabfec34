package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.hsmkms.config.Quotas;
import org.hsmkms.testing.MutableClock;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.GrantOperation;
import software.amazon.awssdk.services.kms.model.LimitExceededException;

/**
 * AWS's resource quotas, set small in {@code quotas}: one more key, alias, grant or tag than the
 * quota, or a larger key policy, is LimitExceededException; the quota is per account and region, or
 * per key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResourceQuotasIT {
  private static final String GRANTEE = "arn:aws:iam::111122223333:role/quota-grantee";

  private TestServer server;
  private KmsClient a;
  private String key;
  private String otherKey;

  @BeforeAll
  void start() {
    Quotas quotas = new Quotas(null, 1000.0, null, null, 3L, 2, 2, 3, 2000, null);
    server =
        TestServer.start(TestServer.newDataDir(), new MutableClock(), c -> c.withQuotas(quotas));
    a = server.client();
    key = a.createKey(r -> r.description("resource quotas")).keyMetadata().keyId();
    otherKey = a.createKey(r -> r.description("resource quotas, 2")).keyMetadata().keyId();
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void keysPerAccount_isPerAccountAndRegion_inAwsWording() {
    KmsClient b = server.otherAccountClient();
    for (int i = 0; i < 3; i++) {
      b.createKey(r -> r.description("B's"));
    }

    LimitExceededException e =
        assertThrows(LimitExceededException.class, () -> b.createKey(r -> r.description("4th")));

    assertEquals(400, e.statusCode());
    assertEquals(
        "Key quota for this account in this region is 3 but the current usage is 3.",
        e.awsErrorDetails().errorMessage());
    KmsClient bElsewhere =
        server.client(
            Region.EU_WEST_1, TestServer.OTHER_ACCESS_KEY_ID, TestServer.OTHER_SECRET_ACCESS_KEY);
    bElsewhere.createKey(r -> r.description("B's first in eu-west-1"));
  }

  @Test
  void aliasesPerKey_refuseCreateAlias_andAnUpdateAliasOntoAFullKey() {
    a.createAlias(r -> r.aliasName("alias/quota-1").targetKeyId(key));
    a.createAlias(r -> r.aliasName("alias/quota-2").targetKeyId(key));
    a.createAlias(r -> r.aliasName("alias/quota-other").targetKeyId(otherKey));

    assertThrows(
        LimitExceededException.class,
        () -> a.createAlias(r -> r.aliasName("alias/quota-3").targetKeyId(key)));
    assertThrows(
        LimitExceededException.class,
        () -> a.updateAlias(r -> r.aliasName("alias/quota-other").targetKeyId(key)));
    // Pointing an alias at the key it already names adds none.
    a.updateAlias(r -> r.aliasName("alias/quota-1").targetKeyId(key));
  }

  @Test
  void grantsPerKey_refuseTheGrantBeyondTheQuota() {
    for (int i = 0; i < 2; i++) {
      a.createGrant(r -> r.keyId(key).granteePrincipal(GRANTEE).operations(GrantOperation.DECRYPT));
    }

    assertThrows(
        LimitExceededException.class,
        () ->
            a.createGrant(
                r -> r.keyId(key).granteePrincipal(GRANTEE).operations(GrantOperation.DECRYPT)));
  }

  @Test
  void tagsPerKey_refuseTheTagBeyondTheQuota() {
    a.tagResource(
        r ->
            r.keyId(otherKey)
                .tags(
                    t -> t.tagKey("a").tagValue("1"),
                    t -> t.tagKey("b").tagValue("2"),
                    t -> t.tagKey("c").tagValue("3")));

    assertThrows(
        LimitExceededException.class,
        () -> a.tagResource(r -> r.keyId(otherKey).tags(t -> t.tagKey("d").tagValue("4"))));
  }

  @Test
  void keyPolicyBytes_refuseALargerPolicy() {
    String head = "{\"Version\":\"2012-10-17\",\"Id\":\"";
    String tail =
        "\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
            + TestServer.ACCOUNT
            + ":root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";
    int room = 2000 - head.length() - tail.getBytes(StandardCharsets.UTF_8).length;
    String exactly = head + "x".repeat(room) + tail;
    String oneOver = head + "x".repeat(room + 1) + tail;

    a.putKeyPolicy(r -> r.keyId(otherKey).policy(exactly));
    LimitExceededException e =
        assertThrows(
            LimitExceededException.class,
            () -> a.putKeyPolicy(r -> r.keyId(otherKey).policy(oneOver)));
    assertEquals("The key policy is larger than 2000 bytes.", e.awsErrorDetails().errorMessage());
  }
}
