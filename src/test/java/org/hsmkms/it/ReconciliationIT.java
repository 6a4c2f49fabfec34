package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.kms.Reconciler.Report;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MaterialRecord;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KeyUnavailableException;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/**
 * Start-up reconciliation of the store with the token, for every state a crash (or an operator) can
 * leave behind. Each test has its own server and data directory; "restart" is a new server on the
 * same directory, whose start-up runs the reconciliation.
 *
 * <p>Other servers of this JVM share the token, so their key objects count as objects without a row
 * here; counts of those are compared with a baseline.
 */
class ReconciliationIT {
  private static final HexFormat HEX = HexFormat.of();
  private static final SdkBytes PLAINTEXT = SdkBytes.fromUtf8String("reconcile me");

  private Path dir;
  private TestServer server;
  private KmsClient kms;

  @BeforeEach
  void start() {
    dir = TestServer.newDataDir();
    server = TestServer.start(dir);
    kms = server.client();
  }

  @AfterEach
  void stop() {
    kms.close();
    server.close();
  }

  private void restart() {
    kms.close();
    server.close();
    server = TestServer.start(dir);
    kms = server.client();
  }

  private KeyRecord row(String keyId) {
    return server.app().store().findKey(keyId).orElseThrow();
  }

  private MaterialId material(String keyId) {
    return MaterialId.fromHex(row(keyId).currentMaterialId());
  }

  private SdkBytes encrypt(String keyId) {
    return kms.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)).ciphertextBlob();
  }

  /** A row as CreateKey writes it before asking the HSM, for a material id the token lacks. */
  private String insertCreatingRowWithoutObject() {
    String keyId = UUID.randomUUID().toString();
    String materialHex = HEX.formatHex(server.app().hsm().random().generateRandom(16));
    Instant now = Instant.now();
    server
        .app()
        .store()
        .insertKey(
            new KeyRecord(
                keyId,
                TestServer.ACCOUNT,
                "us-east-1",
                "Creating",
                "SYMMETRIC_DEFAULT",
                "ENCRYPT_DECRYPT",
                "AWS_KMS",
                "half made",
                null,
                now,
                null,
                null,
                materialHex),
            new MaterialRecord(materialHex, keyId, now));
    return keyId;
  }

  @Test
  void creatingRowWhoseTokenObjectExists_isCompletedAtStartUp_andUsable() {
    String keyId = kms.createKey(b -> b.description("interrupted")).keyMetadata().keyId();
    SdkBytes blob = encrypt(keyId);
    server.app().store().updateKey(row(keyId).withState("Creating", null, null));
    // A half-made key is invisible.
    assertThrows(NotFoundException.class, () -> kms.describeKey(b -> b.keyId(keyId)));
    assertFalse(kms.listKeys(b -> {}).keys().stream().anyMatch(k -> k.keyId().equals(keyId)));

    restart();

    var md = kms.describeKey(b -> b.keyId(keyId)).keyMetadata();
    assertEquals(KeyState.ENABLED, md.keyState());
    assertTrue(md.enabled());
    assertEquals("interrupted", md.description());
    assertTrue(server.app().hsm().inventory().keyExists(material(keyId)));
    assertEquals(PLAINTEXT, kms.decrypt(b -> b.ciphertextBlob(blob)).plaintext());
    SdkBytes fresh = encrypt(keyId);
    assertEquals(PLAINTEXT, kms.decrypt(b -> b.ciphertextBlob(fresh)).plaintext());
    assertTrue(kms.listKeys(b -> {}).keys().stream().anyMatch(k -> k.keyId().equals(keyId)));
  }

  @Test
  void creatingRowWithoutTokenObject_isRemovedAtStartUp() {
    String keyId = insertCreatingRowWithoutObject();
    MaterialId material = material(keyId);

    restart();

    assertTrue(server.app().store().findKey(keyId).isEmpty());
    assertTrue(server.app().store().materials(keyId).isEmpty());
    assertThrows(NotFoundException.class, () -> kms.describeKey(b -> b.keyId(keyId)));
    assertFalse(
        server.app().hsm().inventory().keyExists(material), "reconciliation made key material");
  }

  @Test
  void deletingRow_hasItsTokenObjectDestroyedAtStartUp_andIsGone() {
    String keyId = kms.createKey(b -> b.description("being deleted")).keyMetadata().keyId();
    kms.createAlias(b -> b.aliasName("alias/reconcile-deleting").targetKeyId(keyId));
    kms.tagResource(b -> b.keyId(keyId).tags(t -> t.tagKey("k").tagValue("v")));
    SdkBytes blob = encrypt(keyId);
    MaterialId material = material(keyId);
    server.app().store().updateKey(row(keyId).withState("Deleting", Instant.now(), 7));

    restart();

    assertFalse(server.app().hsm().inventory().keyExists(material));
    assertTrue(server.app().store().findKey(keyId).isEmpty());
    assertThrows(NotFoundException.class, () -> kms.describeKey(b -> b.keyId(keyId)));
    assertThrows(
        NotFoundException.class, () -> kms.describeKey(b -> b.keyId("alias/reconcile-deleting")));
    assertTrue(kms.listAliases(b -> {}).aliases().isEmpty());
    assertTrue(server.app().store().tags(keyId).isEmpty());
    assertThrows(InvalidCiphertextException.class, () -> kms.decrypt(b -> b.ciphertextBlob(blob)));
  }

  @Test
  void deletingRowWhoseTokenObjectIsAlreadyGone_isRemovedAtStartUp() {
    // A crash after C_DestroyObject but before the row was removed.
    String keyId = kms.createKey(b -> {}).keyMetadata().keyId();
    server.app().hsm().inventory().destroyKey(material(keyId));
    server.app().store().updateKey(row(keyId).withState("Deleting", Instant.now(), 7));

    restart();

    assertTrue(server.app().store().findKey(keyId).isEmpty());
    assertThrows(NotFoundException.class, () -> kms.describeKey(b -> b.keyId(keyId)));
  }

  @Test
  void tokenObjectWithoutRow_isReported_andNeverDestroyed() {
    Report baseline = server.app().reconciler().reconcile();
    MaterialId orphan = MaterialId.of(server.app().hsm().random().generateRandom(16));
    server.app().hsm().inventory().generateAesKey(orphan, "orphan");
    try {
      Report report = server.app().reconciler().reconcile();

      assertEquals(new Report(0, 0, 0, 0, baseline.objectsWithoutRow() + 1), report);
      assertTrue(server.app().hsm().inventory().keyExists(orphan));

      restart();

      assertTrue(
          server.app().hsm().inventory().keyExists(orphan), "start-up destroyed an orphan object");
      assertEquals(
          baseline.objectsWithoutRow() + 1,
          server.app().reconciler().reconcile().objectsWithoutRow());
      assertTrue(server.app().hsm().inventory().keyExists(orphan));
    } finally {
      // Tidy the shared token for the tests that follow (this is the test, not the service).
      server.app().hsm().inventory().destroyKey(orphan);
    }
  }

  @Test
  void rowWhoseTokenObjectWasDestroyed_isKept_describable_andAnswersKeyUnavailable() {
    String keyId = kms.createKey(b -> b.description("lost material")).keyMetadata().keyId();
    SdkBytes blob = encrypt(keyId);
    server.app().hsm().inventory().destroyKey(material(keyId));

    restart();

    Report report = server.app().reconciler().reconcile();
    assertEquals(new Report(0, 0, 0, 1, report.objectsWithoutRow()), report);
    assertTrue(server.app().store().findKey(keyId).isPresent(), "row without material removed");
    assertEquals("lost material", kms.describeKey(b -> b.keyId(keyId)).keyMetadata().description());

    KeyUnavailableException e = assertThrows(KeyUnavailableException.class, () -> encrypt(keyId));
    assertEquals(500, e.statusCode());
    assertEquals(
        500,
        assertThrows(KeyUnavailableException.class, () -> kms.decrypt(b -> b.ciphertextBlob(blob)))
            .statusCode());
    assertEquals(
        500,
        assertThrows(
                KeyUnavailableException.class,
                () -> kms.generateDataKey(b -> b.keyId(keyId).keySpec(DataKeySpec.AES_256)))
            .statusCode());
    assertTrue(server.app().store().findKey(keyId).isPresent());
  }

  @Test
  void tokenObjectDestroyedThroughAnotherServerWhileServing_answersKeyUnavailable() {
    String keyId = kms.createKey(b -> {}).keyMetadata().keyId();
    SdkBytes blob = encrypt(keyId); // the server now holds a cached handle for the key
    TestServer other = TestServer.start(TestServer.newDataDir());
    try {
      other.app().hsm().inventory().destroyKey(material(keyId));
    } finally {
      other.close();
    }

    // A working copy of the key (a session object) is dropped at the next check of the copies.
    Instant deadline = Instant.now().plusMillis(5 * 1000);
    while (server.app().hsm().diagnostics().workingCopyAttributes(material(keyId)).isPresent()) {
      assertTrue(Instant.now().isBefore(deadline), "the working copy outlived its key object");
      sleep(50);
    }
    assertEquals(
        500, assertThrows(KeyUnavailableException.class, () -> encrypt(keyId)).statusCode());
    assertEquals(
        500,
        assertThrows(KeyUnavailableException.class, () -> kms.decrypt(b -> b.ciphertextBlob(blob)))
            .statusCode());
    assertTrue(server.app().store().findKey(keyId).isPresent());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void reconcile_reportsEveryKindOfRepair_once() {
    Report baseline = server.app().reconciler().reconcile();
    assertEquals(new Report(0, 0, 0, 0, baseline.objectsWithoutRow()), baseline);

    String toComplete = kms.createKey(b -> {}).keyMetadata().keyId();
    server.app().store().updateKey(row(toComplete).withState("Creating", null, null));
    String toRollBack = insertCreatingRowWithoutObject();
    String toDelete = kms.createKey(b -> {}).keyMetadata().keyId();
    MaterialId toDeleteMaterial = material(toDelete);
    server.app().store().updateKey(row(toDelete).withState("Deleting", Instant.now(), 7));
    String lost = kms.createKey(b -> {}).keyMetadata().keyId();
    server.app().hsm().inventory().destroyKey(material(lost));
    String healthy = kms.createKey(b -> {}).keyMetadata().keyId();
    MaterialId orphan = MaterialId.of(server.app().hsm().random().generateRandom(16));
    server.app().hsm().inventory().generateAesKey(orphan, "orphan");
    try {
      Report first = server.app().reconciler().reconcile();
      Report second = server.app().reconciler().reconcile();

      assertEquals(new Report(1, 1, 1, 1, baseline.objectsWithoutRow() + 1), first);
      assertEquals(new Report(0, 0, 0, 1, baseline.objectsWithoutRow() + 1), second);
      assertEquals("Enabled", row(toComplete).keyState());
      assertTrue(server.app().store().findKey(toRollBack).isEmpty());
      assertTrue(server.app().store().findKey(toDelete).isEmpty());
      assertFalse(server.app().hsm().inventory().keyExists(toDeleteMaterial));
      assertEquals("Enabled", row(lost).keyState());
      assertEquals("Enabled", row(healthy).keyState());
      assertTrue(server.app().hsm().inventory().keyExists(material(healthy)));
      assertTrue(server.app().hsm().inventory().keyExists(orphan));
      assertArrayEquals(
          PLAINTEXT.asByteArray(),
          kms.decrypt(b -> b.ciphertextBlob(encrypt(toComplete))).plaintext().asByteArray());
    } finally {
      server.app().hsm().inventory().destroyKey(orphan);
    }
  }
}
