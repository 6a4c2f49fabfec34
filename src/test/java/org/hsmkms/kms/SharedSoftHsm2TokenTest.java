package org.hsmkms.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.hsmkms.hsm.KeyInventory;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.testing.Prerequisites;
import org.hsmkms.testing.TestToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes on one SoftHSM2 token, as the nodes of {@code dev --store postgresql} are: a key
 * object another process made is found here, also when this process wrote a token object of its own
 * right after. (SoftHSM2 lists a token directory again only when the token's generation on disk
 * differs from what the process saw last, and a process's own write takes that value as seen.)
 */
class SharedSoftHsm2TokenTest {
  // The race itself (this process's own write between the other's and its next listing) is too
  // narrow to hit at will; the test puts the token's generation back to the value this process
  // saw, which is what that write leaves.
  @RegisterExtension static final TokenFixture TOKEN = TokenFixture.perClass();

  @TempDir Path dir;

  @Test
  void aKeyAnotherProcessMade_isFound_afterThisProcessWroteAnObjectOfItsOwn() throws Exception {
    Prerequisites.require(Files.isExecutable(Path.of("/usr/bin/openssl")), Prerequisites.OPENSSL);
    KeyInventory inventory = TOKEN.hsm().inventory();
    MaterialId theirs = randomId();
    MaterialId ours = randomId();
    // This process has listed the token (and any rescan a miss asks for is over).
    inventory.keyExists(randomId());
    Thread.sleep(300);
    Path generation = generationFile();
    byte[] seen = Files.readAllBytes(generation);

    // Another process makes a key object: softhsm2-util imports a private key under our label.
    Path pem = dir.resolve("key.pem");
    run(
        List.of(
            "openssl",
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            pem.toString()));
    run(
        List.of(
            "softhsm2-util",
            "--import",
            pem.toString(),
            "--token",
            TestToken.LABEL,
            "--label",
            KeyInventory.LABEL_PREFIX + "other-node",
            "--id",
            theirs.hex(),
            "--pin",
            TestToken.PIN));
    // This process then wrote a token object of its own at that moment, which took the other's
    // change as seen: the generation on disk is the one this process saw before the import.
    Files.write(generation, seen);
    try {
      inventory.generateAesKey(ours, KeyInventory.LABEL_PREFIX + "this-node");
      assertTrue(inventory.keyExists(ours));
      assertTrue(inventory.keyExists(theirs), "the key object the other process made");
    } finally {
      inventory.destroyKey(ours);
      inventory.destroyKey(theirs);
    }
  }

  /** The token's generation file (the test run has one token). */
  private static Path generationFile() throws Exception {
    try (var files = Files.walk(TestToken.dir())) {
      return files.filter(f -> f.getFileName().toString().equals("generation")).findFirst().get();
    }
  }

  private static MaterialId randomId() {
    byte[] id = new byte[16];
    ThreadLocalRandom.current().nextBytes(id);
    return MaterialId.fromHex(HexFormat.of().formatHex(id));
  }

  private static void run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), command.get(0));
    assertEquals(0, p.exitValue(), command.get(0) + ": " + out.replace(TestToken.PIN, "***"));
  }
}
