package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.hsmkms.audit.AuditLimits;
import org.hsmkms.cli.AuditCommand;
import org.hsmkms.config.Audit;
import org.hsmkms.testing.MutableClock;
import org.hsmkms.testing.TestServer;
import org.hsmkms.testing.TestToken;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The audit trail of a real server under attack: a huge encryption context makes a bounded record;
 * a burst of unsigned requests from one address makes a few records and a summary that counts the
 * rest, while an authenticated request is still recorded alone; and the trail the server wrote
 * verifies with {@code audit verify} (the command's code, and Main in a process of its own), and
 * stops verifying, naming the line, once a line is deleted.
 */
class AuditTrailUnderAttackIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int UNSIGNED = 200;
  private static Path dir;
  private static List<JsonNode> records;
  private static String authenticatedRequestId;

  @BeforeAll
  static void attack() throws Exception {
    dir = TestServer.newDataDir();
    try (TestServer server =
        TestServer.start(
            dir,
            new MutableClock(),
            c -> c.withAudit(Audit.toFile(dir.resolve("audit.log").toString())))) {
      KmsClient kms = server.client();
      String keyId = kms.createKey(b -> {}).keyMetadata().keyId();
      Map<String, String> context = new LinkedHashMap<>();
      for (int i = 0; i < 500; i++) {
        context.put(String.format("k%03d", i), "v");
      }
      kms.encrypt(
          b -> b.keyId(keyId).plaintext(SdkBytes.fromUtf8String("x")).encryptionContext(context));
      for (int i = 0; i < UNSIGNED; i++) {
        server.postUnsigned("TrentService.GenerateRandom", "{\"NumberOfBytes\":8}");
        if (i == UNSIGNED / 2) {
          authenticatedRequestId =
              kms.generateRandom(b -> b.numberOfBytes(8)).responseMetadata().requestId();
        }
      }
    }
    records = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("audit.log"))) {
      records.add(JSON.readTree(line));
    }
  }

  @Test
  void fiveHundredContextKeys_makeABoundedRecord_thatCountsWhatItLeftOut() {
    JsonNode encrypt = only(r -> "Encrypt".equals(r.path("operation").asText()));

    assertEquals(AuditLimits.MAX_CONTEXT_KEYS, encrypt.get("encryptionContextKeys").size());
    assertEquals(
        500 - AuditLimits.MAX_CONTEXT_KEYS, encrypt.get("encryptionContextKeysOmitted").asInt());
    assertTrue(encrypt.toString().length() < 4096, encrypt.toString());
  }

  @Test
  void burstOfUnsignedRequests_makesFewRecords_andSummariesThatCountTheRest() {
    List<JsonNode> alone =
        all(r -> "MissingAuthenticationTokenException".equals(r.path("errorCode").asText()));
    List<JsonNode> summaries = all(r -> "refusalSummary".equals(r.path("event").asText()));
    long summarized = summaries.stream().mapToLong(s -> s.get("count").asLong()).sum();

    assertTrue(alone.size() <= UNSIGNED / 10, alone.size() + " recorded alone");
    assertEquals(UNSIGNED, alone.size() + summarized, "every refusal recorded or counted");
    for (JsonNode s : summaries) {
      assertEquals("127.0.0.1", s.get("sourceAddress").asText());
      assertEquals(
          s.get("count").asLong(),
          s.get("errorCodes").get("MissingAuthenticationTokenException").asLong());
      assertTrue(s.get("first").asText().compareTo(s.get("last").asText()) <= 0);
    }
  }

  @Test
  void authenticatedRequestInTheBurst_isRecordedAlone() {
    JsonNode r = only(n -> authenticatedRequestId.equals(n.path("requestId").asText()));

    assertEquals(TestServer.PRINCIPAL, r.get("principal").asText());
    assertEquals("success", r.get("outcome").asText());
  }

  @Test
  void trailTheServerWrote_verifies_throughTheCommand_andThroughMainInItsOwnProcess()
      throws Exception {
    Path config = TestToken.operatorConfig(dir);
    Path trail = dir.resolve("audit.log");
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    int status = verify(out, "--config", config.toString(), trail.toString());

    assertEquals(0, status, out.toString(StandardCharsets.UTF_8));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("all files verify"));
    Process main =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "org.hsmkms.cli.Main",
                "audit",
                "verify",
                "--config",
                config.toString(),
                trail.toString())
            .redirectErrorStream(true)
            .start();
    String printed = new String(main.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(main.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, main.exitValue(), printed);
    assertTrue(printed.contains("all files verify"), printed);
  }

  @Test
  void trailWithALineDeleted_failsVerification_namingTheLine() throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(dir.resolve("audit.log")));
    lines.remove(4);
    Path tampered = dir.resolve("tampered.log");
    Files.write(tampered, lines);
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    int status =
        verify(out, "--config", TestToken.operatorConfig(dir).toString(), tampered.toString());

    String printed = out.toString(StandardCharsets.UTF_8);
    assertEquals(1, status, printed);
    assertTrue(printed.contains("BREAK line 5: deleted: seq 5 missing"), printed);
  }

  private static int verify(ByteArrayOutputStream out, String... options) throws Exception {
    String[] args = new String[options.length + 2];
    args[0] = "audit";
    args[1] = "verify";
    System.arraycopy(options, 0, args, 2, options.length);
    return AuditCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8));
  }

  private static JsonNode only(java.util.function.Predicate<JsonNode> p) {
    List<JsonNode> found = all(p);
    assertEquals(1, found.size(), found.toString());
    return found.get(0);
  }

  private static List<JsonNode> all(java.util.function.Predicate<JsonNode> p) {
    return records.stream().filter(p).toList();
  }
}
