package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.testing.MutableClock;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.kms.model.ScheduleKeyDeletionResponse;

/**
 * Deleting multi-Region keys as AWS does: a replica goes on its own after its waiting period while
 * the shared HSM material stays; a primary with replicas waits in PendingReplicaDeletion and its
 * waiting period begins when the last replica is deleted; the material goes with the last region's
 * key. Each test has its own server and clock.
 */
class MultiRegionDeletionIT {
  private static final String A = "us-east-1";
  private static final String B = "eu-west-1";
  private static final SdkBytes PLAINTEXT = SdkBytes.fromUtf8String("kept until the last region");

  private MutableClock clock;
  private TestServer server;
  private KmsClient kmsA;
  private KmsClient kmsB;

  @BeforeEach
  void start() {
    clock = new MutableClock();
    server = TestServer.start(TestServer.newDataDir(), clock);
    kmsA = server.client(Region.of(A));
    kmsB = server.client(Region.of(B));
  }

  @AfterEach
  void stop() {
    kmsA.close();
    kmsB.close();
    server.close();
  }

  private String replicatedKey() {
    String keyId = kmsA.createKey(b -> b.multiRegion(true)).keyMetadata().keyId();
    kmsA.replicateKey(b -> b.keyId(keyId).replicaRegion(B));
    return keyId;
  }

  private MaterialId material(String keyId) {
    KeyRecord row =
        server.app().store().findKey(KeyRecord.multiRegionRowId(keyId, A)).orElseThrow();
    return MaterialId.fromHex(row.currentMaterialId());
  }

  private boolean inHsm(MaterialId id) {
    return server.app().hsm().inventory().keyExists(id);
  }

  private int deleteDueKeys() {
    return server.app().reconciler().deleteDueKeys();
  }

  @Test
  void replica_isDeletedOnItsOwn_andTheMaterialStaysForThePrimary() {
    String keyId = replicatedKey();
    SdkBytes blob = kmsB.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)).ciphertextBlob();
    MaterialId material = material(keyId);

    ScheduleKeyDeletionResponse r =
        kmsB.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7));
    assertEquals(KeyState.PENDING_DELETION, r.keyState());
    assertEquals(KeyState.ENABLED, kmsA.describeKey(b -> b.keyId(keyId)).keyMetadata().keyState());

    clock.advance(Duration.ofDays(7).plusSeconds(1));
    assertEquals(1, deleteDueKeys());

    assertThrows(NotFoundException.class, () -> kmsB.describeKey(b -> b.keyId(keyId)));
    assertTrue(inHsm(material), "the primary's material was destroyed with its replica");
    assertEquals(PLAINTEXT, kmsA.decrypt(b -> b.ciphertextBlob(blob)).plaintext());
    KeyMetadata primary = kmsA.describeKey(b -> b.keyId(keyId)).keyMetadata();
    assertEquals(0, primary.multiRegionConfiguration().replicaKeys().size());
    // A deleted replica can be made again in the same region (AWS).
    kmsA.replicateKey(b -> b.keyId(keyId).replicaRegion(B));
    assertEquals(PLAINTEXT, kmsB.decrypt(b -> b.ciphertextBlob(blob)).plaintext());
  }

  @Test
  void
      primaryWithReplicas_waitsInPendingReplicaDeletion_thenItsWaitingPeriod_thenGoesWithItsMaterial() {
    String keyId = replicatedKey();
    MaterialId material = material(keyId);

    ScheduleKeyDeletionResponse r =
        kmsA.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(10));

    assertEquals(KeyState.PENDING_REPLICA_DELETION, r.keyState());
    assertNull(r.deletionDate(), "the primary's deletion date is not known yet");
    assertEquals(10, r.pendingWindowInDays());
    KeyMetadata waiting = kmsA.describeKey(b -> b.keyId(keyId)).keyMetadata();
    assertEquals(KeyState.PENDING_REPLICA_DELETION, waiting.keyState());
    assertEquals(10, waiting.pendingDeletionWindowInDays());
    assertNull(waiting.deletionDate());
    // "it cannot be replicated or used in cryptographic operations"
    assertThrows(
        KmsInvalidStateException.class,
        () -> kmsA.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)));
    assertThrows(
        KmsInvalidStateException.class,
        () -> kmsA.replicateKey(b -> b.keyId(keyId).replicaRegion("ap-south-1")));
    // This status can continue indefinitely while a replica exists.
    clock.advance(Duration.ofDays(365));
    assertEquals(0, deleteDueKeys());
    assertTrue(inHsm(material));
    SdkBytes blob = kmsB.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)).ciphertextBlob();

    kmsB.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7));
    clock.advance(Duration.ofDays(7).plusSeconds(1));
    Instant replicaGone = clock.instant();
    assertEquals(1, deleteDueKeys());

    assertTrue(inHsm(material), "material destroyed while the primary still exists");
    KeyMetadata pending = kmsA.describeKey(b -> b.keyId(keyId)).keyMetadata();
    assertEquals(KeyState.PENDING_DELETION, pending.keyState());
    Instant expected = replicaGone.plus(Duration.ofDays(10));
    assertTrue(
        Duration.between(expected, pending.deletionDate()).abs().toMillis() < 1000,
        "deletion date " + pending.deletionDate() + ", expected " + expected);
    clock.advance(Duration.ofDays(9));
    assertEquals(0, deleteDueKeys());
    assertTrue(inHsm(material));

    clock.advance(Duration.ofDays(1).plusSeconds(1));
    assertEquals(1, deleteDueKeys());
    assertFalse(inHsm(material), "the last region's key went without its material");
    assertThrows(NotFoundException.class, () -> kmsA.describeKey(b -> b.keyId(keyId)));
    assertTrue(server.app().store().findMultiRegionKey(keyId).isEmpty());
    assertThrows(InvalidCiphertextException.class, () -> kmsA.decrypt(b -> b.ciphertextBlob(blob)));
  }

  @Test
  void cancelKeyDeletion_ofAPrimaryInPendingReplicaDeletion_leavesItDisabled() {
    String keyId = replicatedKey();
    kmsA.scheduleKeyDeletion(b -> b.keyId(keyId));

    kmsA.cancelKeyDeletion(b -> b.keyId(keyId));

    assertEquals(KeyState.DISABLED, kmsA.describeKey(b -> b.keyId(keyId)).keyMetadata().keyState());
    kmsB.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7));
    clock.advance(Duration.ofDays(8));
    assertEquals(1, deleteDueKeys());
    assertEquals(KeyState.DISABLED, kmsA.describeKey(b -> b.keyId(keyId)).keyMetadata().keyState());
  }

  @Test
  void oldPrimary_afterUpdatePrimaryRegion_isDeletedAsAReplica_andTheMaterialStays() {
    String keyId = replicatedKey();
    MaterialId material = material(keyId);
    SdkBytes blob = kmsA.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)).ciphertextBlob();
    kmsA.updatePrimaryRegion(b -> b.keyId(keyId).primaryRegion(B));

    ScheduleKeyDeletionResponse r =
        kmsA.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7));
    assertEquals(KeyState.PENDING_DELETION, r.keyState());
    clock.advance(Duration.ofDays(8));
    assertEquals(1, deleteDueKeys());

    assertTrue(inHsm(material));
    assertEquals(PLAINTEXT, kmsB.decrypt(b -> b.ciphertextBlob(blob)).plaintext());
    assertEquals(1, server.app().store().materials(KeyRecord.multiRegionRowId(keyId, B)).size());
  }
}
