package org.hsmkms.kms;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.hsmkms.store.AliasRecord;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MaterialRecord;
import org.hsmkms.store.jdbc.JdbcMetadataStore;

/**
 * A real metadata store on a SQLite file, and key rows written straight into it in any state,
 * account and region, as the kms/ rules find them. No HSM: these rows name no token object.
 */
final class StoredKeys implements AutoCloseable {
  static final String ACCOUNT = "111122223333";
  static final String OTHER_ACCOUNT = "444455556666";
  static final String REGION = "us-east-1";
  static final String OTHER_REGION = "eu-west-1";
  static final Instant CREATED = Instant.parse("2025-03-04T05:06:07Z");

  final JdbcMetadataStore store;

  StoredKeys(Path dir) {
    store = new JdbcMetadataStore("jdbc:sqlite:" + dir.resolve("metadata.db"));
  }

  /** A request of the test account in us-east-1. */
  static RequestContext caller() {
    return caller(ACCOUNT, REGION);
  }

  static RequestContext caller(String account, String region) {
    return new RequestContext(
        account, region, "arn:aws:iam::" + account + ":user/test", UUID.randomUUID().toString());
  }

  /** A symmetric key of the test account in us-east-1. */
  KeyRecord add(KeyState state) {
    return add(ACCOUNT, REGION, state);
  }

  KeyRecord add(String account, String region, KeyState state) {
    return add(account, region, state, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
  }

  KeyRecord add(String account, String region, KeyState state, String keySpec, String keyUsage) {
    String id = UUID.randomUUID().toString();
    byte[] material = new byte[16];
    ThreadLocalRandom.current().nextBytes(material);
    String materialHex = HexFormat.of().formatHex(material);
    KeyRecord key =
        new KeyRecord(
            id,
            account,
            region,
            state.awsName(),
            keySpec,
            keyUsage,
            "AWS_KMS",
            "",
            "{}",
            CREATED,
            state == KeyState.PENDING_DELETION ? CREATED.plusSeconds(7 * 86400) : null,
            state == KeyState.PENDING_DELETION ? 7 : null,
            materialHex);
    store.insertKey(key, new MaterialRecord(materialHex, id, CREATED));
    return key;
  }

  /** An alias of {@code key}'s account and region. */
  void alias(String aliasName, KeyRecord key) {
    if (!store.insertAlias(
        new AliasRecord(key.account(), key.region(), aliasName, key.keyId(), CREATED, CREATED))) {
      throw new IllegalStateException("alias exists: " + aliasName);
    }
  }

  @Override
  public void close() {
    store.close();
  }
}
