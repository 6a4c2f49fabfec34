package org.hsmkms.kms;

import static org.hsmkms.kms.StoredKeys.caller;
import static org.hsmkms.kms.TokenServices.refusal;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hsmkms.crypto.EncryptionContext;
import org.hsmkms.hsm.HsmException;
import org.hsmkms.store.KeyRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the symmetric data plane of {@link CryptoOperations} answers for keys that are not enabled
 * (Disabled: DisabledException; PendingDeletion and Unavailable: KMSInvalidStateException, as AWS's
 * key state table says; a token object gone under an Enabled key: KeyUnavailableException), for dry
 * runs, and for a Decrypt or ReEncrypt without a ciphertext blob.
 */
class CryptoStatesTest {
  private static final byte[] PLAINTEXT = "key states".getBytes(StandardCharsets.UTF_8);
  private static final EncryptionContext CONTEXT = EncryptionContext.of(Map.of("k", "v"));

  @RegisterExtension static final TokenFixture TOKEN = TokenFixture.perClass();

  private static TokenServices services;
  private static CryptoOperations crypto;
  private static KeyRecord usable;
  private final RequestContext ctx = caller();

  @BeforeAll
  static void open() {
    services = TOKEN.services();
    crypto = services.crypto;
    usable = services.symmetricKey();
  }

  /**
   * The data-plane operations with the key under test in the role the test names: {@code blob} is a
   * blob of that key (made while it was enabled).
   */
  enum Operation {
    ENCRYPT((c, ctx, key, blob) -> c.encrypt(ctx, key.keyId(), PLAINTEXT, CONTEXT, null, false)),
    DECRYPT((c, ctx, key, blob) -> c.decrypt(ctx, blob, CONTEXT, null, null, false, false)),
    DECRYPT_NAMING_THE_KEY(
        (c, ctx, key, blob) -> c.decrypt(ctx, blob, CONTEXT, key.keyId(), null, false, false)),
    RE_ENCRYPT_FROM_THE_KEY(
        (c, ctx, key, blob) ->
            c.reEncrypt(
                ctx, blob, CONTEXT, null, null, usable.keyId(), CONTEXT, null, false, false)),
    RE_ENCRYPT_TO_THE_KEY(
        (c, ctx, key, blob) ->
            c.reEncrypt(
                ctx,
                c.encrypt(ctx, usable.keyId(), PLAINTEXT, CONTEXT, null, false).ciphertextBlob(),
                CONTEXT,
                null,
                null,
                key.keyId(),
                CONTEXT,
                null,
                false,
                false)),
    GENERATE_DATA_KEY(
        (c, ctx, key, blob) ->
            c.generateDataKey(ctx, key.keyId(), "AES_256", null, CONTEXT, true, false)),
    GENERATE_DATA_KEY_WITHOUT_PLAINTEXT(
        (c, ctx, key, blob) ->
            c.generateDataKey(ctx, key.keyId(), null, 64, CONTEXT, false, false));

    interface Call {
      Object apply(CryptoOperations c, RequestContext ctx, KeyRecord key, byte[] blob);
    }

    final Call call;

    Operation(Call call) {
      this.call = call;
    }
  }

  static Stream<Arguments> statesAndOperations() {
    return Stream.of(
            Arguments.of(KeyState.DISABLED, ErrorCode.DISABLED),
            Arguments.of(KeyState.PENDING_DELETION, ErrorCode.INVALID_STATE),
            Arguments.of(KeyState.UNAVAILABLE, ErrorCode.INVALID_STATE))
        .flatMap(
            a -> Stream.of(Operation.values()).map(o -> Arguments.of(a.get()[0], o, a.get()[1])));
  }

  @ParameterizedTest(name = "{0} key, {1}: {2}")
  @MethodSource("statesAndOperations")
  void dataPlane_onAKeyThatIsNotEnabled_isRefusedWithTheErrorOfItsState(
      KeyState state, Operation operation, ErrorCode error) {
    KeyRecord key = services.symmetricKey();
    byte[] blob =
        crypto.encrypt(ctx, key.keyId(), PLAINTEXT, CONTEXT, null, false).ciphertextBlob();
    operation.call.apply(crypto, ctx, key, blob); // allowed while enabled
    KeyRecord changed = services.setState(key, state);

    KmsException e =
        assertThrows(KmsException.class, () -> operation.call.apply(crypto, ctx, changed, blob));

    assertEquals(error, e.code());
  }

  @Test
  void decrypt_afterTheKeyIsEnabledAgain_decryptsWhatItMadeBefore() {
    KeyRecord key = services.symmetricKey();
    byte[] blob =
        crypto.encrypt(ctx, key.keyId(), PLAINTEXT, CONTEXT, null, false).ciphertextBlob();
    services.management.disableKey(ctx, key.keyId());
    assertEquals(
        ErrorCode.DISABLED,
        refusal(() -> crypto.decrypt(ctx, blob, CONTEXT, null, null, false, false)));

    services.management.enableKey(ctx, key.keyId());

    assertArrayEquals(
        PLAINTEXT, crypto.decrypt(ctx, blob, CONTEXT, null, null, false, false).plaintext().copy());
  }

  @ParameterizedTest
  @EnumSource(
      value = Operation.class,
      names = {"ENCRYPT", "DECRYPT", "GENERATE_DATA_KEY"})
  void dataPlane_onAnEnabledKeyWhoseTokenObjectIsGone_isKeyUnavailable(Operation operation) {
    KeyRecord key = services.symmetricKey();
    byte[] blob =
        crypto.encrypt(ctx, key.keyId(), PLAINTEXT, CONTEXT, null, false).ciphertextBlob();
    TOKEN.hsm().inventory().destroyKey(services.material(key));

    HsmException e =
        assertThrows(HsmException.class, () -> operation.call.apply(crypto, ctx, key, blob));

    assertEquals(HsmException.Kind.KEY_NOT_FOUND, e.kind());
    assertEquals(ErrorCode.KEY_UNAVAILABLE, KmsException.from(e).code());
  }

  // --- Dry runs --------------------------------------------------------------------------------

  private static final String DRY_RUN_MESSAGE =
      "The request would have succeeded, but the DryRun option is set.";

  @Test
  void dryRuns_onAnEnabledKey_areDryRunOperationException() {
    byte[] blob =
        crypto.encrypt(ctx, usable.keyId(), PLAINTEXT, CONTEXT, null, false).ciphertextBlob();
    String id = usable.keyId();
    for (Executable call :
        List.<Executable>of(
            () -> crypto.encrypt(ctx, id, PLAINTEXT, CONTEXT, null, true),
            () -> crypto.decrypt(ctx, blob, CONTEXT, null, null, true, false),
            () -> crypto.decrypt(ctx, null, CONTEXT, id, null, true, true),
            () -> crypto.reEncrypt(ctx, blob, CONTEXT, null, null, id, CONTEXT, null, true, false),
            () -> crypto.reEncrypt(ctx, null, CONTEXT, id, null, id, CONTEXT, null, true, true),
            () -> crypto.generateDataKey(ctx, id, "AES_128", null, CONTEXT, true, true))) {
      KmsException e = assertThrows(KmsException.class, call);
      assertEquals(ErrorCode.DRY_RUN_OPERATION, e.code());
      assertEquals(400, e.code().httpStatus());
      assertEquals(DRY_RUN_MESSAGE, e.getMessage());
    }
  }

  @Test
  void dryRunIgnoringTheCiphertext_onADisabledKey_reportsTheRealError() {
    KeyRecord key = services.setState(services.symmetricKey(), KeyState.DISABLED);

    assertEquals(
        ErrorCode.DISABLED,
        refusal(() -> crypto.decrypt(ctx, null, CONTEXT, key.keyId(), null, true, true)));
  }

  @Test
  void decrypt_withoutACiphertextBlob_isValidationException() {
    KmsException e =
        assertThrows(
            KmsException.class,
            () -> crypto.decrypt(ctx, null, CONTEXT, usable.keyId(), null, false, false));

    assertEquals(ErrorCode.VALIDATION, e.code());
    assertEquals(
        "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy"
            + " constraint: Member must not be null",
        e.getMessage());
  }

  @Test
  void decrypt_withoutACiphertextBlob_inADryRunIgnoringIt_needsAKeyId() {
    KmsException e =
        assertThrows(
            KmsException.class, () -> crypto.decrypt(ctx, null, CONTEXT, null, null, true, true));

    assertEquals(ErrorCode.VALIDATION, e.code());
    assertEquals(
        "1 validation error detected: Value null at 'keyId' failed to satisfy constraint:"
            + " Member must not be null",
        e.getMessage());
  }

  @Test
  void reEncrypt_withoutACiphertextBlob_inADryRunIgnoringIt_needsASourceKeyId() {
    String id = usable.keyId();

    KmsException e =
        assertThrows(
            KmsException.class,
            () -> crypto.reEncrypt(ctx, null, CONTEXT, null, null, id, CONTEXT, null, true, true));

    assertEquals(ErrorCode.VALIDATION, e.code());
    assertEquals(
        "1 validation error detected: Value null at 'sourceKeyId' failed to satisfy constraint:"
            + " Member must not be null",
        e.getMessage());
  }
}
