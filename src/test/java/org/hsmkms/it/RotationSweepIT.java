package org.hsmkms.it;

import static org.hsmkms.it.KmsTesting.newKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.store.MaterialRecord;
import org.hsmkms.store.RotationRecord;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.ConflictException;
import software.amazon.awssdk.services.kms.model.RotationType;
import software.amazon.awssdk.services.kms.model.RotationsListEntry;

/**
 * Scheduled rotation by the sweep, with the server's clock moved by the test; restarts and crashes
 * in the middle of a rotation; deletion of a rotated key. Each test has its own server and data
 * directory ("restart" is a new server on the same directory).
 */
class RotationSweepIT {
  private static final SdkBytes PLAINTEXT = SdkBytes.fromUtf8String("scheduled");

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
    server = TestServer.start(dir, server.clock());
    kms = server.client();
  }

  private String currentMaterial(String keyId) {
    return server.app().store().findKey(keyId).orElseThrow().currentMaterialId();
  }

  private int sweep() {
    return server.app().materialRotation().sweep();
  }

  @Test
  void sweep_rotatesADueKeyExactlyOnce_andMovesNextRotationDateByThePeriod() {
    String keyId = newKey(kms);
    String first = currentMaterial(keyId);
    SdkBytes oldBlob = kms.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)).ciphertextBlob();
    kms.enableKeyRotation(b -> b.keyId(keyId).rotationPeriodInDays(90));
    Instant due = kms.getKeyRotationStatus(b -> b.keyId(keyId)).nextRotationDate();

    server.clock().advance(Duration.ofDays(89));
    assertEquals(0, sweep(), "not due yet");
    assertEquals(first, currentMaterial(keyId));

    server.clock().advance(Duration.ofDays(1).plusMinutes(1));
    assertEquals(1, sweep());
    assertEquals(0, sweep(), "a due rotation is carried out once");

    assertNotEquals(first, currentMaterial(keyId));
    List<RotationsListEntry> rotations = kms.listKeyRotations(b -> b.keyId(keyId)).rotations();
    assertEquals(1, rotations.size());
    assertEquals(RotationType.AUTOMATIC, rotations.get(0).rotationType());
    var status = kms.getKeyRotationStatus(b -> b.keyId(keyId));
    assertEquals(due.plus(Duration.ofDays(90)), status.nextRotationDate());
    assertTrue(status.keyRotationEnabled());
    assertEquals(PLAINTEXT, kms.decrypt(b -> b.ciphertextBlob(oldBlob)).plaintext());
  }

  @Test
  void disabledKey_isNotRotated_untilEnabledAgain() {
    String keyId = newKey(kms);
    kms.enableKeyRotation(b -> b.keyId(keyId).rotationPeriodInDays(90));
    kms.disableKey(b -> b.keyId(keyId));
    server.clock().advance(Duration.ofDays(91));
    assertEquals(0, sweep());
    assertTrue(kms.listKeyRotations(b -> b.keyId(keyId)).rotations().isEmpty());
    kms.enableKey(b -> b.keyId(keyId));
    assertEquals(1, sweep());
    assertEquals(1, kms.listKeyRotations(b -> b.keyId(keyId)).rotations().size());
  }

  @Test
  void rotateKeyOnDemand_whileAnAutomaticRotationIsDueWithin20Minutes_isConflictException() {
    String keyId = newKey(kms);
    kms.enableKeyRotation(b -> b.keyId(keyId).rotationPeriodInDays(90));
    server.clock().advance(Duration.ofDays(90).minusMinutes(10));
    assertThrows(ConflictException.class, () -> kms.rotateKeyOnDemand(b -> b.keyId(keyId)));
    // On-demand rotations do not change the schedule.
    server.clock().advance(Duration.ofMinutes(11));
    assertEquals(1, sweep());
    kms.rotateKeyOnDemand(b -> b.keyId(keyId));
    assertEquals(2, kms.listKeyRotations(b -> b.keyId(keyId)).rotations().size());
  }

  @Test
  void rotationDueWhileStopped_isCarriedOutAtStartUp() {
    String keyId = newKey(kms);
    String first = currentMaterial(keyId);
    kms.enableKeyRotation(b -> b.keyId(keyId).rotationPeriodInDays(90));
    server.clock().advance(Duration.ofDays(91));
    restart();
    assertNotEquals(first, currentMaterial(keyId));
    assertEquals(0, sweep());
    assertEquals(1, kms.listKeyRotations(b -> b.keyId(keyId)).rotations().size());
  }

  /** Claims a rotation as the service does before asking the HSM, and stops there. */
  private RotationRecord claimAndStop(String keyId, String cause, boolean makeObject) {
    String hex = java.util.HexFormat.of().formatHex(server.app().hsm().random().generateRandom(16));
    RotationRecord r = new RotationRecord(hex, keyId, cause, false, server.clock().instant());
    assertEquals(org.hsmkms.store.RotationClaim.CLAIMED, server.app().store().claimRotation(r, 25));
    if (makeObject) {
      server.app().hsm().inventory().generateAesKey(MaterialId.fromHex(hex), keyId);
    }
    return r;
  }

  @Test
  void crashAfterTheHsmMadeTheMaterial_isCompletedAtStartUp() {
    String keyId = newKey(kms);
    SdkBytes oldBlob = kms.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)).ciphertextBlob();
    RotationRecord r = claimAndStop(keyId, RotationRecord.ON_DEMAND, true);
    // While it is unfinished: another rotation is refused, and the status shows it started.
    assertThrows(ConflictException.class, () -> kms.rotateKeyOnDemand(b -> b.keyId(keyId)));
    assertEquals(
        r.rotationDate().truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
        kms.getKeyRotationStatus(b -> b.keyId(keyId)).onDemandRotationStartDate());

    restart();

    assertEquals(r.materialId(), currentMaterial(keyId));
    List<RotationsListEntry> rotations = kms.listKeyRotations(b -> b.keyId(keyId)).rotations();
    assertEquals(1, rotations.size());
    assertEquals(RotationType.ON_DEMAND, rotations.get(0).rotationType());
    assertEquals(null, kms.getKeyRotationStatus(b -> b.keyId(keyId)).onDemandRotationStartDate());
    assertEquals(PLAINTEXT, kms.decrypt(b -> b.ciphertextBlob(oldBlob)).plaintext());
    SdkBytes newBlob = kms.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)).ciphertextBlob();
    assertEquals(PLAINTEXT, kms.decrypt(b -> b.ciphertextBlob(newBlob)).plaintext());
  }

  @Test
  void crashBeforeTheHsmMadeTheMaterial_isRolledBack_andAScheduledRotationIsDueAgain() {
    String keyId = newKey(kms);
    String first = currentMaterial(keyId);
    kms.enableKeyRotation(b -> b.keyId(keyId).rotationPeriodInDays(90));
    Instant due = kms.getKeyRotationStatus(b -> b.keyId(keyId)).nextRotationDate();
    server.clock().advance(Duration.ofDays(91));
    RotationRecord r = claimAndStop(keyId, RotationRecord.SCHEDULED, false);
    assertEquals(0, sweep(), "a claimed rotation is not claimed twice");

    // The restart rolls the claim back, then its start-up sweep carries the rotation out anew.
    restart();

    String now = currentMaterial(keyId);
    assertNotEquals(first, now);
    assertNotEquals(r.materialId(), now);
    assertFalse(server.app().hsm().inventory().keyExists(MaterialId.fromHex(r.materialId())));
    assertTrue(
        server.app().store().rotations(keyId).stream()
            .noneMatch(x -> x.materialId().equals(r.materialId())));
    assertEquals(1, kms.listKeyRotations(b -> b.keyId(keyId)).rotations().size());
    assertEquals(
        due.plus(Duration.ofDays(90)),
        kms.getKeyRotationStatus(b -> b.keyId(keyId)).nextRotationDate());
  }

  @Test
  void deletion_destroysEveryMaterialOfTheKey_alsoOneOfAnUnfinishedRotation() {
    String keyId = newKey(kms);
    kms.rotateKeyOnDemand(b -> b.keyId(keyId));
    kms.rotateKeyOnDemand(b -> b.keyId(keyId));
    RotationRecord unfinished = claimAndStop(keyId, RotationRecord.ON_DEMAND, true);
    List<MaterialRecord> materials = server.app().store().materials(keyId);
    assertEquals(3, materials.size());
    kms.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7));
    server.clock().advance(Duration.ofDays(8));

    assertEquals(1, server.app().reconciler().deleteDueKeys());

    for (MaterialRecord m : materials) {
      assertFalse(server.app().hsm().inventory().keyExists(MaterialId.fromHex(m.materialId())));
    }
    assertFalse(
        server.app().hsm().inventory().keyExists(MaterialId.fromHex(unfinished.materialId())));
    assertTrue(server.app().store().findKey(keyId).isEmpty());
    assertTrue(server.app().store().rotations(keyId).isEmpty());
    assertTrue(server.app().store().unfinishedRotations().isEmpty());
  }
}
