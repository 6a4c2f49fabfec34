package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.hsmkms.testing.KeyPairChecks;
import org.hsmkms.testing.Prerequisites;
import org.hsmkms.testing.TestKeys;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.DryRunOperationException;
import software.amazon.awssdk.services.kms.model.InvalidKeyUsageException;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.KmsInvalidSignatureException;
import software.amazon.awssdk.services.kms.model.SignResponse;
import software.amazon.awssdk.services.kms.model.VerifyResponse;

/**
 * Sign and Verify with every signing algorithm AWS lists for each key spec, with RAW and DIGEST
 * messages. Signatures are checked independently with the JDK (BouncyCastle for secp256k1) and
 * OpenSSL using GetPublicKey's output; ECDSA signatures are DER as AWS returns them.
 */
class SignVerifyIT {
  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();
  private static final byte[] MESSAGE =
      "hsm-kms signs this message".getBytes(StandardCharsets.UTF_8);

  static Stream<Arguments> algorithms() {
    List<Arguments> out = new ArrayList<>();
    for (String spec : List.of("RSA_2048", "RSA_3072", "RSA_4096")) {
      for (String alg : AsymmetricKeysIT.RSA_SIGNING) {
        out.add(Arguments.of(spec, alg, "RAW"));
        out.add(Arguments.of(spec, alg, "DIGEST"));
      }
    }
    for (String[] ec :
        new String[][] {
          {"ECC_NIST_P256", "ECDSA_SHA_256"},
          {"ECC_NIST_P384", "ECDSA_SHA_384"},
          {"ECC_NIST_P521", "ECDSA_SHA_512"},
          {"ECC_SECG_P256K1", "ECDSA_SHA_256"}
        }) {
      out.add(Arguments.of(ec[0], ec[1], "RAW"));
      out.add(Arguments.of(ec[0], ec[1], "DIGEST"));
    }
    out.add(Arguments.of("ECC_NIST_EDWARDS25519", "ED25519_SHA_512", "RAW"));
    return out.stream();
  }

  /** The JCA name of the digest an AWS signing algorithm uses. */
  static String digestOf(String algorithm) {
    return "SHA-" + algorithm.substring(algorithm.length() - 3);
  }

  static byte[] digest(String algorithm, byte[] message) throws Exception {
    return MessageDigest.getInstance(digestOf(algorithm)).digest(message);
  }

  /** A JDK (or BouncyCastle) verifier over the whole message for an AWS signing algorithm. */
  static Signature verifier(String spec, String algorithm, PublicKey key) throws Exception {
    String bits = algorithm.substring(algorithm.length() - 3);
    Signature s;
    if (algorithm.startsWith("RSASSA_PSS")) {
      s = Signature.getInstance("RSASSA-PSS");
      String hash = "SHA-" + bits;
      s.setParameter(
          new PSSParameterSpec(
              hash, "MGF1", new MGF1ParameterSpec(hash), Integer.parseInt(bits) / 8, 1));
    } else if (algorithm.startsWith("RSASSA_PKCS1")) {
      s = Signature.getInstance("SHA" + bits + "withRSA");
    } else if (algorithm.startsWith("ECDSA")) {
      s = KeyPairChecks.signature(spec, "SHA" + bits + "withECDSA");
    } else {
      s = Signature.getInstance("Ed25519");
    }
    s.initVerify(key);
    return s;
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("algorithms")
  void sign_producesASignatureTheJdkVerifies_andVerifyAcceptsIt(
      String spec, String algorithm, String messageType) throws Exception {
    String keyId = TestKeys.of(spec, "SIGN_VERIFY");
    byte[] input = messageType.equals("RAW") ? MESSAGE : digest(algorithm, MESSAGE);

    SignResponse signed =
        kms.sign(
            b ->
                b.keyId(keyId)
                    .signingAlgorithm(algorithm)
                    .messageType(messageType)
                    .message(SdkBytes.fromByteArray(input)));

    assertEquals(algorithm, signed.signingAlgorithmAsString());
    assertEquals("arn:aws:kms:us-east-1:111122223333:key/" + keyId, signed.keyId());
    PublicKey pub =
        KeyPairChecks.publicKey(
            spec, kms.getPublicKey(b -> b.keyId(keyId)).publicKey().asByteArray());
    Signature jdk = verifier(spec, algorithm, pub);
    jdk.update(MESSAGE);
    assertTrue(jdk.verify(signed.signature().asByteArray()), "the JDK rejects the signature");

    VerifyResponse v =
        kms.verify(
            b ->
                b.keyId(keyId)
                    .signingAlgorithm(algorithm)
                    .messageType(messageType)
                    .message(SdkBytes.fromByteArray(input))
                    .signature(signed.signature()));
    assertTrue(v.signatureValid());
    assertEquals(algorithm, v.signingAlgorithmAsString());
    assertEquals(signed.keyId(), v.keyId());
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("algorithms")
  void verify_ofATamperedSignatureOrMessage_isKmsInvalidSignatureException(
      String spec, String algorithm, String messageType) throws Exception {
    String keyId = TestKeys.of(spec, "SIGN_VERIFY");
    byte[] input = messageType.equals("RAW") ? MESSAGE : digest(algorithm, MESSAGE);
    byte[] signature =
        kms.sign(
                b ->
                    b.keyId(keyId)
                        .signingAlgorithm(algorithm)
                        .messageType(messageType)
                        .message(SdkBytes.fromByteArray(input)))
            .signature()
            .asByteArray();

    for (int index : new int[] {0, signature.length / 2, signature.length - 1}) {
      byte[] bad = signature.clone();
      bad[index] ^= 0x01;
      assertThrows(
          KmsInvalidSignatureException.class,
          () ->
              kms.verify(
                  b ->
                      b.keyId(keyId)
                          .signingAlgorithm(algorithm)
                          .messageType(messageType)
                          .message(SdkBytes.fromByteArray(input))
                          .signature(SdkBytes.fromByteArray(bad))));
    }
    byte[] otherInput = input.clone();
    otherInput[0] ^= 0x01;
    assertThrows(
        KmsInvalidSignatureException.class,
        () ->
            kms.verify(
                b ->
                    b.keyId(keyId)
                        .signingAlgorithm(algorithm)
                        .messageType(messageType)
                        .message(SdkBytes.fromByteArray(otherInput))
                        .signature(SdkBytes.fromByteArray(signature))));
  }

  /** A signature the JDK made verifies in KMS: interoperability the other way. */
  @Test
  void verify_ofASignatureMadeElsewhere_withTheWrongKey_isInvalid() throws Exception {
    String a = TestKeys.of("ECC_NIST_P256", "SIGN_VERIFY");
    String b2 =
        kms.createKey(b -> b.keySpec("ECC_NIST_P256").keyUsage("SIGN_VERIFY"))
            .keyMetadata()
            .keyId();
    SdkBytes sig =
        kms.sign(
                b ->
                    b.keyId(a)
                        .signingAlgorithm("ECDSA_SHA_256")
                        .message(SdkBytes.fromByteArray(MESSAGE)))
            .signature();
    assertThrows(
        KmsInvalidSignatureException.class,
        () ->
            kms.verify(
                b ->
                    b.keyId(b2)
                        .signingAlgorithm("ECDSA_SHA_256")
                        .message(SdkBytes.fromByteArray(MESSAGE))
                        .signature(sig)));
  }

  @Test
  void verify_ofMalformedDer_isKmsInvalidSignatureException() {
    String keyId = TestKeys.of("ECC_NIST_P384", "SIGN_VERIFY");
    assertThrows(
        KmsInvalidSignatureException.class,
        () ->
            kms.verify(
                b ->
                    b.keyId(keyId)
                        .signingAlgorithm("ECDSA_SHA_384")
                        .message(SdkBytes.fromByteArray(MESSAGE))
                        .signature(
                            SdkBytes.fromByteArray(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}))));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "ECC_NIST_P256, ECDSA_SHA_384",
    "ECC_NIST_P384, ECDSA_SHA_256",
    "ECC_NIST_P256, RSASSA_PSS_SHA_256",
    "RSA_2048, ECDSA_SHA_256",
    "ECC_NIST_EDWARDS25519, ED25519_PH_SHA_512",
    "RSA_2048, SM2DSA"
  })
  void sign_withAnAlgorithmTheKeyDoesNotList_isInvalidKeyUsage(String spec, String algorithm) {
    String keyId = TestKeys.of(spec, "SIGN_VERIFY");
    assertThrows(
        InvalidKeyUsageException.class,
        () ->
            kms.sign(
                b ->
                    b.keyId(keyId)
                        .signingAlgorithm(algorithm)
                        .message(SdkBytes.fromByteArray(MESSAGE))));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "RSA_2048, ENCRYPT_DECRYPT",
    "ECC_NIST_P256, KEY_AGREEMENT",
    "HMAC_256, GENERATE_VERIFY_MAC"
  })
  void sign_withAKeyNotForSigning_isInvalidKeyUsage(String spec, String usage) {
    String keyId = TestKeys.of(spec, usage);
    assertThrows(
        InvalidKeyUsageException.class,
        () ->
            kms.sign(
                b ->
                    b.keyId(keyId)
                        .signingAlgorithm("RSASSA_PSS_SHA_256")
                        .message(SdkBytes.fromByteArray(MESSAGE))));
    String symmetric = kms.createKey(b -> {}).keyMetadata().keyId();
    assertThrows(
        InvalidKeyUsageException.class,
        () ->
            kms.sign(
                b ->
                    b.keyId(symmetric)
                        .signingAlgorithm("RSASSA_PSS_SHA_256")
                        .message(SdkBytes.fromByteArray(MESSAGE))));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "RSA_2048, RSASSA_PSS_SHA_384, 32",
    "ECC_NIST_P256, ECDSA_SHA_256, 31",
    "ECC_NIST_P521, ECDSA_SHA_512, 65"
  })
  void sign_ofADigestOfTheWrongLength_isValidationException(
      String spec, String algorithm, int length) {
    String keyId = TestKeys.of(spec, "SIGN_VERIFY");
    KmsException e =
        assertThrows(
            KmsException.class,
            () ->
                kms.sign(
                    b ->
                        b.keyId(keyId)
                            .signingAlgorithm(algorithm)
                            .messageType("DIGEST")
                            .message(SdkBytes.fromByteArray(new byte[length]))));
    assertEquals("ValidationException", e.awsErrorDetails().errorCode());
  }

  @Test
  void sign_ed25519WithDigest_isValidationException() {
    String keyId = TestKeys.of("ECC_NIST_EDWARDS25519", "SIGN_VERIFY");
    KmsException e =
        assertThrows(
            KmsException.class,
            () ->
                kms.sign(
                    b ->
                        b.keyId(keyId)
                            .signingAlgorithm("ED25519_SHA_512")
                            .messageType("DIGEST")
                            .message(SdkBytes.fromByteArray(new byte[64]))));
    assertEquals("ValidationException", e.awsErrorDetails().errorCode());
  }

  @Test
  void sign_ofTheLargestRawMessage_works_andOneByteMoreIsValidationException() {
    String keyId = TestKeys.of("ECC_NIST_P256", "SIGN_VERIFY");
    // Sign: Message is at most 4096 bytes.
    kms.sign(
        b ->
            b.keyId(keyId)
                .signingAlgorithm("ECDSA_SHA_256")
                .message(SdkBytes.fromByteArray(new byte[4096])));
    KmsException e =
        assertThrows(
            KmsException.class,
            () ->
                kms.sign(
                    b ->
                        b.keyId(keyId)
                            .signingAlgorithm("ECDSA_SHA_256")
                            .message(SdkBytes.fromByteArray(new byte[4097]))));
    assertEquals("ValidationException", e.awsErrorDetails().errorCode());
  }

  @Test
  void sign_withADisabledKey_isDisabled_andDryRunSignsNothing() {
    String keyId =
        kms.createKey(b -> b.keySpec("ECC_NIST_P256").keyUsage("SIGN_VERIFY"))
            .keyMetadata()
            .keyId();
    assertThrows(
        DryRunOperationException.class,
        () ->
            kms.sign(
                b ->
                    b.keyId(keyId)
                        .signingAlgorithm("ECDSA_SHA_256")
                        .message(SdkBytes.fromByteArray(MESSAGE))
                        .dryRun(true)));
    kms.disableKey(b -> b.keyId(keyId));
    assertThrows(
        DisabledException.class,
        () ->
            kms.sign(
                b ->
                    b.keyId(keyId)
                        .signingAlgorithm("ECDSA_SHA_256")
                        .message(SdkBytes.fromByteArray(MESSAGE))));
  }

  static Stream<Arguments> opensslCases() {
    return Stream.of(
        Arguments.of("RSA_2048", "RSASSA_PSS_SHA_256"),
        Arguments.of("RSA_3072", "RSASSA_PKCS1_V1_5_SHA_384"),
        Arguments.of("ECC_NIST_P256", "ECDSA_SHA_256"),
        Arguments.of("ECC_NIST_P521", "ECDSA_SHA_512"),
        Arguments.of("ECC_SECG_P256K1", "ECDSA_SHA_256"),
        Arguments.of("ECC_NIST_EDWARDS25519", "ED25519_SHA_512"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("opensslCases")
  void signatures_verifyWithOpenSsl(String spec, String algorithm) throws Exception {
    Prerequisites.require(KeyPairChecks.hasOpenSsl(), Prerequisites.OPENSSL);
    String keyId = TestKeys.of(spec, "SIGN_VERIFY");
    byte[] sig =
        kms.sign(
                b ->
                    b.keyId(keyId)
                        .signingAlgorithm(algorithm)
                        .message(SdkBytes.fromByteArray(MESSAGE)))
            .signature()
            .asByteArray();
    Path pub =
        KeyPairChecks.tempFile(
            ".der", kms.getPublicKey(b -> b.keyId(keyId)).publicKey().asByteArray());
    Path sigFile = KeyPairChecks.tempFile(".sig", sig);
    Path msgFile = KeyPairChecks.tempFile(".msg", MESSAGE);
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "openssl",
                "pkeyutl",
                "-verify",
                "-pubin",
                "-keyform",
                "DER",
                "-inkey",
                pub.toString(),
                "-sigfile",
                sigFile.toString(),
                "-in",
                msgFile.toString(),
                "-rawin"));
    if (!algorithm.startsWith("ED25519")) {
      cmd.addAll(List.of("-digest", digestOf(algorithm).replace("-", "").toLowerCase()));
    }
    if (algorithm.startsWith("RSASSA_PSS")) {
      cmd.addAll(List.of("-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest"));
    }
    KeyPairChecks.Result r = KeyPairChecks.run(null, cmd.toArray(String[]::new));
    assertEquals(0, r.exitCode(), KeyPairChecks.describe(r) + new String(r.stdout()));
  }
}
