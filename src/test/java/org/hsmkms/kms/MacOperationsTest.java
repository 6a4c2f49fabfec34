package org.hsmkms.kms;

import static org.hsmkms.kms.StoredKeys.caller;
import static org.hsmkms.kms.TokenServices.ENCRYPT_DECRYPT;
import static org.hsmkms.kms.TokenServices.GENERATE_VERIFY_MAC;
import static org.hsmkms.kms.TokenServices.SIGN_VERIFY;
import static org.hsmkms.kms.TokenServices.SYMMETRIC_DEFAULT;
import static org.hsmkms.kms.TokenServices.refusal;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hsmkms.store.KeyRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GenerateMac and VerifyMac on {@link MacOperations} over the test token: each HMAC key spec takes
 * exactly its own MAC algorithm, only HMAC keys make MACs, a MAC that is not exactly the key's is
 * KMSInvalidMacException, and keys that are not enabled are refused.
 */
class MacOperationsTest {
  private static final byte[] MESSAGE = "mac operations".getBytes(StandardCharsets.UTF_8);
  private static final List<String> ALGORITHMS =
      List.of("HMAC_SHA_224", "HMAC_SHA_256", "HMAC_SHA_384", "HMAC_SHA_512");

  /** AWS: each HMAC key spec takes exactly its own MAC algorithm. */
  private static final Map<String, String> ALGORITHM_OF_SPEC =
      Map.of(
          "HMAC_224", "HMAC_SHA_224",
          "HMAC_256", "HMAC_SHA_256",
          "HMAC_384", "HMAC_SHA_384",
          "HMAC_512", "HMAC_SHA_512");

  @RegisterExtension static final TokenFixture TOKEN = TokenFixture.perClass();

  private static TokenServices services;
  private static MacOperations macs;

  /** One key of each HMAC spec, by spec. */
  private static final Map<String, KeyRecord> KEYS = new HashMap<>();

  private final RequestContext ctx = caller();

  @BeforeAll
  static void open() {
    services = TOKEN.services();
    macs = services.macs;
    for (String spec : List.of("HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512")) {
      KEYS.put(spec, services.create(spec, GENERATE_VERIFY_MAC));
    }
  }

  private byte[] mac(KeyRecord key, String algorithm, byte[] message) {
    return macs.generateMac(ctx, key.keyId(), message, algorithm, false).mac();
  }

  @ParameterizedTest
  @CsvSource({
    "HMAC_224, HMAC_SHA_224, 28",
    "HMAC_256, HMAC_SHA_256, 32",
    "HMAC_384, HMAC_SHA_384, 48",
    "HMAC_512, HMAC_SHA_512, 64"
  })
  void generateMac_isAsLongAsTheDigest_isDeterministic_andVerifyMacAcceptsIt(
      String spec, String algorithm, int length) {
    KeyRecord key = KEYS.get(spec);

    MacOperations.Mac mac = macs.generateMac(ctx, key.keyId(), MESSAGE, algorithm, false);

    assertEquals(length, mac.mac().length);
    assertEquals(algorithm, mac.macAlgorithm());
    assertEquals(ctx.keyArn(key.keyId()), mac.keyArn());
    assertArrayEquals(mac.mac(), mac(key, algorithm, MESSAGE));
    assertEquals(
        ctx.keyArn(key.keyId()),
        macs.verifyMac(ctx, key.keyId(), MESSAGE, algorithm, mac.mac(), false));
  }

  @Test
  void macsOfTwoKeysOfTheSameSpec_differ() {
    KeyRecord second = services.create("HMAC_256", GENERATE_VERIFY_MAC);

    assertFalse(
        Arrays.equals(
            mac(KEYS.get("HMAC_256"), "HMAC_SHA_256", MESSAGE),
            mac(second, "HMAC_SHA_256", MESSAGE)));
  }

  static Stream<Arguments> specsAndOtherAlgorithms() {
    return ALGORITHM_OF_SPEC.entrySet().stream()
        .flatMap(
            e ->
                ALGORITHMS.stream()
                    .filter(a -> !a.equals(e.getValue()))
                    .map(a -> Arguments.of(e.getKey(), a)));
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("specsAndOtherAlgorithms")
  void macOperations_withTheAlgorithmOfAnotherSpec_areInvalidKeyUsageException(
      String spec, String algorithm) {
    KeyRecord key = KEYS.get(spec);
    byte[] mac = mac(key, ALGORITHM_OF_SPEC.get(spec), MESSAGE);
    String message = "Algorithm " + algorithm + " is incompatible with key spec " + spec + ".";

    KmsException onGenerate =
        assertThrows(
            KmsException.class,
            () -> macs.generateMac(ctx, key.keyId(), MESSAGE, algorithm, false));
    KmsException onVerify =
        assertThrows(
            KmsException.class,
            () -> macs.verifyMac(ctx, key.keyId(), MESSAGE, algorithm, mac, false));

    assertEquals(ErrorCode.INVALID_KEY_USAGE, onGenerate.code());
    assertEquals(message, onGenerate.getMessage());
    assertEquals(ErrorCode.INVALID_KEY_USAGE, onVerify.code());
    assertEquals(message, onVerify.getMessage());
  }

  @ParameterizedTest
  @CsvSource({
    SYMMETRIC_DEFAULT + ", " + ENCRYPT_DECRYPT,
    "ECC_NIST_P256, " + SIGN_VERIFY,
    "RSA_2048, " + ENCRYPT_DECRYPT
  })
  void macOperations_withAKeyNotForMacs_areInvalidKeyUsageException(String spec, String usage) {
    KeyRecord key = services.create(spec, usage);
    String arn = ctx.keyArn(key.keyId());

    KmsException onGenerate =
        assertThrows(
            KmsException.class,
            () -> macs.generateMac(ctx, key.keyId(), MESSAGE, "HMAC_SHA_256", false));
    KmsException onVerify =
        assertThrows(
            KmsException.class,
            () -> macs.verifyMac(ctx, key.keyId(), MESSAGE, "HMAC_SHA_256", new byte[32], false));

    assertEquals(ErrorCode.INVALID_KEY_USAGE, onGenerate.code());
    assertEquals(
        arn + " key usage is " + usage + " which is not valid for GenerateMac.",
        onGenerate.getMessage());
    assertEquals(ErrorCode.INVALID_KEY_USAGE, onVerify.code());
    assertEquals(
        arn + " key usage is " + usage + " which is not valid for VerifyMac.",
        onVerify.getMessage());
  }

  /** Ways a MAC can be not quite the key's MAC of the message. */
  enum Forgery {
    FIRST_BYTE_FLIPPED,
    LAST_BYTE_FLIPPED,
    TRUNCATED,
    EXTENDED,
    OF_ANOTHER_MESSAGE,
    OF_ANOTHER_KEY;
  }

  @ParameterizedTest
  @EnumSource(Forgery.class)
  void verifyMac_ofAMacThatIsNotTheKeys_isKmsInvalidMacException(Forgery forgery) {
    KeyRecord key = KEYS.get("HMAC_384");
    byte[] mac = mac(key, "HMAC_SHA_384", MESSAGE);
    byte[] forged =
        switch (forgery) {
          case FIRST_BYTE_FLIPPED -> flip(mac, 0);
          case LAST_BYTE_FLIPPED -> flip(mac, mac.length - 1);
          case TRUNCATED -> Arrays.copyOf(mac, mac.length - 1);
          case EXTENDED -> Arrays.copyOf(mac, mac.length + 1);
          case OF_ANOTHER_MESSAGE ->
              mac(key, "HMAC_SHA_384", "another".getBytes(StandardCharsets.UTF_8));
          case OF_ANOTHER_KEY ->
              mac(services.create("HMAC_384", GENERATE_VERIFY_MAC), "HMAC_SHA_384", MESSAGE);
        };

    KmsException e =
        assertThrows(
            KmsException.class,
            () -> macs.verifyMac(ctx, key.keyId(), MESSAGE, "HMAC_SHA_384", forged, false));

    assertEquals(ErrorCode.KMS_INVALID_MAC, e.code());
    assertNull(e.getMessage());
  }

  private static byte[] flip(byte[] bytes, int i) {
    byte[] out = bytes.clone();
    out[i] ^= 0x01;
    return out;
  }

  static Stream<Arguments> states() {
    return Stream.of(
        Arguments.of(KeyState.DISABLED, ErrorCode.DISABLED),
        Arguments.of(KeyState.PENDING_DELETION, ErrorCode.INVALID_STATE),
        Arguments.of(KeyState.UNAVAILABLE, ErrorCode.INVALID_STATE),
        Arguments.of(KeyState.CREATING, ErrorCode.NOT_FOUND));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("states")
  void macOperations_onAKeyThatIsNotEnabled_areRefusedWithTheErrorOfItsState(
      KeyState state, ErrorCode error) {
    KeyRecord key = services.create("HMAC_256", GENERATE_VERIFY_MAC);
    byte[] mac = mac(key, "HMAC_SHA_256", MESSAGE);
    services.setState(key, state);

    assertEquals(
        error, refusal(() -> macs.generateMac(ctx, key.keyId(), MESSAGE, "HMAC_SHA_256", false)));
    assertEquals(
        error,
        refusal(() -> macs.verifyMac(ctx, key.keyId(), MESSAGE, "HMAC_SHA_256", mac, false)));
  }

  @Test
  void macOperations_dryRun_areDryRunOperationException_evenForAWrongMac() {
    KeyRecord key = KEYS.get("HMAC_256");

    assertEquals(
        ErrorCode.DRY_RUN_OPERATION,
        refusal(() -> macs.generateMac(ctx, key.keyId(), MESSAGE, "HMAC_SHA_256", true)));
    assertEquals(
        ErrorCode.DRY_RUN_OPERATION,
        refusal(
            () -> macs.verifyMac(ctx, key.keyId(), MESSAGE, "HMAC_SHA_256", new byte[32], true)));
  }
}
