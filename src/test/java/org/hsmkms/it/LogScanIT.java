package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.hsmkms.testing.SuiteSecrets;
import org.hsmkms.testing.TestServer;
import org.hsmkms.testing.TestToken;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Runs last ({@link ClassOrderer.OrderAnnotation}, see junit-platform.properties) and searches what
 * the whole suite wrote to disk for every secret it handled: the test secret access keys, the token
 * PINs, and every plaintext (data keys, decrypted data, random bytes, in base64 and hex) that went
 * through {@link TestServer#client()} or {@link TestServer#post}. Searched: the service's log at
 * DEBUG (target/test-logs), the console output surefire kept, every audit trail and every server
 * credentials file of the run.
 */
@Order(Integer.MAX_VALUE)
class LogScanIT {

  @Test
  void noSecretPinOrPlaintext_reachesALogAuditOrCredentialsFile() throws IOException {
    // Make sure there is something to find if the service did leak: one more round trip.
    TestServer.shared()
        .client()
        .generateDataKey(
            b ->
                b.keyId(TestServer.shared().client().createKey(k -> {}).keyMetadata().keyId())
                    .numberOfBytes(32));

    List<Path> files = filesToScan();
    List<String> needles = SuiteSecrets.all();
    assertTrue(needles.size() > 4, "the suite recorded its plaintexts: " + needles.size());
    assertTrue(
        files.stream().anyMatch(p -> p.getFileName().toString().equals("hsm-kms.log")),
        "the service log was written: " + files);
    assertTrue(
        files.stream().anyMatch(p -> p.getFileName().toString().startsWith("audit.log")),
        "audit trails were written: " + files);

    List<String> leaks = new ArrayList<>();
    for (Path file : files) {
      String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
      for (int i = 0; i < needles.size(); i++) {
        if (text.contains(needles.get(i))) {
          // Named by its index in SuiteSecrets, so that the report does not leak it in turn.
          leaks.add(
              file + " contains secret #" + i + " (" + needles.get(i).length() + " characters)");
        }
      }
    }
    assertTrue(
        leaks.isEmpty(),
        () -> leaks.size() + " secrets leaked to disk:\n" + String.join("\n", leaks));
  }

  private static List<Path> filesToScan() throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path root :
        List.of(
            Path.of("target", "test-logs"),
            Path.of("target", "surefire-reports"),
            TestToken.dir())) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(root)) {
        walk.filter(Files::isRegularFile).filter(LogScanIT::scanned).forEach(files::add);
      }
    }
    return files;
  }

  private static boolean scanned(Path p) {
    String name = p.getFileName().toString();
    return name.endsWith(".log")
        || name.matches("audit\\.log\\.\\d+")
        || name.endsWith("-output.txt")
        || name.equals("server-credentials");
  }
}
