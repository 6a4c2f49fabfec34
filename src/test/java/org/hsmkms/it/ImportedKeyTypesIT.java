package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.GetParametersForImportResponse;
import software.amazon.awssdk.services.kms.model.IncorrectKeyMaterialException;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.MacAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.MessageType;
import software.amazon.awssdk.services.kms.model.OriginType;
import software.amazon.awssdk.services.kms.model.SigningAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.UnsupportedOperationException;

/**
 * Imported HMAC and RSA key material through the AWS SDK: the HSM object holds exactly the imported
 * bytes (GenerateMac equals the JDK's HMAC under them; a KMS signature verifies under the imported
 * key's public key, and GetPublicKey answers it).
 */
class ImportedKeyTypesIT {
  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();

  @Test
  void hmacKey_importedMaterial_generateMacEqualsTheJdksHmacOverTheSameBytes() throws Exception {
    String keyId =
        kms.createKey(
                b ->
                    b.origin(OriginType.EXTERNAL)
                        .keySpec(KeySpec.HMAC_256)
                        .keyUsage(KeyUsageType.GENERATE_VERIFY_MAC))
            .keyMetadata()
            .keyId();
    byte[] material = new byte[48];
    new java.security.SecureRandom().nextBytes(material);
    GetParametersForImportResponse p =
        ImportKeyMaterialIT.parameters(kms, keyId, "RSA_AES_KEY_WRAP_SHA_256");
    ImportKeyMaterialIT.importMaterial(
        kms,
        keyId,
        p,
        ImportWrapping.jdk("RSA_AES_KEY_WRAP_SHA_256", p.publicKey().asByteArray(), material));
    byte[] message = "message to authenticate".getBytes();
    byte[] tag =
        kms.generateMac(
                b ->
                    b.keyId(keyId)
                        .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256)
                        .message(SdkBytes.fromByteArray(message)))
            .mac()
            .asByteArray();
    Mac jdk = Mac.getInstance("HmacSHA256");
    jdk.init(new SecretKeySpec(material, "HmacSHA256"));
    assertArrayEquals(jdk.doFinal(message), tag);
    assertTrue(
        kms.verifyMac(
                b ->
                    b.keyId(keyId)
                        .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256)
                        .message(SdkBytes.fromByteArray(message))
                        .mac(SdkBytes.fromByteArray(tag)))
            .macValid());

    // An HMAC key shorter than the digest is not HMAC_256 material (through the OAEP path).
    String shortKey =
        kms.createKey(
                b ->
                    b.origin(OriginType.EXTERNAL)
                        .keySpec(KeySpec.HMAC_256)
                        .keyUsage(KeyUsageType.GENERATE_VERIFY_MAC))
            .keyMetadata()
            .keyId();
    GetParametersForImportResponse ps =
        ImportKeyMaterialIT.parameters(kms, shortKey, "RSAES_OAEP_SHA_256");
    byte[] wrappedShort =
        ImportWrapping.jdk("RSAES_OAEP_SHA_256", ps.publicKey().asByteArray(), new byte[16]);
    assertThrows(
        software.amazon.awssdk.services.kms.model.InvalidCiphertextException.class,
        () -> ImportKeyMaterialIT.importMaterial(kms, shortKey, ps, wrappedShort));
  }

  @Test
  void rsaSigningKey_importedPkcs8_signsVerifiablyUnderItsOwnPublicKey() throws Exception {
    String keyId =
        kms.createKey(
                b ->
                    b.origin(OriginType.EXTERNAL)
                        .keySpec(KeySpec.RSA_2048)
                        .keyUsage(KeyUsageType.SIGN_VERIFY))
            .keyMetadata()
            .keyId();
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair pair = g.generateKeyPair();

    // RSA private keys need an RSA_AES wrapping algorithm (AWS).
    KmsException oaep =
        assertThrows(
            KmsException.class,
            () -> ImportKeyMaterialIT.parameters(kms, keyId, "RSAES_OAEP_SHA_256"));
    assertEquals("ValidationException", oaep.awsErrorDetails().errorCode());

    GetParametersForImportResponse p =
        ImportKeyMaterialIT.parameters(kms, keyId, "RSA_AES_KEY_WRAP_SHA_256");
    ImportKeyMaterialIT.importMaterial(
        kms,
        keyId,
        p,
        ImportWrapping.jdk(
            "RSA_AES_KEY_WRAP_SHA_256",
            p.publicKey().asByteArray(),
            pair.getPrivate().getEncoded()));

    assertArrayEquals(
        pair.getPublic().getEncoded(),
        kms.getPublicKey(b -> b.keyId(keyId)).publicKey().asByteArray());
    byte[] message = "signed by imported material".getBytes();
    byte[] signature =
        kms.sign(
                b ->
                    b.keyId(keyId)
                        .messageType(MessageType.RAW)
                        .signingAlgorithm(SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_256)
                        .message(SdkBytes.fromByteArray(message)))
            .signature()
            .asByteArray();
    Signature jdk = Signature.getInstance("SHA256withRSA");
    jdk.initVerify(pair.getPublic());
    jdk.update(message);
    assertTrue(jdk.verify(signature));
    assertTrue(
        kms.verify(
                b ->
                    b.keyId(keyId)
                        .messageType(MessageType.RAW)
                        .signingAlgorithm(SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_256)
                        .message(SdkBytes.fromByteArray(message))
                        .signature(SdkBytes.fromByteArray(signature)))
            .signatureValid());

    // Another RSA key is other material, refused even after deletion.
    kms.deleteImportedKeyMaterial(b -> b.keyId(keyId));
    KeyPair other = g.generateKeyPair();
    GetParametersForImportResponse p2 =
        ImportKeyMaterialIT.parameters(kms, keyId, "RSA_AES_KEY_WRAP_SHA_1");
    byte[] wrappedOther =
        ImportWrapping.jdk(
            "RSA_AES_KEY_WRAP_SHA_1",
            p2.publicKey().asByteArray(),
            other.getPrivate().getEncoded());
    assertThrows(
        IncorrectKeyMaterialException.class,
        () -> ImportKeyMaterialIT.importMaterial(kms, keyId, p2, wrappedOther));
    ImportKeyMaterialIT.importMaterial(
        kms,
        keyId,
        p2,
        ImportWrapping.jdk(
            "RSA_AES_KEY_WRAP_SHA_1",
            p2.publicKey().asByteArray(),
            pair.getPrivate().getEncoded()));
    assertTrue(
        kms.verify(
                b ->
                    b.keyId(keyId)
                        .messageType(MessageType.RAW)
                        .signingAlgorithm(SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_256)
                        .message(SdkBytes.fromByteArray(message))
                        .signature(SdkBytes.fromByteArray(signature)))
            .signatureValid());
  }

  @Test
  void eccKey_withOriginExternal_isUnsupportedHere() {
    assertThrows(
        UnsupportedOperationException.class,
        () ->
            kms.createKey(
                b ->
                    b.origin(OriginType.EXTERNAL)
                        .keySpec(KeySpec.ECC_NIST_P256)
                        .keyUsage(KeyUsageType.SIGN_VERIFY)));
  }
}
