package org.hsmkms.it;

import static org.hsmkms.it.KmsTesting.assertAwsError;
import static org.hsmkms.it.KmsTesting.keyArn;
import static org.hsmkms.it.KmsTesting.newKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.GetKeyRotationStatusResponse;
import software.amazon.awssdk.services.kms.model.IncludeKeyMaterial;
import software.amazon.awssdk.services.kms.model.KeyMaterialState;
import software.amazon.awssdk.services.kms.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kms.model.LimitExceededException;
import software.amazon.awssdk.services.kms.model.ListKeyRotationsResponse;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.kms.model.RotationType;
import software.amazon.awssdk.services.kms.model.RotationsListEntry;
import software.amazon.awssdk.services.kms.model.UnsupportedOperationException;

/**
 * EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand and
 * ListKeyRotations through the AWS SDK, on the shared server (whose clock these tests do not move).
 */
class RotationIT {
  private static final TestServer SERVER = TestServer.shared();
  private static final SdkBytes PLAINTEXT = SdkBytes.fromUtf8String("rotate me");
  private final KmsClient kms = SERVER.client();

  private String currentMaterial(String keyId) {
    return SERVER.app().store().findKey(keyId).orElseThrow().currentMaterialId();
  }

  private static String wire(String materialHex) {
    return "0".repeat(64 - materialHex.length()) + materialHex;
  }

  @Test
  void newKey_hasRotationDisabled() {
    String keyId = newKey(kms);
    GetKeyRotationStatusResponse s = kms.getKeyRotationStatus(b -> b.keyId(keyId));
    assertFalse(s.keyRotationEnabled());
    assertEquals(keyArn(keyId), s.keyId());
    assertNull(s.rotationPeriodInDays());
    assertNull(s.nextRotationDate());
    assertNull(s.onDemandRotationStartDate());
  }

  @Test
  void enableKeyRotation_withoutPeriod_rotatesEvery365Days_fromNow() {
    String keyId = newKey(kms);
    // The store keeps milliseconds.
    Instant before = SERVER.clock().instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    kms.enableKeyRotation(b -> b.keyId(keyId));
    GetKeyRotationStatusResponse s = kms.getKeyRotationStatus(b -> b.keyId(keyArn(keyId)));
    assertTrue(s.keyRotationEnabled());
    assertEquals(365, s.rotationPeriodInDays());
    Duration untilNext = Duration.between(before, s.nextRotationDate());
    assertTrue(
        untilNext.compareTo(Duration.ofDays(365)) >= 0
            && untilNext.compareTo(Duration.ofDays(365).plusMinutes(1)) < 0,
        "next rotation in " + untilNext);
  }

  @Test
  void enableKeyRotation_again_changesThePeriod_fromTheSameBase() {
    String keyId = newKey(kms);
    kms.enableKeyRotation(b -> b.keyId(keyId).rotationPeriodInDays(730));
    Instant first = kms.getKeyRotationStatus(b -> b.keyId(keyId)).nextRotationDate();
    kms.enableKeyRotation(b -> b.keyId(keyId).rotationPeriodInDays(90));
    GetKeyRotationStatusResponse s = kms.getKeyRotationStatus(b -> b.keyId(keyId));
    assertEquals(90, s.rotationPeriodInDays());
    assertEquals(first.minus(Duration.ofDays(640)), s.nextRotationDate());
  }

  @Test
  void disableKeyRotation_turnsItOff() {
    String keyId = newKey(kms);
    kms.enableKeyRotation(b -> b.keyId(keyId).rotationPeriodInDays(100));
    kms.disableKeyRotation(b -> b.keyId(keyId));
    GetKeyRotationStatusResponse s = kms.getKeyRotationStatus(b -> b.keyId(keyId));
    assertFalse(s.keyRotationEnabled());
    assertNull(s.rotationPeriodInDays());
    assertNull(s.nextRotationDate());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 89, 2561})
  void enableKeyRotation_withPeriodOutside90To2560_isValidationException(int days) {
    String keyId = newKey(kms);
    var e =
        assertAwsError(
            "ValidationException",
            () -> kms.enableKeyRotation(b -> b.keyId(keyId).rotationPeriodInDays(days)));
    assertTrue(e.awsErrorDetails().errorMessage().contains("rotationPeriodInDays"));
    assertFalse(kms.getKeyRotationStatus(b -> b.keyId(keyId)).keyRotationEnabled());
  }

  @Test
  void enableKeyRotation_atTheBounds_isAccepted() {
    String keyId = newKey(kms);
    kms.enableKeyRotation(b -> b.keyId(keyId).rotationPeriodInDays(90));
    kms.enableKeyRotation(b -> b.keyId(keyId).rotationPeriodInDays(2560));
    assertEquals(2560, kms.getKeyRotationStatus(b -> b.keyId(keyId)).rotationPeriodInDays());
  }

  @Test
  void rotationOperations_onADisabledKey_areDisabledException() {
    String keyId = newKey(kms);
    kms.disableKey(b -> b.keyId(keyId));
    String message = keyArn(keyId) + " is disabled.";
    assertEquals(
        message,
        assertThrows(DisabledException.class, () -> kms.enableKeyRotation(b -> b.keyId(keyId)))
            .awsErrorDetails()
            .errorMessage());
    assertThrows(DisabledException.class, () -> kms.disableKeyRotation(b -> b.keyId(keyId)));
    assertThrows(DisabledException.class, () -> kms.rotateKeyOnDemand(b -> b.keyId(keyId)));
    // Reading is allowed in any state.
    assertFalse(kms.getKeyRotationStatus(b -> b.keyId(keyId)).keyRotationEnabled());
    assertTrue(kms.listKeyRotations(b -> b.keyId(keyId)).rotations().isEmpty());
  }

  @Test
  void pendingDeletion_refusesChanges_andReportsRotationOff_untilCancelled() {
    String keyId = newKey(kms);
    kms.enableKeyRotation(b -> b.keyId(keyId));
    kms.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7));
    var e =
        assertThrows(
            KmsInvalidStateException.class, () -> kms.rotateKeyOnDemand(b -> b.keyId(keyId)));
    assertEquals(keyArn(keyId) + " is pending deletion.", e.awsErrorDetails().errorMessage());
    assertThrows(KmsInvalidStateException.class, () -> kms.enableKeyRotation(b -> b.keyId(keyId)));
    // AWS: "While a KMS key is pending deletion, its key rotation status is false".
    assertFalse(kms.getKeyRotationStatus(b -> b.keyId(keyId)).keyRotationEnabled());
    kms.cancelKeyDeletion(b -> b.keyId(keyId));
    // "If you cancel the deletion, the original key rotation status is restored."
    assertTrue(kms.getKeyRotationStatus(b -> b.keyId(keyId)).keyRotationEnabled());
  }

  @Test
  void unknownKey_isNotFoundException_inAwsWords() {
    String keyId = UUID.randomUUID().toString();
    var e = assertThrows(NotFoundException.class, () -> kms.rotateKeyOnDemand(b -> b.keyId(keyId)));
    assertEquals("Key '" + keyArn(keyId) + "' does not exist", e.awsErrorDetails().errorMessage());
    assertThrows(NotFoundException.class, () -> kms.getKeyRotationStatus(b -> b.keyId(keyId)));
    assertThrows(NotFoundException.class, () -> kms.listKeyRotations(b -> b.keyId(keyId)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"HMAC_256", "RSA_2048", "ECC_NIST_P256"})
  void keysThatAreNotSymmetricEncryptionKeys_doNotRotate(String spec) {
    String usage =
        spec.startsWith("HMAC")
            ? "GENERATE_VERIFY_MAC"
            : spec.startsWith("RSA") ? "ENCRYPT_DECRYPT" : "SIGN_VERIFY";
    String keyId = kms.createKey(b -> b.keySpec(spec).keyUsage(usage)).keyMetadata().keyId();
    String message = keyArn(keyId) + " is not a symmetric encryption KMS key.";
    var e =
        assertThrows(
            UnsupportedOperationException.class, () -> kms.enableKeyRotation(b -> b.keyId(keyId)));
    assertEquals(message, e.awsErrorDetails().errorMessage());
    assertThrows(
        UnsupportedOperationException.class, () -> kms.disableKeyRotation(b -> b.keyId(keyId)));
    assertThrows(
        UnsupportedOperationException.class, () -> kms.rotateKeyOnDemand(b -> b.keyId(keyId)));
    assertThrows(
        UnsupportedOperationException.class, () -> kms.listKeyRotations(b -> b.keyId(keyId)));
    // AWS: for these keys "the key rotation status ... is always false".
    assertFalse(kms.getKeyRotationStatus(b -> b.keyId(keyId)).keyRotationEnabled());
  }

  @Test
  void rotateKeyOnDemand_makesANewCurrentMaterial_andEveryOldCiphertextStillDecrypts() {
    String keyId = newKey(kms);
    String first = currentMaterial(keyId);
    SdkBytes oldBlob = kms.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)).ciphertextBlob();

    assertEquals(keyArn(keyId), kms.rotateKeyOnDemand(b -> b.keyId(keyId)).keyId());

    String second = currentMaterial(keyId);
    assertNotEquals(first, second);
    assertTrue(SERVER.app().hsm().inventory().keyExists(org.hsmkms.hsm.MaterialId.fromHex(second)));
    ListKeyRotationsResponse list = kms.listKeyRotations(b -> b.keyId(keyId));
    assertEquals(1, list.rotations().size());
    RotationsListEntry r = list.rotations().get(0);
    assertEquals(RotationType.ON_DEMAND, r.rotationType());
    assertEquals(wire(second), r.keyMaterialId());
    assertEquals(64, r.keyMaterialId().length());
    assertEquals(keyArn(keyId), r.keyId());
    assertEquals(KeyMaterialState.CURRENT, r.keyMaterialState());
    assertTrue(r.rotationDate() != null);
    assertFalse(list.truncated());

    SdkBytes newBlob = kms.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)).ciphertextBlob();
    assertEquals(PLAINTEXT, kms.decrypt(b -> b.ciphertextBlob(oldBlob)).plaintext());
    assertEquals(PLAINTEXT, kms.decrypt(b -> b.ciphertextBlob(newBlob)).plaintext());
    // A blob names its material (bytes 2.. after version and key id; see ciphertext-format.md):
    // the new one is made with the new material, the old one with the first.
    assertTrue(contains(newBlob.asByteArray(), java.util.HexFormat.of().parseHex(second)));
    assertTrue(contains(oldBlob.asByteArray(), java.util.HexFormat.of().parseHex(first)));
    assertFalse(contains(newBlob.asByteArray(), java.util.HexFormat.of().parseHex(first)));
  }

  @Test
  void listKeyRotations_allKeyMaterial_listsTheInitialMaterialFirst_andPages() {
    String keyId = newKey(kms);
    String first = currentMaterial(keyId);
    for (int i = 0; i < 3; i++) {
      kms.rotateKeyOnDemand(b -> b.keyId(keyId));
    }
    String current = currentMaterial(keyId);
    List<RotationsListEntry> all = new ArrayList<>();
    String marker = null;
    int pages = 0;
    do {
      String m = marker;
      ListKeyRotationsResponse page =
          kms.listKeyRotations(
              b ->
                  b.keyId(keyId)
                      .includeKeyMaterial(IncludeKeyMaterial.ALL_KEY_MATERIAL)
                      .limit(3)
                      .marker(m));
      all.addAll(page.rotations());
      marker = page.truncated() ? page.nextMarker() : null;
      pages++;
    } while (marker != null);
    assertEquals(2, pages);
    assertEquals(4, all.size(), all::toString);
    assertEquals(wire(first), all.get(0).keyMaterialId(), () -> first + " " + all);
    assertEquals(wire(first), all.get(0).keyMaterialId());
    assertNull(all.get(0).rotationType());
    assertEquals(KeyMaterialState.NON_CURRENT, all.get(0).keyMaterialState());
    assertEquals(wire(current), all.get(3).keyMaterialId());
    assertEquals(KeyMaterialState.CURRENT, all.get(3).keyMaterialState());
    assertEquals(3, kms.listKeyRotations(b -> b.keyId(keyId)).rotations().size(), "ROTATIONS_ONLY");
    assertAwsError(
        "InvalidMarkerException",
        () -> kms.listKeyRotations(b -> b.keyId(keyId).marker("bm90LWEtbWFya2Vy")));
  }

  @Test
  void rotateKeyOnDemand_25TimesPerKey_thenLimitExceededException() {
    String keyId = newKey(kms);
    SdkBytes firstBlob = kms.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)).ciphertextBlob();
    for (int i = 0; i < 25; i++) {
      kms.rotateKeyOnDemand(b -> b.keyId(keyId));
    }
    String current = currentMaterial(keyId);
    assertThrows(LimitExceededException.class, () -> kms.rotateKeyOnDemand(b -> b.keyId(keyId)));
    assertEquals(current, currentMaterial(keyId), "the refused rotation made no material");
    assertEquals(26, SERVER.app().store().materials(keyId).size());
    assertEquals(PLAINTEXT, kms.decrypt(b -> b.ciphertextBlob(firstBlob)).plaintext());
  }

  @Test
  void materialIds_areReported_whereTheModelHasThem() {
    String keyId = newKey(kms);
    String first = wire(currentMaterial(keyId));
    assertEquals(first, kms.describeKey(b -> b.keyId(keyId)).keyMetadata().currentKeyMaterialId());
    SdkBytes oldBlob = kms.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT)).ciphertextBlob();
    kms.rotateKeyOnDemand(b -> b.keyId(keyId));
    String second = wire(currentMaterial(keyId));
    assertEquals(second, kms.describeKey(b -> b.keyId(keyId)).keyMetadata().currentKeyMaterialId());

    assertEquals(first, kms.decrypt(b -> b.ciphertextBlob(oldBlob)).keyMaterialId());
    var dk =
        kms.generateDataKey(
            b ->
                b.keyId(keyId)
                    .keySpec(software.amazon.awssdk.services.kms.model.DataKeySpec.AES_256));
    assertEquals(second, dk.keyMaterialId());
    assertEquals(
        second,
        kms.generateDataKeyWithoutPlaintext(b -> b.keyId(keyId).numberOfBytes(16)).keyMaterialId());
    assertEquals(second, kms.decrypt(b -> b.ciphertextBlob(dk.ciphertextBlob())).keyMaterialId());
    var re = kms.reEncrypt(b -> b.ciphertextBlob(oldBlob).destinationKeyId(keyId));
    assertEquals(first, re.sourceKeyMaterialId());
    assertEquals(second, re.destinationKeyMaterialId());

    String hmac =
        kms.createKey(b -> b.keySpec("HMAC_256").keyUsage("GENERATE_VERIFY_MAC"))
            .keyMetadata()
            .keyId();
    assertNull(kms.describeKey(b -> b.keyId(hmac)).keyMetadata().currentKeyMaterialId());
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
