package org.hsmkms.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.hsmkms.store.AliasRecord;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MaterialRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the store's tests share: a {@link JdbcMetadataStore} on a fresh database, opened before and
 * closed after each test, and the records the tests write. Every test of a subclass runs twice, on
 * a real SQLite file and on a real PostgreSQL server ({@link StoreBackend}): the store must give
 * the same answers on both.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(StoreBackend.class)
abstract class StoreTestSupport {

  static final String ACCOUNT = "111122223333";
  static final String OTHER_ACCOUNT = "444455556666";
  static final String REGION = "eu-west-1";
  static final String OTHER_REGION = "us-east-1";
  static final Instant T0 = Instant.parse("2024-05-01T10:15:30.123Z");
  static final String SECRET_POLICY = "{\"Statement\":\"policy-text-do-not-leak\"}";
  static final String SECRET_DESCRIPTION = "description-do-not-leak";

  @Parameter StoreBackend backend;
  @TempDir Path dir;
  String url;
  JdbcMetadataStore store;

  @BeforeEach
  void open() {
    url = backend.newDatabase(dir);
    store = backend.open(url);
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  /** Another store on the test's database: the same one reopened, or a second node's. */
  JdbcMetadataStore openStore() {
    return backend.open(url);
  }

  /** A plain JDBC connection to the test's database. */
  Connection connect() throws SQLException {
    return backend.connect(url);
  }

  static KeyRecord key(String keyId, String account, String region, String state) {
    return new KeyRecord(
        keyId,
        account,
        region,
        state,
        "SYMMETRIC_DEFAULT",
        "ENCRYPT_DECRYPT",
        "AWS_KMS",
        SECRET_DESCRIPTION,
        SECRET_POLICY,
        T0,
        null,
        null,
        "m-" + keyId);
  }

  static KeyRecord key(String keyId) {
    return key(keyId, ACCOUNT, REGION, "Enabled");
  }

  static MaterialRecord material(KeyRecord key) {
    return new MaterialRecord(key.currentMaterialId(), key.keyId(), key.creationDate());
  }

  KeyRecord insert(KeyRecord key) {
    store.insertKey(key, material(key));
    return key;
  }

  static AliasRecord alias(String account, String region, String name, String keyId) {
    return new AliasRecord(account, region, name, keyId, T0, T0);
  }

  static List<String> ids(List<KeyRecord> keys) {
    return keys.stream().map(KeyRecord::keyId).toList();
  }

  static void assertNoSecrets(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      assertFalse(message.contains("policy-text-do-not-leak"), message);
      assertFalse(message.contains(SECRET_DESCRIPTION), message);
    }
  }
}
