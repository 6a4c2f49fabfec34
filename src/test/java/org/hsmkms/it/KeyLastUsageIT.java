package org.hsmkms.it;

import static org.hsmkms.it.KmsTesting.keyArn;
import static org.hsmkms.it.KmsTesting.newKey;
import static org.hsmkms.it.KmsTesting.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.hsmkms.config.Config;
import org.hsmkms.kms.KeyUsageTracker;
import org.hsmkms.testing.MutableClock;
import org.hsmkms.testing.TestServer;
import org.hsmkms.testing.TestServer.RawResponse;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.EncryptResponse;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.KeyMetadata;

/**
 * GetKeyLastUsage through a real server. The SDK of this build (2.39) predates the operation, so it
 * is sent as a SigV4-signed JSON 1.1 request (signed by the SDK's own signer); the operations that
 * use keys go through the SDK client.
 */
class KeyLastUsageIT {
  private static final SdkBytes PLAINTEXT = SdkBytes.fromUtf8String("last usage");

  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();

  @Test
  void newKey_hasNoLastUsage_andTrackingStartsAtItsCreation() {
    String keyId = newKey(kms);
    KeyMetadata md = kms.describeKey(b -> b.keyId(keyId)).keyMetadata();

    JsonNode answer = lastUsage(server, keyId);

    assertEquals(keyId, answer.get("KeyId").asText());
    assertFalse(answer.has("KeyLastUsage"), answer.toString());
    assertEquals(md.creationDate(), instant(answer.get("KeyCreationDate")));
    assertEquals(md.creationDate(), instant(answer.get("TrackingStartDate")));
  }

  @Test
  void afterEncrypt_lastUsageNamesEncrypt_itsRequestIdAndTime() {
    String keyId = newKey(kms);
    // The answer's times have millisecond precision, as AWS's.
    Instant before = server.clock().instant().truncatedTo(ChronoUnit.MILLIS);

    EncryptResponse encrypted = kms.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT));
    Instant after = server.clock().instant();

    JsonNode usage = lastUsage(server, keyId).get("KeyLastUsage");
    assertNotNull(usage);
    assertEquals("Encrypt", usage.get("Operation").asText());
    assertEquals(encrypted.responseMetadata().requestId(), usage.get("KmsRequestId").asText());
    Instant at = instant(usage.get("Timestamp"));
    assertFalse(at.isBefore(before), at + " before " + before);
    assertFalse(at.isAfter(after), at + " after " + after);
    assertFalse(usage.has("CloudTrailEventId"), usage.toString());
  }

  @Test
  void byKeyArn_answersTheSameKey() {
    String keyId = newKey(kms);
    kms.generateDataKey(b -> b.keyId(keyId).numberOfBytes(32));

    JsonNode answer = lastUsage(server, keyArn(keyId));

    assertEquals(keyId, answer.get("KeyId").asText());
    assertEquals("GenerateDataKey", answer.get("KeyLastUsage").get("Operation").asText());
  }

  @Test
  void reEncrypt_isTheLastUsageOfBothItsKeys() {
    String source = newKey(kms);
    String destination = newKey(kms);
    SdkBytes blob = kms.encrypt(b -> b.keyId(source).plaintext(PLAINTEXT)).ciphertextBlob();

    kms.reEncrypt(b -> b.ciphertextBlob(blob).destinationKeyId(destination));

    assertEquals("ReEncrypt", lastOperation(server, source));
    assertEquals("ReEncrypt", lastOperation(server, destination));
  }

  @Test
  void failedAndNonCryptographicOperations_areNoUsage() {
    String keyId = newKey(kms);
    kms.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT));
    SdkBytes garbage = SdkBytes.fromByteArray(new byte[64]);

    assertThrows(
        InvalidCiphertextException.class,
        () -> kms.decrypt(b -> b.keyId(keyId).ciphertextBlob(garbage)));
    kms.describeKey(b -> b.keyId(keyId));
    kms.disableKey(b -> b.keyId(keyId));
    assertThrows(
        DisabledException.class, () -> kms.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)));

    assertEquals("Encrypt", lastOperation(server, keyId));
  }

  @Test
  void aliasName_isNotAKeyIdHere_andUnknownKeyIsNotFound() {
    String missing = "00000000-0000-4000-8000-000000000000";

    RawResponse unknown = getKeyLastUsage(server, missing);
    RawResponse alias = getKeyLastUsage(server, "alias/aws/ebs");

    assertEquals(400, unknown.status());
    assertEquals("NotFoundException", parse(unknown.body()).get("__type").asText());
    assertEquals(
        "Key '" + keyArn(missing) + "' does not exist",
        parse(unknown.body()).get("message").asText());
    assertEquals(400, alias.status());
    assertEquals("NotFoundException", parse(alias.body()).get("__type").asText());
  }

  @Test
  void manyUses_areNoStoreWrite_andOneFlushWritesOneRowPerKey() {
    try (TestServer own = TestServer.start(TestServer.newDataDir())) {
      KmsClient client = own.client();
      String keyId = newKey(client);
      KeyUsageTracker tracker = own.app().keyUsage();
      long flushes = tracker.flushCount();

      for (int i = 0; i < 20; i++) {
        client.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT));
      }

      // The default interval is a minute: nothing was written by the 20 requests.
      assertEquals(flushes, tracker.flushCount());
      assertTrue(own.app().store().findKeyUsage(keyId).isEmpty());
      assertEquals("Encrypt", lastOperation(own, keyId));
      assertEquals(1, tracker.flush());
      assertEquals("Encrypt", own.app().store().findKeyUsage(keyId).orElseThrow().operation());
    }
  }

  @Test
  void lastUsage_survivesARestart_byTheFlushAtClose() {
    Path dir = TestServer.newDataDir();
    MutableClock clock = new MutableClock();
    String keyId;
    String requestId;
    try (TestServer first = TestServer.start(dir, clock)) {
      keyId = newKey(first.client());
      requestId =
          first
              .client()
              .encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT))
              .responseMetadata()
              .requestId();
      assertTrue(first.app().store().findKeyUsage(keyId).isEmpty());
    }

    try (TestServer second = TestServer.start(dir, clock)) {
      JsonNode usage = lastUsage(second, keyId).get("KeyLastUsage");

      assertEquals("Encrypt", usage.get("Operation").asText());
      assertEquals(requestId, usage.get("KmsRequestId").asText());
    }
  }

  @Test
  void periodicFlush_writesTheUsage_withoutAnyoneAsking() throws InterruptedException {
    try (TestServer own =
        TestServer.start(
            TestServer.newDataDir(),
            new MutableClock(),
            c -> c.withKeyUsage(new Config.KeyUsage(1L)))) {
      KmsClient client = own.client();
      String keyId = newKey(client);
      long flushes = own.app().keyUsage().flushCount();

      client.sign(
          b -> b.keyId(newSigningKey(client)).message(PLAINTEXT).signingAlgorithm("ECDSA_SHA_256"));
      client.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT));

      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (own.app().store().findKeyUsage(keyId).isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertEquals("Encrypt", own.app().store().findKeyUsage(keyId).orElseThrow().operation());
      assertTrue(own.app().keyUsage().flushCount() > flushes);
    }
  }

  @Test
  void keyMadeBeforeTrackingBegan_reportsTheStartOfTracking() throws Exception {
    Path dir = TestServer.newDataDir();
    MutableClock clock = new MutableClock();
    String keyId;
    try (TestServer first = TestServer.start(dir, clock)) {
      keyId = newKey(first.client());
    }
    // As if the key had been made by a build before schema version 6: tracking begins later.
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("metadata.db"));
        Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM key_usage_tracking");
    }
    clock.advance(Duration.ofDays(3));

    try (TestServer second = TestServer.start(dir, clock)) {
      JsonNode answer = lastUsage(second, keyId);

      Instant created = instant(answer.get("KeyCreationDate"));
      assertEquals(created.plus(Duration.ofDays(3)), instant(answer.get("TrackingStartDate")));
      assertFalse(answer.has("KeyLastUsage"));
    }
  }

  @Test
  void multiRegionKey_eachRegionHasItsOwnLastUsage_andTheAnswerNamesTheMrkId() {
    Region replicaRegion = Region.EU_WEST_3;
    String keyId = kms.createKey(b -> b.multiRegion(true)).keyMetadata().keyId();
    kms.replicateKey(b -> b.keyId(keyId).replicaRegion(replicaRegion.id()));

    kms.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT));

    JsonNode here = lastUsage(server, keyId);
    assertEquals(keyId, here.get("KeyId").asText());
    assertEquals("Encrypt", here.get("KeyLastUsage").get("Operation").asText());
    RawResponse there =
        server.post(
            "TrentService.GetKeyLastUsage",
            KmsTesting.JSON.createObjectNode().put("KeyId", keyId).toString(),
            replicaRegion);
    assertEquals(200, there.status(), there.body());
    assertEquals(keyId, parse(there.body()).get("KeyId").asText());
    assertFalse(parse(there.body()).has("KeyLastUsage"), there.body());
  }

  // --- helpers -----------------------------------------------------------------------------------

  private static String newSigningKey(KmsClient client) {
    return client
        .createKey(b -> b.keySpec("ECC_NIST_P256").keyUsage("SIGN_VERIFY"))
        .keyMetadata()
        .keyId();
  }

  static RawResponse getKeyLastUsage(TestServer server, String keyId) {
    return server.post(
        "TrentService.GetKeyLastUsage",
        KmsTesting.JSON.createObjectNode().put("KeyId", keyId).toString());
  }

  private static JsonNode lastUsage(TestServer server, String keyId) {
    RawResponse r = getKeyLastUsage(server, keyId);
    assertEquals(200, r.status(), r.body());
    return parse(r.body());
  }

  private static String lastOperation(TestServer server, String keyId) {
    JsonNode usage = lastUsage(server, keyId).get("KeyLastUsage");
    assertNotNull(usage, "no KeyLastUsage for " + keyId);
    return usage.get("Operation").asText();
  }

  /** An AWS JSON timestamp (epoch seconds with a fraction) as an Instant. */
  private static Instant instant(JsonNode seconds) {
    return Instant.ofEpochMilli(seconds.decimalValue().movePointRight(3).longValueExact());
  }
}
