package org.hsmkms.kms;

import static org.hsmkms.kms.StoredKeys.caller;
import static org.hsmkms.kms.TokenServices.ENCRYPT_DECRYPT;
import static org.hsmkms.kms.TokenServices.GENERATE_VERIFY_MAC;
import static org.hsmkms.kms.TokenServices.KEY_AGREEMENT;
import static org.hsmkms.kms.TokenServices.SIGN_VERIFY;
import static org.hsmkms.kms.TokenServices.SYMMETRIC_DEFAULT;
import static org.hsmkms.kms.TokenServices.refusal;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.testing.KeyPairChecks;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sign, Verify and GetPublicKey on {@link AsymmetricOperations} over the test token: each key spec
 * takes exactly AWS's signing algorithms for it, only SIGN_VERIFY keys sign, RAW messages are
 * hashed as the algorithm says and DIGEST messages must be that hash's length, signatures verify
 * with the JDK and with nothing else, and GetPublicKey is for asymmetric keys only.
 */
class AsymmetricSignaturesTest {
  private static final byte[] MESSAGE = "asymmetric signatures".getBytes(StandardCharsets.UTF_8);

  /** AWS's signing algorithms per key spec. */
  private static final Map<String, List<String>> ALGORITHMS =
      Map.of(
          "RSA_2048",
          List.of(
              "RSASSA_PKCS1_V1_5_SHA_256",
              "RSASSA_PKCS1_V1_5_SHA_384",
              "RSASSA_PKCS1_V1_5_SHA_512",
              "RSASSA_PSS_SHA_256",
              "RSASSA_PSS_SHA_384",
              "RSASSA_PSS_SHA_512"),
          "ECC_NIST_P256",
          List.of("ECDSA_SHA_256"),
          "ECC_NIST_P384",
          List.of("ECDSA_SHA_384"),
          "ECC_NIST_P521",
          List.of("ECDSA_SHA_512"),
          "ECC_SECG_P256K1",
          List.of("ECDSA_SHA_256"),
          "ECC_NIST_EDWARDS25519",
          List.of("ED25519_SHA_512"));

  /** Every SigningAlgorithmSpec of the AWS model. */
  private static final List<String> ALL_ALGORITHMS =
      List.of(
          "RSASSA_PSS_SHA_256",
          "RSASSA_PSS_SHA_384",
          "RSASSA_PSS_SHA_512",
          "RSASSA_PKCS1_V1_5_SHA_256",
          "RSASSA_PKCS1_V1_5_SHA_384",
          "RSASSA_PKCS1_V1_5_SHA_512",
          "ECDSA_SHA_256",
          "ECDSA_SHA_384",
          "ECDSA_SHA_512",
          "SM2DSA",
          "ML_DSA_SHAKE_256",
          "ED25519_SHA_512",
          "ED25519_PH_SHA_512");

  @RegisterExtension static final TokenFixture TOKEN = TokenFixture.perClass();

  private static TokenServices services;
  private static AsymmetricOperations asymmetric;

  /** A SIGN_VERIFY key of each spec above, by spec. */
  private static final Map<String, KeyRecord> KEYS = new HashMap<>();

  private final RequestContext ctx = caller();

  @BeforeAll
  static void open() {
    services = TOKEN.services();
    asymmetric = services.asymmetric;
    for (String spec : ALGORITHMS.keySet()) {
      KEYS.put(spec, services.create(spec, SIGN_VERIFY));
    }
  }

  private byte[] sign(KeyRecord key, byte[] message, String type, String algorithm) {
    return asymmetric.sign(ctx, key.keyId(), message, type, algorithm, false).signature();
  }

  private String verify(KeyRecord key, byte[] message, String type, byte[] sig, String alg) {
    return asymmetric.verify(ctx, key.keyId(), message, type, sig, alg, false);
  }

  static Stream<Arguments> listedAlgorithms() {
    return ALGORITHMS.entrySet().stream()
        .flatMap(e -> e.getValue().stream().map(a -> Arguments.of(e.getKey(), a)));
  }

  static Stream<Arguments> unlistedAlgorithms() {
    return ALGORITHMS.entrySet().stream()
        .flatMap(
            e ->
                ALL_ALGORITHMS.stream()
                    .filter(a -> !e.getValue().contains(a))
                    .map(a -> Arguments.of(e.getKey(), a)));
  }

  /** The JCA verifier of an AWS signing algorithm. */
  private static Signature jca(String spec, String algorithm) throws Exception {
    if (algorithm.startsWith("RSASSA_PSS")) {
      String hash = "SHA-" + algorithm.substring(algorithm.length() - 3);
      Signature s = Signature.getInstance("RSASSA-PSS");
      int saltLength = Integer.parseInt(hash.substring(4)) / 8;
      s.setParameter(
          new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), saltLength, 1));
      return s;
    }
    String bits = algorithm.substring(algorithm.length() - 3);
    String name =
        switch (algorithm.substring(0, 5)) {
          case "RSASS" -> "SHA" + bits + "withRSA";
          case "ECDSA" -> "SHA" + bits + "withECDSA";
          default -> "Ed25519";
        };
    return KeyPairChecks.signature(spec, name);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("listedAlgorithms")
  void sign_withAnAlgorithmTheSpecLists_isVerifiedByVerify_andByAnIndependentVerifier(
      String spec, String algorithm) throws Exception {
    KeyRecord key = KEYS.get(spec);

    AsymmetricOperations.Signature signed =
        asymmetric.sign(ctx, key.keyId(), MESSAGE, null, algorithm, false);

    assertEquals(algorithm, signed.signingAlgorithm());
    assertEquals(ctx.keyArn(key.keyId()), signed.keyArn());
    assertEquals(
        ctx.keyArn(key.keyId()), verify(key, MESSAGE, "RAW", signed.signature(), algorithm));
    Signature verifier = jca(spec, algorithm);
    verifier.initVerify(
        KeyPairChecks.publicKey(spec, asymmetric.getPublicKey(ctx, key.keyId()).publicKey()));
    verifier.update(MESSAGE);
    assertTrue(verifier.verify(signed.signature()));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("unlistedAlgorithms")
  void signOrVerify_withAnAlgorithmTheSpecDoesNotList_isInvalidKeyUsageException(
      String spec, String algorithm) {
    KeyRecord key = KEYS.get(spec);
    String message = "Algorithm " + algorithm + " is incompatible with key spec " + spec + ".";

    KmsException onSign =
        assertThrows(KmsException.class, () -> sign(key, MESSAGE, null, algorithm));
    KmsException onVerify =
        assertThrows(KmsException.class, () -> verify(key, MESSAGE, null, new byte[64], algorithm));

    assertEquals(ErrorCode.INVALID_KEY_USAGE, onSign.code());
    assertEquals(message, onSign.getMessage());
    assertEquals(ErrorCode.INVALID_KEY_USAGE, onVerify.code());
    assertEquals(message, onVerify.getMessage());
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "RSA_2048, " + ENCRYPT_DECRYPT + ", RSASSA_PSS_SHA_256",
    "ECC_NIST_P256, " + KEY_AGREEMENT + ", ECDSA_SHA_256",
    SYMMETRIC_DEFAULT + ", " + ENCRYPT_DECRYPT + ", ECDSA_SHA_256",
    "HMAC_256, " + GENERATE_VERIFY_MAC + ", ECDSA_SHA_256"
  })
  void signOrVerify_withAKeyNotForSigning_isInvalidKeyUsageException(
      String spec, String usage, String algorithm) {
    KeyRecord key = services.create(spec, usage);
    String arn = ctx.keyArn(key.keyId());

    KmsException onSign =
        assertThrows(KmsException.class, () -> sign(key, MESSAGE, null, algorithm));
    KmsException onVerify =
        assertThrows(KmsException.class, () -> verify(key, MESSAGE, null, new byte[64], algorithm));

    assertEquals(ErrorCode.INVALID_KEY_USAGE, onSign.code());
    assertEquals(
        arn + " key usage is " + usage + " which is not valid for Sign.", onSign.getMessage());
    assertEquals(ErrorCode.INVALID_KEY_USAGE, onVerify.code());
    assertEquals(
        arn + " key usage is " + usage + " which is not valid for Verify.", onVerify.getMessage());
  }

  // --- RAW and DIGEST ------------------------------------------------------------------------

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "RSA_2048, RSASSA_PKCS1_V1_5_SHA_256, SHA-256",
    "RSA_2048, RSASSA_PKCS1_V1_5_SHA_512, SHA-512",
    "ECC_NIST_P384, ECDSA_SHA_384, SHA-384"
  })
  void signatureOfTheDigest_verifiesAsASignatureOfTheRawMessage(
      String spec, String algorithm, String hash) throws Exception {
    KeyRecord key = KEYS.get(spec);
    byte[] digest = MessageDigest.getInstance(hash).digest(MESSAGE);

    byte[] ofDigest = sign(key, digest, "DIGEST", algorithm);

    verify(key, MESSAGE, "RAW", ofDigest, algorithm);
    verify(key, digest, "DIGEST", sign(key, MESSAGE, "RAW", algorithm), algorithm);
    if (algorithm.startsWith("RSASSA_PKCS1")) { // deterministic: the very same signature
      assertArrayEquals(sign(key, MESSAGE, "RAW", algorithm), ofDigest);
    }
  }

  @ParameterizedTest(name = "{0} {1} of {2} bytes")
  @CsvSource({
    "ECC_NIST_P256, ECDSA_SHA_256, 31",
    "ECC_NIST_P256, ECDSA_SHA_256, 33",
    "ECC_NIST_P256, ECDSA_SHA_256, 48",
    "ECC_NIST_P521, ECDSA_SHA_512, 32",
    "RSA_2048, RSASSA_PSS_SHA_384, 32",
    "RSA_2048, RSASSA_PKCS1_V1_5_SHA_256, 64"
  })
  void sign_ofADigestOfTheWrongLength_isValidationException(
      String spec, String algorithm, int length) {
    KmsException e =
        assertThrows(
            KmsException.class, () -> sign(KEYS.get(spec), new byte[length], "DIGEST", algorithm));

    assertEquals(ErrorCode.VALIDATION, e.code());
    assertEquals("Digest is invalid length for algorithm " + algorithm + ".", e.getMessage());
  }

  @Test
  void sign_ed25519OfADigest_isValidationException_ed25519SignsRawMessagesOnly() {
    KmsException e =
        assertThrows(
            KmsException.class,
            () ->
                sign(KEYS.get("ECC_NIST_EDWARDS25519"), new byte[64], "DIGEST", "ED25519_SHA_512"));

    assertEquals(ErrorCode.VALIDATION, e.code());
    assertEquals("MessageType DIGEST is not valid for ED25519_SHA_512; use RAW.", e.getMessage());
  }

  @Test
  void sign_ofAnExternalMuMessage_isValidationException() {
    KmsException e =
        assertThrows(
            KmsException.class,
            () -> sign(KEYS.get("ECC_NIST_P256"), MESSAGE, "EXTERNAL_MU", "ECDSA_SHA_256"));

    assertEquals(ErrorCode.VALIDATION, e.code());
    assertEquals("MessageType EXTERNAL_MU is not valid for ECDSA_SHA_256.", e.getMessage());
  }

  // --- Signatures that are not the key's ------------------------------------------------------

  /** Ways a signature can fail to be the key's signature of the message. */
  enum Forgery {
    A_BYTE_FLIPPED,
    OF_ANOTHER_MESSAGE,
    BY_ANOTHER_KEY_OF_THE_SPEC,
    TRUNCATED,
    NOT_A_SIGNATURE,
    /** RSA only: a PSS signature checked as PKCS #1 v1.5. */
    UNDER_ANOTHER_ALGORITHM
  }

  static Stream<Arguments> forgeries() {
    return Stream.of("RSA_2048", "ECC_NIST_P256", "ECC_NIST_EDWARDS25519")
        .flatMap(
            s ->
                Stream.of(Forgery.values())
                    .filter(f -> f != Forgery.UNDER_ANOTHER_ALGORITHM || s.startsWith("RSA"))
                    .map(f -> Arguments.of(s, f)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("forgeries")
  void verify_ofASignatureThatIsNotTheKeys_isKmsInvalidSignatureException(
      String spec, Forgery forgery) {
    KeyRecord key = KEYS.get(spec);
    String algorithm = ALGORITHMS.get(spec).get(0);
    byte[] forged =
        switch (forgery) {
          case A_BYTE_FLIPPED -> {
            byte[] s = sign(key, MESSAGE, null, algorithm);
            s[s.length / 2] ^= 0x01;
            yield s;
          }
          case OF_ANOTHER_MESSAGE ->
              sign(key, "another".getBytes(StandardCharsets.UTF_8), null, algorithm);
          case BY_ANOTHER_KEY_OF_THE_SPEC ->
              sign(services.create(spec, SIGN_VERIFY), MESSAGE, null, algorithm);
          case TRUNCATED -> {
            byte[] s = sign(key, MESSAGE, null, algorithm);
            yield Arrays.copyOf(s, s.length - 1);
          }
          case UNDER_ANOTHER_ALGORITHM -> sign(key, MESSAGE, null, "RSASSA_PSS_SHA_256");
          case NOT_A_SIGNATURE -> new byte[] {0x30, 0x03, 0x02, 0x01};
        };

    KmsException e =
        assertThrows(KmsException.class, () -> verify(key, MESSAGE, null, forged, algorithm));

    assertEquals(ErrorCode.KMS_INVALID_SIGNATURE, e.code());
    assertNull(e.getMessage());
  }

  // --- GetPublicKey, states and dry runs -------------------------------------------------------

  @Test
  void getPublicKey_ofASigningKey_listsItsUsageAndSigningAlgorithms() {
    KeyRecord key = KEYS.get("ECC_NIST_P384");

    AsymmetricOperations.PublicKeyInfo info = asymmetric.getPublicKey(ctx, key.keyId());

    assertEquals(KeySpec.ECC_NIST_P384, info.keySpec());
    assertEquals(SIGN_VERIFY, info.keyUsage());
    assertEquals(List.of("ECDSA_SHA_384"), info.signingAlgorithms());
    assertEquals(List.of(), info.encryptionAlgorithms());
    assertEquals(List.of(), info.keyAgreementAlgorithms());
  }

  @ParameterizedTest
  @CsvSource({SYMMETRIC_DEFAULT + ", " + ENCRYPT_DECRYPT, "HMAC_512, " + GENERATE_VERIFY_MAC})
  void getPublicKey_ofAKeyWithoutOne_isUnsupportedOperationException(String spec, String usage) {
    KeyRecord key = services.create(spec, usage);

    KmsException e =
        assertThrows(KmsException.class, () -> asymmetric.getPublicKey(ctx, key.keyId()));

    assertEquals(ErrorCode.UNSUPPORTED_OPERATION, e.code());
    assertEquals(
        ctx.keyArn(key.keyId()) + " key spec is " + spec + " which is not valid for GetPublicKey.",
        e.getMessage());
  }

  static Stream<Arguments> states() {
    return Stream.of(
        Arguments.of(KeyState.DISABLED, ErrorCode.DISABLED),
        Arguments.of(KeyState.PENDING_DELETION, ErrorCode.INVALID_STATE),
        Arguments.of(KeyState.UNAVAILABLE, ErrorCode.INVALID_STATE));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("states")
  void signVerifyAndGetPublicKey_onAKeyThatIsNotEnabled_areRefusedWithTheErrorOfItsState(
      KeyState state, ErrorCode error) {
    KeyRecord key = services.create("ECC_NIST_P256", SIGN_VERIFY);
    byte[] signature = sign(key, MESSAGE, null, "ECDSA_SHA_256");
    services.setState(key, state);

    assertEquals(error, refusal(() -> sign(key, MESSAGE, null, "ECDSA_SHA_256")));
    assertEquals(error, refusal(() -> verify(key, MESSAGE, null, signature, "ECDSA_SHA_256")));
    assertEquals(error, refusal(() -> asymmetric.getPublicKey(ctx, key.keyId())));
  }

  @Test
  void signAndVerify_dryRun_areDryRunOperationException() {
    KeyRecord key = KEYS.get("ECC_NIST_P256");
    byte[] signature = sign(key, MESSAGE, null, "ECDSA_SHA_256");

    assertEquals(
        ErrorCode.DRY_RUN_OPERATION,
        refusal(() -> asymmetric.sign(ctx, key.keyId(), MESSAGE, null, "ECDSA_SHA_256", true)));
    assertEquals(
        ErrorCode.DRY_RUN_OPERATION,
        refusal(
            () ->
                asymmetric.verify(
                    ctx, key.keyId(), MESSAGE, null, signature, "ECDSA_SHA_256", true)));
  }
}
