package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hsmkms.config.Audit;
import org.hsmkms.testing.MutableClock;
import org.hsmkms.testing.Prerequisites;
import org.hsmkms.testing.TestServer;
import org.hsmkms.testing.TestServer.RawResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.CreateKeyResponse;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.EncryptResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KmsInternalException;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.kms.model.ReEncryptResponse;

/**
 * The audit trail: exactly one JSON line per request, served or refused, written before the answer,
 * with who, what, which keys, which encryption-context keys and how it ended; never plaintext,
 * ciphertext or context values. If the line cannot be written the request fails (fail closed).
 */
class AuditIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();

  @Test
  void encrypt_isRecordedFieldByField() {
    KeyMetadata key = kms.createKey(b -> {}).keyMetadata();
    Instant before = Instant.now().minusMillis(5);
    SdkBytes plaintext = SdkBytes.fromUtf8String("audit-plaintext-must-not-appear");
    long sent = System.nanoTime();

    EncryptResponse r =
        kms.encrypt(
            b ->
                b.keyId(key.keyId())
                    .plaintext(plaintext)
                    .encryptionContext(
                        Map.of("purpose", "ctx-value-must-not-appear", "department", "x7")));
    long wallMs = millisSince(sent);

    String line = line(r.responseMetadata().requestId());
    JsonNode a = parse(line);
    assertEquals(2, a.get("version").asInt());
    Instant time = Instant.parse(a.get("time").asText());
    assertFalse(time.isBefore(before), time + " before " + before);
    assertFalse(time.isAfter(Instant.now()));
    assertEquals(r.responseMetadata().requestId(), a.get("requestId").asText());
    assertEquals("Encrypt", a.get("operation").asText());
    assertEquals(TestServer.PRINCIPAL, a.get("principal").asText());
    assertEquals(TestServer.ACCOUNT, a.get("account").asText());
    assertEquals(TestServer.ACCESS_KEY_ID, a.get("accessKeyId").asText());
    assertEquals("us-east-1", a.get("region").asText());
    assertEquals("127.0.0.1", a.get("sourceAddress").asText());
    assertEquals(List.of(key.arn()), strings(a.get("keyArns")));
    assertEquals(List.of("department", "purpose"), strings(a.get("encryptionContextKeys")));
    assertEquals("success", a.get("outcome").asText());
    assertTrue(a.get("errorCode").isNull());
    assertEquals(200, a.get("httpStatus").asInt());
    long latencyMs = a.get("latencyMs").asLong();
    assertTrue(
        latencyMs >= 0 && latencyMs <= wallMs,
        "latency " + latencyMs + " ms within the " + wallMs + " ms the call took");
    assertFalse(line.contains("ctx-value-must-not-appear"));
    assertFalse(line.contains("x7"));
    assertFalse(line.contains(Base64.getEncoder().encodeToString(plaintext.asByteArray())));
    assertFalse(
        line.contains(Base64.getEncoder().encodeToString(r.ciphertextBlob().asByteArray())));
  }

  /**
   * The test holds the metadata database's write lock (as another process could), so CreateKey
   * cannot finish before the test lets go: its latency spans at least from the record's time to
   * that moment, and at most the time the call took.
   */
  @Test
  void latency_coversTheTimeTheRequestWaitedForTheStore() throws Exception {
    Duration held = Duration.ofMillis(500);
    Instant released;
    long sent;
    CompletableFuture<CreateKeyResponse> call;
    try (Connection other = DriverManager.getConnection(server.config().store().url());
        Statement lock = other.createStatement()) {
      lock.execute("BEGIN IMMEDIATE");
      sent = System.nanoTime();
      call = CompletableFuture.supplyAsync(() -> kms.createKey(b -> {}));
      Thread.sleep(held.toMillis());
      assertFalse(call.isDone(), "CreateKey waits while the store is locked");
      released = Instant.now();
      lock.execute("COMMIT");
    }
    CreateKeyResponse r = call.get(30, TimeUnit.SECONDS);
    long wallMs = millisSince(sent);

    JsonNode a = parse(line(r.responseMetadata().requestId()));
    Instant time = Instant.parse(a.get("time").asText());
    assertTrue(time.isBefore(released), "the request arrived while the store was locked: " + a);
    // "time" is the start truncated to the millisecond, latencyMs is rounded down: 2 ms of slack.
    long atLeast = Duration.between(time, released).toMillis() - 2;
    long latencyMs = a.get("latencyMs").asLong();
    assertTrue(
        latencyMs >= atLeast && latencyMs <= wallMs,
        "latency " + latencyMs + " ms, expected " + atLeast + ".." + wallMs + " ms");
  }

  @Test
  void generateDataKey_recordsTheKey_andNeitherThePlaintextNorTheBlob() {
    KeyMetadata key = kms.createKey(b -> {}).keyMetadata();

    GenerateDataKeyResponse r =
        kms.generateDataKey(
            b ->
                b.keyId(key.arn())
                    .keySpec(DataKeySpec.AES_256)
                    .encryptionContext(Map.of("tenant", "t-42")));

    String line = line(r.responseMetadata().requestId());
    JsonNode a = parse(line);
    assertEquals("GenerateDataKey", a.get("operation").asText());
    assertEquals(List.of(key.arn()), strings(a.get("keyArns")));
    assertEquals(List.of("tenant"), strings(a.get("encryptionContextKeys")));
    assertFalse(line.contains(Base64.getEncoder().encodeToString(r.plaintext().asByteArray())));
    assertFalse(
        line.contains(Base64.getEncoder().encodeToString(r.ciphertextBlob().asByteArray())));
  }

  @Test
  void reEncrypt_recordsBothKeys_andTheKeysOfBothContexts() {
    KeyMetadata from = kms.createKey(b -> {}).keyMetadata();
    KeyMetadata to = kms.createKey(b -> {}).keyMetadata();
    SdkBytes blob =
        kms.encrypt(
                b ->
                    b.keyId(from.keyId())
                        .plaintext(SdkBytes.fromUtf8String("re-encrypt me"))
                        .encryptionContext(Map.of("src", "1")))
            .ciphertextBlob();

    ReEncryptResponse r =
        kms.reEncrypt(
            b ->
                b.ciphertextBlob(blob)
                    .sourceEncryptionContext(Map.of("src", "1"))
                    .destinationKeyId(to.keyId())
                    .destinationEncryptionContext(Map.of("dst", "2")));

    JsonNode a = parse(line(r.responseMetadata().requestId()));
    assertEquals(List.of(to.arn(), from.arn()), strings(a.get("keyArns")));
    assertEquals(List.of("dst", "src"), strings(a.get("encryptionContextKeys")));
  }

  @Test
  void createKey_recordsTheNewKeysArn() {
    var r = kms.createKey(b -> {});

    JsonNode a = parse(line(r.responseMetadata().requestId()));
    assertEquals(List.of(r.keyMetadata().arn()), strings(a.get("keyArns")));
  }

  @Test
  void failedRequest_isRecordedWithItsErrorCode() {
    NotFoundException e =
        assertThrows(
            NotFoundException.class,
            () -> kms.describeKey(b -> b.keyId("11111111-2222-3333-4444-555555555555")));

    JsonNode a = parse(line(e.requestId()));
    assertEquals("DescribeKey", a.get("operation").asText());
    assertEquals(TestServer.PRINCIPAL, a.get("principal").asText());
    assertEquals("failure", a.get("outcome").asText());
    assertEquals("NotFoundException", a.get("errorCode").asText());
    assertEquals(400, a.get("httpStatus").asInt());
    assertEquals(List.of(), strings(a.get("keyArns")));
  }

  @Test
  void unsignedRequest_isRecordedWithoutAPrincipal() {
    RawResponse r = server.postUnsigned("TrentService.ListKeys", "{}");

    JsonNode a = parse(line(r.requestId()));
    assertEquals("ListKeys", a.get("operation").asText());
    assertTrue(a.get("principal").isNull());
    assertTrue(a.get("account").isNull());
    assertTrue(a.get("accessKeyId").isNull());
    assertTrue(a.get("region").isNull());
    assertEquals("127.0.0.1", a.get("sourceAddress").asText());
    assertEquals("failure", a.get("outcome").asText());
    assertEquals("MissingAuthenticationTokenException", a.get("errorCode").asText());
    assertEquals(400, a.get("httpStatus").asInt());
  }

  @Test
  void requestWithAWrongSignature_isRecordedWithoutThePrincipalItClaimed() {
    RawResponse r =
        server.post(
            "TrentService.ListKeys",
            "{}",
            new TestServer.Signing().key(TestServer.ACCESS_KEY_ID, "wrong-secret-for-audit"));

    JsonNode a = parse(line(r.requestId()));
    assertEquals("InvalidSignatureException", a.get("errorCode").asText());
    assertTrue(a.get("principal").isNull());
    assertFalse(line(r.requestId()).contains("wrong-secret-for-audit"));
  }

  @Test
  void unknownOperation_isRecordedWithoutAnOperationName() {
    RawResponse r = server.post("TrentService.NoSuchThing", "{}");

    JsonNode a = parse(line(r.requestId()));
    assertTrue(a.get("operation").isNull());
    assertEquals(TestServer.PRINCIPAL, a.get("principal").asText());
    assertEquals("UnknownOperationException", a.get("errorCode").asText());
  }

  @Test
  void oversizedBody_isRecordedWithItsStatus() {
    RawResponse r =
        server.post("TrentService.Encrypt", "{\"KeyId\":\"" + "x".repeat(70_000) + "\"}");

    assertEquals(413, r.status(), r.body());
    JsonNode a = parse(line(r.requestId()));
    assertEquals("Encrypt", a.get("operation").asText());
    assertEquals("RequestEntityTooLargeException", a.get("errorCode").asText());
    assertEquals(413, a.get("httpStatus").asInt());
  }

  @Test
  void everyRequest_hasExactlyOneRecord_writtenBeforeItsAnswer() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(server.post("TrentService.GenerateRandom", "{\"NumberOfBytes\":8}").requestId());
      ids.add(server.postUnsigned("TrentService.GenerateRandom", "{}").requestId());
    }

    List<String> lines = server.auditLines();
    for (String id : ids) {
      assertEquals(
          1, lines.stream().filter(l -> l.contains("\"requestId\":\"" + id + "\"")).count(), id);
    }
  }

  /**
   * With fsync, answers wait for their records' forces without holding the workers: requests in
   * flight together all succeed, each answer's request id is in the trail exactly once, and each
   * answer carries a data key that decrypts.
   */
  @Test
  void withFsync_concurrentRequests_areAnsweredAfterTheirRecords() throws Exception {
    try (TestServer own =
        TestServer.start(
            TestServer.newDataDir(),
            new MutableClock(),
            c -> c.withAudit(c.audit().withFsync(true)))) {
      KmsClient kms = own.client();
      String keyId = kms.createKey(b -> {}).keyMetadata().keyId();
      int requests = 48;
      List<CompletableFuture<GenerateDataKeyResponse>> answers = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        answers.add(
            CompletableFuture.supplyAsync(
                () -> kms.generateDataKey(b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256))));
      }
      List<String> ids = new ArrayList<>();
      for (CompletableFuture<GenerateDataKeyResponse> a : answers) {
        GenerateDataKeyResponse r = a.get(60, TimeUnit.SECONDS);
        ids.add(r.responseMetadata().requestId());
        assertEquals(
            r.plaintext(),
            kms.decrypt(b -> b.ciphertextBlob(r.ciphertextBlob())).plaintext(),
            "the data key decrypts");
      }

      List<String> recorded = new ArrayList<>();
      for (String line : own.auditLines()) {
        JsonNode n = JSON.readTree(line);
        if ("GenerateDataKey".equals(n.path("operation").asText())) {
          recorded.add(n.get("requestId").asText());
        }
      }
      assertEquals(requests, recorded.size());
      assertEquals(ids.stream().sorted().toList(), recorded.stream().sorted().toList());
    }
  }

  /** With fsync too, where the answer is sent by the thread that writes the record. */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void auditThatCannotBeWritten_failsTheRequest_andNothingIsDone(boolean fsync) {
    Prerequisites.require(Files.isWritable(Path.of("/dev/full")), Prerequisites.DEV_FULL);
    try (TestServer own =
        TestServer.start(
            TestServer.newDataDir(),
            new MutableClock(),
            c -> c.withAudit(new Audit(true, "/dev/full", null, null, fsync, true)))) {
      KmsClient client = own.client();

      assertThrows(
          KmsInternalException.class, () -> client.generateRandom(b -> b.numberOfBytes(32)));
      assertThrows(KmsInternalException.class, () -> client.createKey(b -> {}));

      assertEquals(
          List.of(),
          own.app().store().listKeys(TestServer.ACCOUNT, "us-east-1", null, 10),
          "no key was created while the audit trail could not be written");
    }
  }

  @Test
  void auditThatCannotBeWritten_withFailOpen_servesTheRequest() {
    Prerequisites.require(Files.isWritable(Path.of("/dev/full")), Prerequisites.DEV_FULL);
    try (TestServer own =
        TestServer.start(
            TestServer.newDataDir(),
            new MutableClock(),
            c -> c.withAudit(new Audit(true, "/dev/full", null, null, null, false)))) {
      assertEquals(
          32,
          own.client().generateRandom(b -> b.numberOfBytes(32)).plaintext().asByteArray().length);
    }
  }

  @Test
  void auditSwitchedOff_servesRequests_andWritesNoTrail() {
    try (TestServer own =
        TestServer.start(
            TestServer.newDataDir(),
            new MutableClock(),
            c -> c.withAudit(new Audit(false, null, null, null, null, null)))) {
      own.client().generateRandom(b -> b.numberOfBytes(8));

      assertFalse(Files.exists(own.dataDir().resolve("audit.log")));
    }
  }

  private String line(String requestId) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    do {
      for (String l : server.auditLines()) {
        if (l.contains("\"requestId\":\"" + requestId + "\"")) {
          return l;
        }
      }
    } while (System.nanoTime() < deadline);
    throw new AssertionError("no audit record for request " + requestId);
  }

  /** Milliseconds since {@code nanoTime}, rounded up. */
  private static long millisSince(long nanoTime) {
    return (System.nanoTime() - nanoTime + 999_999) / 1_000_000;
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + line, e);
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
