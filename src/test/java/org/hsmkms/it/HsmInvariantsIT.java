package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.hsmkms.crypto.CiphertextBlob;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.hsm.pkcs11.Pkcs11Diagnostics;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;

/**
 * What the token and the ciphertext blob guarantee: CMKs are token objects that never leave the
 * HSM, and a blob authenticates every one of its bytes, its length, its key and its context.
 */
class HsmInvariantsIT {
  private static final TestServer SERVER = TestServer.shared();
  private static final KmsClient KMS = SERVER.client();

  private static String keyA;
  private static String keyB;

  /** A GenerateDataKey (32 bytes) blob under key A, and its plaintext. */
  private static byte[] dataKeyBlob;

  private static byte[] dataKeyPlaintext;

  @BeforeAll
  static void createKeysAndBlob() {
    keyA = KMS.createKey(b -> b.description("hsm invariants A")).keyMetadata().keyId();
    keyB = KMS.createKey(b -> b.description("hsm invariants B")).keyMetadata().keyId();
    var dk = KMS.generateDataKey(b -> b.keyId(keyA).keySpec(DataKeySpec.AES_256));
    dataKeyBlob = dk.ciphertextBlob().asByteArray();
    dataKeyPlaintext = dk.plaintext().asByteArray();
  }

  private static MaterialId material(String keyId) {
    return MaterialId.of(materialId(keyId));
  }

  private static byte[] materialId(String keyId) {
    String hex = SERVER.app().store().findKey(keyId).orElseThrow().currentMaterialId();
    return HexFormat.of().parseHex(hex);
  }

  private static byte[] decrypt(byte[] blob) {
    return KMS.decrypt(b -> b.ciphertextBlob(SdkBytes.fromByteArray(blob)))
        .plaintext()
        .asByteArray();
  }

  private static byte[] uuidBytes(String keyId) {
    UUID u = UUID.fromString(keyId);
    return ByteBuffer.allocate(16)
        .putLong(u.getMostSignificantBits())
        .putLong(u.getLeastSignificantBits())
        .array();
  }

  @Test
  void createdKey_isATokenObject_sensitive_neverExtractable() {
    String keyId = KMS.createKey(b -> {}).keyMetadata().keyId();

    Pkcs11Diagnostics.KeyAttributes a =
        SERVER.app().hsm().diagnostics().keyAttributes(material(keyId));

    assertEquals(new Pkcs11Diagnostics.KeyAttributes(true, true, false, true), a);
  }

  @Test
  void createdKey_hasItsMaterialIdAsCkaId_listedAmongTheServicesTokenObjects() {
    MaterialId material = material(keyA);
    assertTrue(SERVER.app().hsm().inventory().keyExists(material));
    assertTrue(SERVER.app().hsm().inventory().listKeyIds().stream().anyMatch(material::equals));
  }

  @Test
  void dataKeyBlob_hasTheDocumentedLayout() {
    assertEquals(CiphertextBlob.OVERHEAD + 32, dataKeyBlob.length);
    assertEquals(CiphertextBlob.VERSION_1, dataKeyBlob[0]);
    assertArrayEquals(uuidBytes(keyA), Arrays.copyOfRange(dataKeyBlob, 1, 17));
    assertArrayEquals(materialId(keyA), Arrays.copyOfRange(dataKeyBlob, 17, 33));
    assertArrayEquals(dataKeyPlaintext, decrypt(dataKeyBlob));
  }

  @Test
  void twoEncryptionsOfTheSamePlaintext_useDifferentIvs() {
    SdkBytes pt = SdkBytes.fromUtf8String("same plaintext");
    byte[] one = KMS.encrypt(b -> b.keyId(keyA).plaintext(pt)).ciphertextBlob().asByteArray();
    byte[] two = KMS.encrypt(b -> b.keyId(keyA).plaintext(pt)).ciphertextBlob().asByteArray();
    assertFalse(Arrays.equals(Arrays.copyOfRange(one, 33, 45), Arrays.copyOfRange(two, 33, 45)));
  }

  @ParameterizedTest(name = "xor 0x{0}")
  @ValueSource(strings = {"01", "80", "ff"})
  void flippingAnyByteOfABlob_isInvalidCiphertext(String mask) {
    byte m = (byte) Integer.parseInt(mask, 16);
    for (int i = 0; i < dataKeyBlob.length; i++) {
      byte[] flipped = dataKeyBlob.clone();
      flipped[i] ^= m;
      int at = i;
      assertThrows(
          InvalidCiphertextException.class,
          () -> decrypt(flipped),
          "byte " + at + " flipped with 0x" + mask + " still decrypted");
    }
  }

  @Test
  void truncatingABlobToAnyShorterLength_isInvalidCiphertext() {
    // Length 0 is a ValidationException (CiphertextBlob has min length 1 in the model).
    for (int length = 1; length < dataKeyBlob.length; length++) {
      byte[] truncated = Arrays.copyOf(dataKeyBlob, length);
      int at = length;
      assertThrows(
          InvalidCiphertextException.class,
          () -> decrypt(truncated),
          "blob truncated to " + at + " bytes still decrypted");
    }
  }

  @ParameterizedTest(name = "appended 0x{0}")
  @ValueSource(strings = {"00", "01", "ff"})
  void appendingAByteToABlob_isInvalidCiphertext(String extra) {
    byte[] longer = Arrays.copyOf(dataKeyBlob, dataKeyBlob.length + 1);
    longer[dataKeyBlob.length] = (byte) Integer.parseInt(extra, 16);
    assertThrows(InvalidCiphertextException.class, () -> decrypt(longer));
  }

  @Test
  void contextsAbCAndABc_doNotDecryptEachOthersBlobs() {
    Map<String, String> abC = Map.of("ab", "c");
    Map<String, String> aBc = Map.of("a", "bc");
    SdkBytes pt = SdkBytes.fromUtf8String("bound to its context");
    SdkBytes underAbC =
        KMS.encrypt(b -> b.keyId(keyA).plaintext(pt).encryptionContext(abC)).ciphertextBlob();
    SdkBytes underABc =
        KMS.encrypt(b -> b.keyId(keyA).plaintext(pt).encryptionContext(aBc)).ciphertextBlob();

    assertThrows(
        InvalidCiphertextException.class,
        () -> KMS.decrypt(b -> b.ciphertextBlob(underAbC).encryptionContext(aBc)));
    assertThrows(
        InvalidCiphertextException.class,
        () -> KMS.decrypt(b -> b.ciphertextBlob(underABc).encryptionContext(abC)));
    assertThrows(
        InvalidCiphertextException.class, () -> KMS.decrypt(b -> b.ciphertextBlob(underAbC)));
    assertEquals(
        pt, KMS.decrypt(b -> b.ciphertextBlob(underAbC).encryptionContext(abC)).plaintext());
    assertEquals(
        pt, KMS.decrypt(b -> b.ciphertextBlob(underABc).encryptionContext(aBc)).plaintext());
  }

  @Test
  void blobWithKeyIdSwappedToAnotherKey_isInvalidCiphertext() {
    byte[] swapped = dataKeyBlob.clone();
    System.arraycopy(uuidBytes(keyB), 0, swapped, 1, 16);

    assertThrows(InvalidCiphertextException.class, () -> decrypt(swapped));
    assertThrows(
        InvalidCiphertextException.class,
        () -> KMS.decrypt(b -> b.ciphertextBlob(SdkBytes.fromByteArray(swapped)).keyId(keyB)));
  }

  @Test
  void blobWithKeyIdAndMaterialIdSwappedToAnotherKey_isInvalidCiphertext() {
    // Key B's material exists and belongs to key B, but the AAD and the key both differ.
    byte[] swapped = dataKeyBlob.clone();
    System.arraycopy(uuidBytes(keyB), 0, swapped, 1, 16);
    System.arraycopy(materialId(keyB), 0, swapped, 17, 16);

    assertThrows(InvalidCiphertextException.class, () -> decrypt(swapped));
  }

  @Test
  void blobWithMaterialIdOfAnotherKey_isInvalidCiphertext() {
    // Key A's id with key B's material: material that is not A's must never be used for A.
    byte[] swapped = dataKeyBlob.clone();
    System.arraycopy(materialId(keyB), 0, swapped, 17, 16);

    assertThrows(InvalidCiphertextException.class, () -> decrypt(swapped));
  }

  @Test
  void everyInvalidCiphertextAnswer_isTheSameBareError() {
    byte[] flippedTag = dataKeyBlob.clone();
    flippedTag[flippedTag.length - 1] ^= 1;
    byte[] flippedKeyId = dataKeyBlob.clone();
    flippedKeyId[1] ^= 1;
    byte[] badVersion = dataKeyBlob.clone();
    badVersion[0] = 2;

    var answers =
        IntStream.range(0, 3)
            .mapToObj(
                i ->
                    switch (i) {
                      case 0 -> flippedTag;
                      case 1 -> flippedKeyId;
                      default -> badVersion;
                    })
            .map(blob -> assertThrows(InvalidCiphertextException.class, () -> decrypt(blob)))
            .map(
                e ->
                    e.awsErrorDetails().errorCode()
                        + "|"
                        + e.statusCode()
                        + "|"
                        + e.awsErrorDetails().errorMessage())
            .distinct()
            .toList();

    assertEquals(1, answers.size(), answers.toString());
    assertTrue(answers.get(0).startsWith("InvalidCiphertextException|400|"), answers.get(0));
    assertFalse(answers.get(0).contains(keyA), answers.get(0));
  }
}
