package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.GetKeyRotationStatusResponse;
import software.amazon.awssdk.services.kms.model.RotationType;
import software.amazon.awssdk.services.kms.model.RotationsListEntry;
import software.amazon.awssdk.services.kms.model.UnsupportedOperationException;

/**
 * Rotation of a multi-Region key through the AWS SDK: the regions share one key material, so the
 * primary's rotation gives every replica the new current material, and every earlier material keeps
 * decrypting in every region. Rotation is set and made on the primary only; a replica reports its
 * primary's rotation status and history.
 */
class MultiRegionRotationIT {
  private static final String A = "ap-south-2";
  private static final String B = "ca-west-1";
  private static final SdkBytes PLAINTEXT = SdkBytes.fromUtf8String("rotated in every region");

  private final TestServer server = TestServer.shared();
  private final KmsClient kmsA = server.client(Region.of(A));
  private final KmsClient kmsB = server.client(Region.of(B));

  private String replicatedKey() {
    String keyId = kmsA.createKey(b -> b.multiRegion(true)).keyMetadata().keyId();
    kmsA.replicateKey(b -> b.keyId(keyId).replicaRegion(B));
    return keyId;
  }

  private static String currentMaterial(KmsClient kms, String keyId) {
    return kms.describeKey(b -> b.keyId(keyId)).keyMetadata().currentKeyMaterialId();
  }

  private static SdkBytes encrypt(KmsClient kms, String keyId) {
    return kms.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)).ciphertextBlob();
  }

  private static SdkBytes decrypt(KmsClient kms, SdkBytes blob) {
    return kms.decrypt(b -> b.ciphertextBlob(blob)).plaintext();
  }

  @Test
  void rotateKeyOnDemand_onThePrimary_givesTheReplicaTheNewMaterial_andOldBlobsOpenEverywhere() {
    String keyId = replicatedKey();
    String before = currentMaterial(kmsB, keyId);
    SdkBytes oldFromB = encrypt(kmsB, keyId);

    kmsA.rotateKeyOnDemand(b -> b.keyId(keyId));

    String after = currentMaterial(kmsA, keyId);
    assertNotEquals(before, after);
    assertEquals(after, currentMaterial(kmsB, keyId));
    SdkBytes newFromB = encrypt(kmsB, keyId);
    assertEquals(
        after,
        kmsA.decrypt(b -> b.ciphertextBlob(newFromB)).keyMaterialId(),
        "a replica encrypts with the rotated material");
    for (KmsClient kms : List.of(kmsA, kmsB)) {
      assertArrayEquals(PLAINTEXT.asByteArray(), decrypt(kms, oldFromB).asByteArray());
      assertArrayEquals(PLAINTEXT.asByteArray(), decrypt(kms, newFromB).asByteArray());
    }
  }

  @Test
  void aReplica_refusesEveryRotationChange_butReportsItsPrimarysStatusAndRotations() {
    String keyId = replicatedKey();
    kmsA.enableKeyRotation(b -> b.keyId(keyId).rotationPeriodInDays(180));
    kmsA.rotateKeyOnDemand(b -> b.keyId(keyId));

    UnsupportedOperationException enable =
        assertThrows(
            UnsupportedOperationException.class, () -> kmsB.enableKeyRotation(b -> b.keyId(keyId)));
    assertTrue(enable.awsErrorDetails().errorMessage().contains("replica"), enable.getMessage());
    assertThrows(
        UnsupportedOperationException.class, () -> kmsB.disableKeyRotation(b -> b.keyId(keyId)));
    assertThrows(
        UnsupportedOperationException.class, () -> kmsB.rotateKeyOnDemand(b -> b.keyId(keyId)));

    GetKeyRotationStatusResponse status = kmsB.getKeyRotationStatus(b -> b.keyId(keyId));
    assertTrue(status.keyRotationEnabled());
    assertEquals(180, status.rotationPeriodInDays());
    List<RotationsListEntry> rotations = kmsB.listKeyRotations(b -> b.keyId(keyId)).rotations();
    assertEquals(1, rotations.size());
    assertEquals(RotationType.ON_DEMAND, rotations.get(0).rotationType());
  }

  @Test
  void updatePrimaryRegion_movesTheRotationScheduleAndHistory_toTheNewPrimary() {
    String keyId = replicatedKey();
    kmsA.enableKeyRotation(b -> b.keyId(keyId).rotationPeriodInDays(90));
    kmsA.rotateKeyOnDemand(b -> b.keyId(keyId));

    kmsA.updatePrimaryRegion(b -> b.keyId(keyId).primaryRegion(B));

    assertEquals(90, kmsB.getKeyRotationStatus(b -> b.keyId(keyId)).rotationPeriodInDays());
    assertEquals(1, kmsB.listKeyRotations(b -> b.keyId(keyId)).rotations().size());
    assertThrows(
        UnsupportedOperationException.class, () -> kmsA.rotateKeyOnDemand(b -> b.keyId(keyId)));
    String before = currentMaterial(kmsA, keyId);
    kmsB.rotateKeyOnDemand(b -> b.keyId(keyId));
    assertNotEquals(before, currentMaterial(kmsA, keyId));
    assertEquals(2, kmsA.listKeyRotations(b -> b.keyId(keyId)).rotations().size());
  }
}
