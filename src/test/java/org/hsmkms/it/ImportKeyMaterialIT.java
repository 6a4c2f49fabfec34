package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import org.hsmkms.testing.TestServer;
import org.hsmkms.testing.TestToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.AlgorithmSpec;
import software.amazon.awssdk.services.kms.model.ExpirationModelType;
import software.amazon.awssdk.services.kms.model.GetParametersForImportResponse;
import software.amazon.awssdk.services.kms.model.ImportKeyMaterialResponse;
import software.amazon.awssdk.services.kms.model.IncorrectKeyMaterialException;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.InvalidImportTokenException;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kms.model.OriginType;
import software.amazon.awssdk.services.kms.model.UnsupportedOperationException;
import software.amazon.awssdk.services.kms.model.WrappingKeySpec;

/**
 * ImportKeyMaterial for symmetric encryption keys through the AWS SDK: every wrapping algorithm,
 * wrapped by the JDK and by OpenSSL as AWS documents it; re-import of the same material; other and
 * malformed material; tokens of other keys; and AWS's errors around them.
 */
class ImportKeyMaterialIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();

  static String externalKey(KmsClient kms) {
    return kms.createKey(b -> b.origin(OriginType.EXTERNAL).description("imported"))
        .keyMetadata()
        .keyId();
  }

  static GetParametersForImportResponse parameters(KmsClient kms, String keyId, String algorithm) {
    return kms.getParametersForImport(
        b -> b.keyId(keyId).wrappingAlgorithm(algorithm).wrappingKeySpec(WrappingKeySpec.RSA_2048));
  }

  static ImportKeyMaterialResponse importMaterial(
      KmsClient kms, String keyId, GetParametersForImportResponse p, byte[] wrapped) {
    return kms.importKeyMaterial(
        b ->
            b.keyId(keyId)
                .importToken(p.importToken())
                .encryptedKeyMaterial(SdkBytes.fromByteArray(wrapped))
                .expirationModel(ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE));
  }

  static byte[] aesMaterial() {
    byte[] m = new byte[32];
    RANDOM.nextBytes(m);
    return m;
  }

  private byte[] encrypt(String keyId, String text) {
    return kms.encrypt(b -> b.keyId(keyId).plaintext(SdkBytes.fromUtf8String(text)))
        .ciphertextBlob()
        .asByteArray();
  }

  private String decrypt(byte[] blob) {
    return kms.decrypt(b -> b.ciphertextBlob(SdkBytes.fromByteArray(blob)))
        .plaintext()
        .asUtf8String();
  }

  @Test
  void createKey_withOriginExternal_isPendingImportAndRefusesEncryptAsAws() {
    KeyMetadata md = kms.createKey(b -> b.origin(OriginType.EXTERNAL)).keyMetadata();
    assertEquals(KeyState.PENDING_IMPORT, md.keyState());
    assertEquals(OriginType.EXTERNAL, md.origin());
    assertEquals(false, md.enabled());
    assertNull(md.expirationModel());
    KmsInvalidStateException e =
        assertThrows(KmsInvalidStateException.class, () -> encrypt(md.keyId(), "x"));
    assertEquals(md.arn() + " is pending import.", e.awsErrorDetails().errorMessage());
    assertThrows(KmsInvalidStateException.class, () -> kms.enableKey(b -> b.keyId(md.keyId())));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "RSAES_OAEP_SHA_1",
        "RSAES_OAEP_SHA_256",
        "RSA_AES_KEY_WRAP_SHA_1",
        "RSA_AES_KEY_WRAP_SHA_256"
      })
  void importKeyMaterial_wrappedByTheJdk_eachAlgorithm_enablesTheKey(String algorithm)
      throws Exception {
    String keyId = externalKey(kms);
    GetParametersForImportResponse p = parameters(kms, keyId, algorithm);
    assertTrue(p.parametersValidTo().isAfter(server.clock().instant().plus(Duration.ofHours(23))));
    importMaterial(
        kms, keyId, p, ImportWrapping.jdk(algorithm, p.publicKey().asByteArray(), aesMaterial()));
    KeyMetadata md = kms.describeKey(b -> b.keyId(keyId)).keyMetadata();
    assertEquals(KeyState.ENABLED, md.keyState());
    assertEquals(ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE, md.expirationModel());
    assertEquals("secret " + algorithm, decrypt(encrypt(keyId, "secret " + algorithm)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "RSAES_OAEP_SHA_1",
        "RSAES_OAEP_SHA_256",
        "RSA_AES_KEY_WRAP_SHA_1",
        "RSA_AES_KEY_WRAP_SHA_256"
      })
  void importKeyMaterial_wrappedByOpensslAsAwsDocumentsIt_enablesTheKey(String algorithm)
      throws Exception {
    String keyId = externalKey(kms);
    GetParametersForImportResponse p = parameters(kms, keyId, algorithm);
    byte[] wrapped =
        ImportWrapping.openssl(
            algorithm,
            p.publicKey().asByteArray(),
            aesMaterial(),
            TestToken.dir().resolve("openssl-" + keyId));
    importMaterial(kms, keyId, p, wrapped);
    assertEquals("via openssl", decrypt(encrypt(keyId, "via openssl")));
  }

  @Test
  void deleteImportedKeyMaterial_thenTheSameMaterialAgain_restoresOldCiphertexts()
      throws Exception {
    String keyId = externalKey(kms);
    byte[] material = aesMaterial();
    GetParametersForImportResponse p = parameters(kms, keyId, "RSA_AES_KEY_WRAP_SHA_256");
    byte[] spki = p.publicKey().asByteArray();
    ImportKeyMaterialResponse imported =
        importMaterial(
            kms, keyId, p, ImportWrapping.jdk("RSA_AES_KEY_WRAP_SHA_256", spki, material));
    String materialId = kms.describeKey(b -> b.keyId(keyId)).keyMetadata().currentKeyMaterialId();
    assertTrue(materialId.matches("[0-9a-f]{64}"), materialId);
    assertEquals(materialId, imported.keyMaterialId());
    byte[] old = encrypt(keyId, "before deletion");

    assertEquals(materialId, kms.deleteImportedKeyMaterial(b -> b.keyId(keyId)).keyMaterialId());
    assertEquals(
        KeyState.PENDING_IMPORT, kms.describeKey(b -> b.keyId(keyId)).keyMetadata().keyState());
    assertThrows(KmsInvalidStateException.class, () -> decrypt(old));

    // Other material (wrapped correctly) is refused; the key stays without material.
    GetParametersForImportResponse p2 = parameters(kms, keyId, "RSAES_OAEP_SHA_1");
    byte[] spki2 = p2.publicKey().asByteArray();
    assertThrows(
        IncorrectKeyMaterialException.class,
        () ->
            importMaterial(
                kms, keyId, p2, ImportWrapping.jdk("RSAES_OAEP_SHA_1", spki2, aesMaterial())));
    assertEquals(
        KeyState.PENDING_IMPORT, kms.describeKey(b -> b.keyId(keyId)).keyMetadata().keyState());

    // The same material, with another wrapping key and algorithm: old ciphertexts decrypt again.
    assertEquals(
        materialId,
        importMaterial(kms, keyId, p2, ImportWrapping.jdk("RSAES_OAEP_SHA_1", spki2, material))
            .keyMaterialId());
    assertEquals("before deletion", decrypt(old));
  }

  @Test
  void
      importKeyMaterial_otherMaterialWhileEnabled_isIncorrectKeyMaterial_sameMaterialUpdatesExpiry()
          throws Exception {
    String keyId = externalKey(kms);
    byte[] material = aesMaterial();
    GetParametersForImportResponse p = parameters(kms, keyId, "RSAES_OAEP_SHA_256");
    byte[] spki = p.publicKey().asByteArray();
    importMaterial(kms, keyId, p, ImportWrapping.jdk("RSAES_OAEP_SHA_256", spki, material));
    byte[] blob = encrypt(keyId, "kept");
    assertThrows(
        IncorrectKeyMaterialException.class,
        () ->
            importMaterial(
                kms, keyId, p, ImportWrapping.jdk("RSAES_OAEP_SHA_256", spki, aesMaterial())));
    Instant validTo = server.clock().instant().plus(Duration.ofDays(30));
    byte[] again = ImportWrapping.jdk("RSAES_OAEP_SHA_256", spki, material);
    kms.importKeyMaterial(
        b ->
            b.keyId(keyId)
                .importToken(p.importToken())
                .encryptedKeyMaterial(SdkBytes.fromByteArray(again))
                .expirationModel(ExpirationModelType.KEY_MATERIAL_EXPIRES)
                .validTo(validTo));
    KeyMetadata md = kms.describeKey(b -> b.keyId(keyId)).keyMetadata();
    assertEquals(ExpirationModelType.KEY_MATERIAL_EXPIRES, md.expirationModel());
    assertEquals(validTo.getEpochSecond(), md.validTo().getEpochSecond());
    assertEquals("kept", decrypt(blob));
  }

  @Test
  void importKeyMaterial_malformedOrFlipped_isInvalidCiphertext_andTheKeyStaysPending()
      throws Exception {
    String keyId = externalKey(kms);
    byte[] material = aesMaterial();
    for (String algorithm : new String[] {"RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1"}) {
      GetParametersForImportResponse p = parameters(kms, keyId, algorithm);
      byte[] wrapped = ImportWrapping.jdk(algorithm, p.publicKey().asByteArray(), material);
      for (int i : new int[] {0, 100, wrapped.length - 1}) {
        byte[] bad = wrapped.clone();
        bad[i] ^= 0x01;
        assertThrows(InvalidCiphertextException.class, () -> importMaterial(kms, keyId, p, bad));
      }
      assertThrows(
          InvalidCiphertextException.class,
          () -> importMaterial(kms, keyId, p, new byte[] {1, 2, 3}));
    }
    // 128-bit material is not a SYMMETRIC_DEFAULT key, even well wrapped. (Checked where the
    // service sees the length: RSAES_OAEP_SHA_256 on SoftHSM2; see docs/import.md.)
    GetParametersForImportResponse p = parameters(kms, keyId, "RSAES_OAEP_SHA_256");
    byte[] spki = p.publicKey().asByteArray();
    assertThrows(
        InvalidCiphertextException.class,
        () ->
            importMaterial(
                kms, keyId, p, ImportWrapping.jdk("RSAES_OAEP_SHA_256", spki, new byte[16])));
    assertEquals(
        KeyState.PENDING_IMPORT, kms.describeKey(b -> b.keyId(keyId)).keyMetadata().keyState());
    importMaterial(kms, keyId, p, ImportWrapping.jdk("RSAES_OAEP_SHA_256", spki, material));
    assertEquals("fine", decrypt(encrypt(keyId, "fine")));
  }

  @Test
  void importToken_ofAnotherKey_orForged_isInvalidImportToken() throws Exception {
    String keyA = externalKey(kms);
    String keyB = externalKey(kms);
    GetParametersForImportResponse pa = parameters(kms, keyA, "RSAES_OAEP_SHA_1");
    byte[] wrapped =
        ImportWrapping.jdk("RSAES_OAEP_SHA_1", pa.publicKey().asByteArray(), aesMaterial());
    assertThrows(InvalidImportTokenException.class, () -> importMaterial(kms, keyB, pa, wrapped));
    byte[] forged = pa.importToken().asByteArray();
    forged[5] ^= 0x02;
    assertThrows(
        InvalidImportTokenException.class,
        () ->
            kms.importKeyMaterial(
                b ->
                    b.keyId(keyA)
                        .importToken(SdkBytes.fromByteArray(forged))
                        .encryptedKeyMaterial(SdkBytes.fromByteArray(wrapped))
                        .expirationModel(ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE)));
    importMaterial(kms, keyA, pa, wrapped);
  }

  @Test
  void getParametersForImport_refusals_asAws() {
    String awsKey = kms.createKey(b -> b.description("aws origin")).keyMetadata().arn();
    UnsupportedOperationException origin =
        assertThrows(
            UnsupportedOperationException.class,
            () -> parameters(kms, awsKey, "RSAES_OAEP_SHA_256"));
    assertEquals(
        awsKey + " origin is AWS_KMS which is not valid for this operation.",
        origin.awsErrorDetails().errorMessage());
    String keyId = externalKey(kms);
    assertThrows(
        UnsupportedOperationException.class,
        () -> parameters(kms, keyId, AlgorithmSpec.RSAES_PKCS1_V1_5.toString()));
    assertThrows(
        UnsupportedOperationException.class,
        () ->
            kms.getParametersForImport(
                b ->
                    b.keyId(keyId)
                        .wrappingAlgorithm(AlgorithmSpec.RSAES_OAEP_SHA_256)
                        .wrappingKeySpec(WrappingKeySpec.SM2)));
    assertThrows(
        UnsupportedOperationException.class,
        () -> kms.deleteImportedKeyMaterial(b -> b.keyId(awsKey)));
  }

  private static void assertValidation(org.junit.jupiter.api.function.Executable call) {
    KmsException e = assertThrows(KmsException.class, call);
    assertEquals("ValidationException", e.awsErrorDetails().errorCode());
  }

  @Test
  void importKeyMaterial_expirationParameters_validatedAsAws() throws Exception {
    String keyId = externalKey(kms);
    GetParametersForImportResponse p = parameters(kms, keyId, "RSAES_OAEP_SHA_1");
    SdkBytes wrapped =
        SdkBytes.fromByteArray(
            ImportWrapping.jdk("RSAES_OAEP_SHA_1", p.publicKey().asByteArray(), aesMaterial()));
    Instant now = server.clock().instant();
    assertValidation(
        () ->
            kms.importKeyMaterial(
                b ->
                    b.keyId(keyId)
                        .importToken(p.importToken())
                        .encryptedKeyMaterial(wrapped)
                        .expirationModel(ExpirationModelType.KEY_MATERIAL_EXPIRES)));
    assertValidation(
        () ->
            kms.importKeyMaterial(
                b ->
                    b.keyId(keyId)
                        .importToken(p.importToken())
                        .encryptedKeyMaterial(wrapped)
                        .expirationModel(ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE)
                        .validTo(now.plus(Duration.ofDays(1)))));
    assertValidation(
        () ->
            kms.importKeyMaterial(
                b ->
                    b.keyId(keyId)
                        .importToken(p.importToken())
                        .encryptedKeyMaterial(wrapped)
                        .validTo(now.plus(Duration.ofDays(366)))));
    assertEquals(
        KeyState.PENDING_IMPORT, kms.describeKey(b -> b.keyId(keyId)).keyMetadata().keyState());
  }
}
