package org.hsmkms.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * The credentials file's lock holds across processes: while another process holds {@code
 * FILE.lock}, an edit in this one waits, and goes ahead once the other lets go.
 */
class CredentialsLockIT {

  @Test
  void anEditWaits_whileAnotherProcessHoldsTheLock() throws Exception {
    Path dir = TestServer.newDataDir();
    Files.createDirectories(dir);
    Path file = dir.resolve("credentials");
    Process other =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                CredentialsLockHolder.class.getName(),
                file.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("locked", out.readLine(), "the other process holds the lock");

      CompletableFuture<String> edit =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return CredentialsLock.around(file, () -> "edited");
                } catch (java.io.IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      Thread.sleep(1000);
      assertFalse(edit.isDone(), "the edit waits for the other process");

      other.getOutputStream().close();

      assertEquals("edited", edit.get(60, TimeUnit.SECONDS));
    } finally {
      other.destroy();
      other.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
