package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hsmkms.config.Config;
import org.hsmkms.testing.MutableClock;
import org.hsmkms.testing.PostgresServer;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyState;

/**
 * The whole service on PostgreSQL: configured with {@code store.url}, {@code store.user} and a
 * password file, it serves the AWS SDK through a database restart, and a second start on the same
 * database finds the keys, aliases and blobs of the first.
 */
class PostgresStoreIT {

  @Test
  void service_onPostgresql_servesThroughADatabaseRestart_andAfterItsOwnRestart() throws Exception {
    PostgresServer server = PostgresServer.get();
    String url = server.createDatabase();
    Path dataDir = TestServer.newDataDir();
    Files.createDirectories(dataDir);
    Path passwordFile = dataDir.resolve("db-password");
    Files.writeString(passwordFile, PostgresServer.PASSWORD + "\n", StandardCharsets.UTF_8);
    Config.Store store =
        new Config.Store(url, PostgresServer.USER, null, passwordFile.toString(), 4, 10_000L);

    byte[] plaintext = "on postgresql".getBytes(StandardCharsets.UTF_8);
    String keyId;
    byte[] blob;
    try (TestServer kms = start(dataDir, store)) {
      KmsClient client = kms.client();
      keyId = client.createKey(b -> b.description("pg")).keyMetadata().keyId();
      client.createAlias(b -> b.aliasName("alias/pg").targetKeyId(keyId));
      blob = encrypt(client, "alias/pg", plaintext);

      server.restart();

      assertArrayEquals(plaintext, decrypt(client, blob));
      client.disableKey(b -> b.keyId(keyId));
      assertEquals(
          KeyState.DISABLED, client.describeKey(b -> b.keyId(keyId)).keyMetadata().keyState());
      client.enableKey(b -> b.keyId(keyId));
    }

    try (TestServer kms = start(dataDir, store)) {
      KmsClient client = kms.client();
      assertEquals(keyId, client.describeKey(b -> b.keyId("alias/pg")).keyMetadata().keyId());
      assertArrayEquals(plaintext, decrypt(client, blob));
    }
  }

  private static TestServer start(Path dataDir, Config.Store store) throws IOException {
    return TestServer.start(dataDir, new MutableClock(), c -> c.withStore(store));
  }

  private static byte[] encrypt(KmsClient client, String keyId, byte[] plaintext) {
    return client
        .encrypt(b -> b.keyId(keyId).plaintext(SdkBytes.fromByteArray(plaintext)))
        .ciphertextBlob()
        .asByteArray();
  }

  private static byte[] decrypt(KmsClient client, byte[] blob) {
    return client
        .decrypt(b -> b.ciphertextBlob(SdkBytes.fromByteArray(blob)))
        .plaintext()
        .asByteArray();
  }
}
