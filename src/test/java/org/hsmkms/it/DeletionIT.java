package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.testing.MutableClock;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.kms.model.ScheduleKeyDeletionResponse;

/**
 * Scheduled deletion carried out when due: the token object is destroyed, the key and its aliases
 * are gone, and its blobs no longer open. Each test has its own server and clock.
 */
class DeletionIT {
  private static final SdkBytes PLAINTEXT = SdkBytes.fromUtf8String("deleted with its key");

  private Path dir;
  private MutableClock clock;
  private TestServer server;
  private KmsClient kms;

  @BeforeEach
  void start() {
    dir = TestServer.newDataDir();
    clock = new MutableClock();
    server = TestServer.start(dir, clock);
    kms = server.client();
  }

  @AfterEach
  void stop() {
    kms.close();
    server.close();
  }

  private MaterialId material(String keyId) {
    return MaterialId.fromHex(
        server.app().store().findKey(keyId).orElseThrow().currentMaterialId());
  }

  private int deleteDueKeys() {
    return server.app().reconciler().deleteDueKeys();
  }

  private KeyState state(String keyId) {
    return kms.describeKey(b -> b.keyId(keyId)).keyMetadata().keyState();
  }

  @Test
  void scheduledDeletionOf7Days_isCarriedOutOnlyOnceTheDateIsReached() {
    String keyId = kms.createKey(b -> {}).keyMetadata().keyId();
    kms.createAlias(b -> b.aliasName("alias/deletion-7d").targetKeyId(keyId));
    SdkBytes blob = kms.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)).ciphertextBlob();
    MaterialId material = material(keyId);
    Instant scheduledAt = clock.instant();

    ScheduleKeyDeletionResponse r =
        kms.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7));

    Instant expected = scheduledAt.plus(Duration.ofDays(7));
    assertTrue(
        Duration.between(expected, r.deletionDate()).abs().toMillis() < 1000,
        "deletion date " + r.deletionDate() + ", expected " + expected);

    clock.advance(Duration.ofDays(6));
    assertEquals(0, deleteDueKeys());
    assertEquals(KeyState.PENDING_DELETION, state(keyId));
    assertTrue(server.app().hsm().inventory().keyExists(material));

    clock.advance(Duration.ofDays(1).minusSeconds(2));
    assertEquals(0, deleteDueKeys(), "deleted before its date");
    assertTrue(server.app().hsm().inventory().keyExists(material));

    clock.advance(Duration.ofSeconds(3));
    assertEquals(1, deleteDueKeys());

    assertFalse(
        server.app().hsm().inventory().keyExists(material), "token object survived deletion");
    assertTrue(server.app().store().findKey(keyId).isEmpty());
    assertThrows(NotFoundException.class, () -> kms.describeKey(b -> b.keyId(keyId)));
    assertThrows(NotFoundException.class, () -> kms.describeKey(b -> b.keyId("alias/deletion-7d")));
    assertTrue(kms.listAliases(b -> {}).aliases().isEmpty());
    // The service answers a blob of a deleted key as it answers any blob it cannot open.
    assertThrows(InvalidCiphertextException.class, () -> kms.decrypt(b -> b.ciphertextBlob(blob)));
    assertEquals(0, deleteDueKeys());
    // The alias name is free again.
    String other = kms.createKey(b -> {}).keyMetadata().keyId();
    kms.createAlias(b -> b.aliasName("alias/deletion-7d").targetKeyId(other));
  }

  @Test
  void deleteDueKeys_deletesOnlyTheKeysThatAreDue() {
    String week = kms.createKey(b -> {}).keyMetadata().keyId();
    String month = kms.createKey(b -> {}).keyMetadata().keyId();
    String kept = kms.createKey(b -> {}).keyMetadata().keyId();
    kms.scheduleKeyDeletion(b -> b.keyId(week).pendingWindowInDays(7));
    kms.scheduleKeyDeletion(b -> b.keyId(month).pendingWindowInDays(30));

    clock.advance(Duration.ofDays(8));
    assertEquals(1, deleteDueKeys());

    assertThrows(NotFoundException.class, () -> kms.describeKey(b -> b.keyId(week)));
    assertEquals(KeyState.PENDING_DELETION, state(month));
    assertTrue(server.app().hsm().inventory().keyExists(material(month)));
    assertEquals(KeyState.ENABLED, state(kept));

    clock.advance(Duration.ofDays(23));
    assertEquals(1, deleteDueKeys());
    assertThrows(NotFoundException.class, () -> kms.describeKey(b -> b.keyId(month)));
    assertEquals(KeyState.ENABLED, state(kept));
    assertTrue(server.app().hsm().inventory().keyExists(material(kept)));
  }

  @Test
  void cancelKeyDeletionBeforeTheDate_keepsTheKeyDisabled_andItIsNeverDeleted() {
    String keyId = kms.createKey(b -> {}).keyMetadata().keyId();
    kms.createAlias(b -> b.aliasName("alias/deletion-cancelled").targetKeyId(keyId));
    SdkBytes blob = kms.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)).ciphertextBlob();
    kms.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7));
    clock.advance(Duration.ofDays(3));

    kms.cancelKeyDeletion(b -> b.keyId(keyId));

    var md = kms.describeKey(b -> b.keyId(keyId)).keyMetadata();
    assertEquals(KeyState.DISABLED, md.keyState());
    assertNull(md.deletionDate());
    clock.advance(Duration.ofDays(30));
    assertEquals(0, deleteDueKeys());
    assertEquals(KeyState.DISABLED, state(keyId));
    assertTrue(server.app().hsm().inventory().keyExists(material(keyId)));
    kms.enableKey(b -> b.keyId(keyId));
    assertEquals(PLAINTEXT, kms.decrypt(b -> b.ciphertextBlob(blob)).plaintext());
    assertEquals(
        keyId, kms.describeKey(b -> b.keyId("alias/deletion-cancelled")).keyMetadata().keyId());
  }

  @Test
  void deletionThatFellDueWhileTheServerWasDown_isCarriedOutAtStartUp() {
    String keyId = kms.createKey(b -> {}).keyMetadata().keyId();
    MaterialId material = material(keyId);
    kms.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7));
    kms.close();
    server.close();

    clock = new MutableClock();
    clock.advance(Duration.ofDays(8));
    server = TestServer.start(dir, clock);
    kms = server.client();

    assertFalse(server.app().hsm().inventory().keyExists(material));
    assertThrows(NotFoundException.class, () -> kms.describeKey(b -> b.keyId(keyId)));
  }

  @Test
  void pendingDeletionNotYetDue_survivesARestart_withItsDate() {
    String keyId = kms.createKey(b -> {}).keyMetadata().keyId();
    Instant date =
        kms.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7)).deletionDate();
    kms.close();
    server.close();

    clock = new MutableClock();
    clock.advance(Duration.ofDays(6));
    server = TestServer.start(dir, clock);
    kms = server.client();

    var md = kms.describeKey(b -> b.keyId(keyId)).keyMetadata();
    assertEquals(KeyState.PENDING_DELETION, md.keyState());
    assertTrue(Duration.between(date, md.deletionDate()).abs().toMillis() < 1000);
    assertTrue(server.app().hsm().inventory().keyExists(material(keyId)));
  }
}
