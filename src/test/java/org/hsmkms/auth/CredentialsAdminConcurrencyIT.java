package org.hsmkms.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hsmkms.hsm.pkcs11.Pkcs11Hsm;
import org.hsmkms.hsm.pkcs11.Pkcs11Settings;
import org.hsmkms.testing.SuiteSecrets;
import org.hsmkms.testing.TestServer;
import org.hsmkms.testing.TestToken;
import org.junit.jupiter.api.Test;

/**
 * Concurrent edits of one credentials file through the real admin code (each writer its own {@link
 * CredentialsAdmin}, as separate {@code credentials add} commands would be) all land: the
 * read-modify-write runs under the file's exclusive lock, and each write replaces the file whole.
 */
class CredentialsAdminConcurrencyIT {
  private static final String SECRET = "concurrency-it-secret-0123";
  private static final int WRITERS = 8;

  static {
    SuiteSecrets.secret(SECRET);
  }

  @Test
  void eightConcurrentAdds_allEndInTheFile_andAConcurrentRemoveIsNotUndone() throws Exception {
    Path file = TestServer.newDataDir().resolve("credentials");
    TestToken.dir();
    try (Pkcs11Hsm hsm =
        Pkcs11Hsm.open(
            new Pkcs11Settings(
                TestToken.module(),
                TestToken.LABEL,
                TestToken.PIN.toCharArray(),
                WRITERS,
                30_000L))) {
      new CredentialsAdmin(file, hsm.serviceKeys(), hsm.random())
          .put(
              "AKIACONCURRENTGONE",
              "111122223333",
              "arn:aws:iam::111122223333:user/gone",
              SECRET.getBytes(StandardCharsets.UTF_8));
      ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 1);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < WRITERS; i++) {
        String id = "AKIACONCURRENT" + i;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  new CredentialsAdmin(file, hsm.serviceKeys(), hsm.random())
                      .put(
                          id,
                          "111122223333",
                          "arn:aws:iam::111122223333:user/u" + id.charAt(id.length() - 1),
                          SECRET.getBytes(StandardCharsets.UTF_8));
                  return null;
                }));
      }
      done.add(
          pool.submit(
              () -> {
                start.await();
                return new CredentialsAdmin(file, hsm.serviceKeys(), hsm.random())
                    .remove("AKIACONCURRENTGONE");
              }));
      start.countDown();
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
      pool.shutdown();

      Set<String> ids = new TreeSet<>();
      CredentialsFile.read(file).forEach(e -> ids.add(e.accessKeyId()));
      Set<String> expected = new TreeSet<>();
      for (int i = 0; i < WRITERS; i++) {
        expected.add("AKIACONCURRENT" + i);
      }
      assertEquals(expected, ids);
      assertTrue(Files.exists(CredentialsLock.lockFile(file)), "the lock file beside the file");
    }
  }
}
