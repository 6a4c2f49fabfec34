package org.hsmkms.kms;

import static org.hsmkms.kms.StoredKeys.ACCOUNT;
import static org.hsmkms.kms.StoredKeys.OTHER_ACCOUNT;
import static org.hsmkms.kms.StoredKeys.OTHER_REGION;
import static org.hsmkms.kms.StoredKeys.REGION;
import static org.hsmkms.kms.StoredKeys.caller;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.hsmkms.authz.KmsActions.Resource;
import org.hsmkms.store.KeyRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Key resolution and the key state machine, on a real SQLite store: which states allow which kinds
 * of operation and with which AWS error each refuses; how a key is named (key id, key ARN, alias
 * name, alias ARN); and that keys of other accounts, other regions and in the internal states are
 * invisible.
 */
class KeysTest {
  @TempDir Path dir;
  private StoredKeys stored;
  private Keys keys;
  private final RequestContext ctx = caller();

  @BeforeEach
  void open() {
    stored = new StoredKeys(dir);
    keys = new Keys(stored.store);
  }

  @AfterEach
  void close() {
    stored.close();
  }

  /** The ways a request can name a key (the alias forms through alias/test). */
  enum Naming {
    KEY_ID((c, k) -> k.keyId()),
    KEY_ARN((c, k) -> c.keyArn(k.keyId())),
    ALIAS_NAME((c, k) -> "alias/test"),
    ALIAS_ARN((c, k) -> c.aliasArn("alias/test"));

    final BiFunction<RequestContext, KeyRecord, String> name;

    Naming(BiFunction<RequestContext, KeyRecord, String> name) {
      this.name = name;
    }

    boolean isAlias() {
      return this == ALIAS_NAME || this == ALIAS_ARN;
    }
  }

  private KeyRecord keyWithAlias(KeyState state) {
    KeyRecord key = stored.add(state);
    stored.alias("alias/test", key);
    return key;
  }

  private ErrorCode refused(KeyRecord key, String use) {
    return assertThrows(KmsException.class, () -> keys.resolveFor(ctx, key.keyId(), use)).code();
  }

  /** One operation of each kind the key state table knows: cryptographic, change, reading. */
  private static final String CRYPTO = "Encrypt";

  private static final String MANAGE = "TagResource";
  private static final String READ = "DescribeKey";

  // --- States and uses ---------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {CRYPTO, MANAGE, READ})
  void enabledKey_isUsableForEveryKindOfOperation(String use) {
    KeyRecord key = stored.add(KeyState.ENABLED);

    assertEquals(key, keys.resolveFor(ctx, key.keyId(), use));
  }

  @Test
  void disabledKey_crypto_isDisabledException() {
    KeyRecord key = stored.add(KeyState.DISABLED);

    KmsException e =
        assertThrows(KmsException.class, () -> keys.resolveFor(ctx, key.keyId(), CRYPTO));

    assertEquals(ErrorCode.DISABLED, e.code());
    assertEquals(ctx.keyArn(key.keyId()) + " is disabled.", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {MANAGE, READ})
  void disabledKey_managementAndReading_areAllowed(String use) {
    KeyRecord key = stored.add(KeyState.DISABLED);

    assertEquals(key, keys.resolveFor(ctx, key.keyId(), use));
  }

  @ParameterizedTest
  @ValueSource(strings = {CRYPTO, MANAGE})
  void pendingDeletionKey_cryptoAndManagement_areKmsInvalidStateException(String use) {
    KeyRecord key = stored.add(KeyState.PENDING_DELETION);

    KmsException e = assertThrows(KmsException.class, () -> keys.resolveFor(ctx, key.keyId(), use));

    assertEquals(ErrorCode.INVALID_STATE, e.code());
    assertEquals("KMSInvalidStateException", e.code().awsType());
    assertEquals(ctx.keyArn(key.keyId()) + " is pending deletion.", e.getMessage());
  }

  @Test
  void pendingDeletionKey_reading_isAllowed() {
    KeyRecord key = stored.add(KeyState.PENDING_DELETION);

    assertEquals(key, keys.resolveFor(ctx, key.keyId(), READ));
  }

  @Test
  void unavailableKey_crypto_isKmsInvalidStateException_asAwsKeyStateTableSays() {
    KeyRecord key = stored.add(KeyState.UNAVAILABLE);

    KmsException e =
        assertThrows(KmsException.class, () -> keys.resolveFor(ctx, key.keyId(), CRYPTO));

    // AWS's key state table, footnote [11]: "KMSInvalidStateException: <key ARN> is unavailable."
    assertEquals(ErrorCode.INVALID_STATE, e.code());
    assertEquals(400, e.code().httpStatus());
    assertEquals(ctx.keyArn(key.keyId()) + " is unavailable.", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {MANAGE, READ})
  void unavailableKey_managementAndReading_areAllowed(String use) {
    KeyRecord key = stored.add(KeyState.UNAVAILABLE);

    assertEquals(key, keys.resolveFor(ctx, key.keyId(), use));
  }

  /** Every visible state with every use: allowed, or refused with exactly this error. */
  static Stream<Arguments> stateMatrix() {
    return Stream.of(
        Arguments.of(KeyState.ENABLED, CRYPTO, null),
        Arguments.of(KeyState.ENABLED, MANAGE, null),
        Arguments.of(KeyState.ENABLED, READ, null),
        Arguments.of(KeyState.DISABLED, CRYPTO, ErrorCode.DISABLED),
        Arguments.of(KeyState.DISABLED, MANAGE, null),
        Arguments.of(KeyState.DISABLED, READ, null),
        Arguments.of(KeyState.PENDING_DELETION, CRYPTO, ErrorCode.INVALID_STATE),
        Arguments.of(KeyState.PENDING_DELETION, MANAGE, ErrorCode.INVALID_STATE),
        Arguments.of(KeyState.PENDING_DELETION, READ, null),
        Arguments.of(KeyState.PENDING_REPLICA_DELETION, CRYPTO, ErrorCode.INVALID_STATE),
        Arguments.of(KeyState.PENDING_REPLICA_DELETION, MANAGE, ErrorCode.INVALID_STATE),
        Arguments.of(KeyState.PENDING_REPLICA_DELETION, READ, null),
        Arguments.of(KeyState.UNAVAILABLE, CRYPTO, ErrorCode.INVALID_STATE),
        Arguments.of(KeyState.UNAVAILABLE, MANAGE, null),
        Arguments.of(KeyState.UNAVAILABLE, READ, null),
        Arguments.of(KeyState.PENDING_IMPORT, CRYPTO, ErrorCode.INVALID_STATE),
        Arguments.of(KeyState.PENDING_IMPORT, MANAGE, null),
        Arguments.of(KeyState.PENDING_IMPORT, READ, null),
        Arguments.of(KeyState.UPDATING, CRYPTO, null),
        Arguments.of(KeyState.UPDATING, MANAGE, null),
        Arguments.of(KeyState.UPDATING, READ, null));
  }

  @ParameterizedTest(name = "{0} key, {1}: {2}")
  @MethodSource("stateMatrix")
  void checkState_ofAResolvedKey_followsTheStateMatrix(
      KeyState state, String use, ErrorCode error) {
    KeyRecord key = stored.add(state);

    if (error == null) {
      keys.checkState(key, use);
    } else {
      assertEquals(error, assertThrows(KmsException.class, () -> keys.checkState(key, use)).code());
    }
  }

  @Test
  void stateMatrix_coversEveryVisibleStateAndUse() {
    long visible = Stream.of(KeyState.values()).filter(KeyState::isVisible).count();

    assertEquals(visible * 3, stateMatrix().count());
  }

  static Stream<Arguments> internalStates() {
    return Stream.of(KeyState.CREATING, KeyState.DELETING)
        .flatMap(s -> Stream.of(CRYPTO, MANAGE, READ).map(u -> Arguments.of(s, u)));
  }

  @ParameterizedTest(name = "{0} key, {1}")
  @MethodSource("internalStates")
  void keyInAnInternalState_isNotFound_forEveryKindOfOperation(KeyState state, String use) {
    KeyRecord key = stored.add(state);

    assertEquals(ErrorCode.NOT_FOUND, refused(key, use));
  }

  static Stream<Arguments> internalStatesAndNamings() {
    return Stream.of(KeyState.CREATING, KeyState.DELETING)
        .flatMap(s -> Stream.of(Naming.values()).map(n -> Arguments.of(s, n)));
  }

  @ParameterizedTest(name = "{0} key, by {1}")
  @MethodSource("internalStatesAndNamings")
  void keyInAnInternalState_isNotFound_howeverItIsNamed(KeyState state, Naming naming) {
    KeyRecord key = keyWithAlias(state);
    String name = naming.name.apply(ctx, key);

    KmsException e = assertThrows(KmsException.class, () -> keys.resolve(ctx, name));

    assertEquals(ErrorCode.NOT_FOUND, e.code());
    assertEquals(Optional.empty(), keys.byUuid(ctx, UUID.fromString(key.keyId()), Resource.KEY));
    assertEquals(List.of(), ctx.keysUsed().arns());
  }

  // --- Naming a key ------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Naming.class)
  void key_isFoundByItsIdArnAliasNameAndAliasArn(Naming naming) {
    KeyRecord key = keyWithAlias(KeyState.ENABLED);

    assertEquals(key, keys.resolve(ctx, naming.name.apply(ctx, key)));
  }

  @ParameterizedTest
  @EnumSource(Naming.class)
  void resolveKeyOnly_findsKeyIdAndKeyArn_butNotAliases(Naming naming) {
    KeyRecord key = keyWithAlias(KeyState.ENABLED);
    String name = naming.name.apply(ctx, key);

    if (naming.isAlias()) {
      assertEquals(
          ErrorCode.NOT_FOUND,
          assertThrows(KmsException.class, () -> keys.resolveKeyOnly(ctx, name, Resource.KEY))
              .code());
    } else {
      assertEquals(key, keys.resolveKeyOnly(ctx, name, Resource.KEY));
    }
  }

  @ParameterizedTest
  @EnumSource(Naming.class)
  void resolvedKey_isNotedForTheAuditRecord(Naming naming) {
    KeyRecord key = keyWithAlias(KeyState.DISABLED);

    keys.resolve(ctx, naming.name.apply(ctx, key));

    assertEquals(List.of(ctx.keyArn(key.keyId())), ctx.keysUsed().arns());
  }

  @ParameterizedTest
  @EnumSource(Naming.class)
  void keyOfAnotherAccount_isNotFound_howeverItIsNamed(Naming naming) {
    KeyRecord theirs = stored.add(OTHER_ACCOUNT, REGION, KeyState.ENABLED);
    stored.alias("alias/test", theirs);
    RequestContext owner = caller(OTHER_ACCOUNT, REGION);
    String name = naming.name.apply(owner, theirs);
    assertEquals(theirs, keys.resolve(owner, name));

    KmsException e = assertThrows(KmsException.class, () -> keys.resolve(ctx, name));

    assertEquals(ErrorCode.NOT_FOUND, e.code());
    assertEquals(List.of(), ctx.keysUsed().arns());
  }

  @ParameterizedTest
  @EnumSource(Naming.class)
  void keyOfAnotherRegion_isNotFound_howeverItIsNamed(Naming naming) {
    KeyRecord theirs = stored.add(ACCOUNT, OTHER_REGION, KeyState.ENABLED);
    stored.alias("alias/test", theirs);
    RequestContext owner = caller(ACCOUNT, OTHER_REGION);
    String name = naming.name.apply(owner, theirs);
    assertEquals(theirs, keys.resolve(owner, name));

    assertEquals(
        ErrorCode.NOT_FOUND,
        assertThrows(KmsException.class, () -> keys.resolve(ctx, name)).code());
  }

  @ParameterizedTest
  @ValueSource(strings = {REGION + ":" + OTHER_ACCOUNT})
  void arnOfAnotherAccount_isNotFound_evenWithTheIdOfTheCallersKey(String regionAccount) {
    KeyRecord key = stored.add(KeyState.ENABLED);
    String arn = "arn:aws:kms:" + regionAccount + ":key/" + key.keyId();

    KmsException e = assertThrows(KmsException.class, () -> keys.resolve(ctx, arn));

    assertEquals(ErrorCode.NOT_FOUND, e.code());
    assertEquals("Key '" + arn + "' does not exist", e.getMessage());
  }

  @Test
  void arnOfAnotherRegion_isNotFound_invalidArn_asAws() {
    KeyRecord key = stored.add(KeyState.ENABLED);
    String arn = "arn:aws:kms:" + OTHER_REGION + ":" + ACCOUNT + ":key/" + key.keyId();

    KmsException e = assertThrows(KmsException.class, () -> keys.resolve(ctx, arn));

    assertEquals(ErrorCode.NOT_FOUND, e.code());
    assertEquals("Invalid arn " + OTHER_REGION, e.getMessage());
  }

  @Test
  void unknownMultiRegionKeyId_isNotFound_namingItsArn_asAws() {
    String mrk = "mrk-1234abcd12ab34cd56ef1234567890ab";

    KmsException e = assertThrows(KmsException.class, () -> keys.resolve(ctx, mrk));

    assertEquals(ErrorCode.NOT_FOUND, e.code());
    assertEquals("Key '" + ctx.keyArn(mrk) + "' does not exist", e.getMessage());
  }

  @Test
  void byUuid_findsOnlyVisibleKeysOfTheCallersAccountAndRegion() {
    KeyRecord mine = stored.add(KeyState.DISABLED);
    KeyRecord otherAccount = stored.add(OTHER_ACCOUNT, REGION, KeyState.ENABLED);
    KeyRecord otherRegion = stored.add(ACCOUNT, OTHER_REGION, KeyState.ENABLED);

    assertEquals(Optional.of(mine), keys.byUuid(ctx, UUID.fromString(mine.keyId()), Resource.KEY));
    assertEquals(
        Optional.empty(), keys.byUuid(ctx, UUID.fromString(otherAccount.keyId()), Resource.KEY));
    assertEquals(
        Optional.empty(), keys.byUuid(ctx, UUID.fromString(otherRegion.keyId()), Resource.KEY));
    assertEquals(Optional.empty(), keys.byUuid(ctx, UUID.randomUUID(), Resource.KEY));
  }

  // --- Not found, in AWS's wording ---------------------------------------------------------

  @Test
  void unknownKeyId_isNotFound_namingTheKeyArn() {
    String id = UUID.randomUUID().toString();

    KmsException e = assertThrows(KmsException.class, () -> keys.resolve(ctx, id));

    assertEquals(ErrorCode.NOT_FOUND, e.code());
    assertEquals(
        "Key 'arn:aws:kms:us-east-1:111122223333:key/" + id + "' does not exist", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"alias/none", "arn:aws:kms:us-east-1:111122223333:alias/none"})
  void unknownAlias_isNotFound_namingTheAliasArn(String name) {
    KmsException e = assertThrows(KmsException.class, () -> keys.resolve(ctx, name));

    assertEquals(ErrorCode.NOT_FOUND, e.code());
    assertEquals(
        "Alias arn:aws:kms:us-east-1:111122223333:alias/none is not found.", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "not-a-key",
        "1234abcd-12AB-34CD-56EF-1234567890AB",
        "1234abcd-12ab-34cd-56ef-1234567890abc"
      })
  void malformedKeyId_isNotFound_asInvalidKeyId(String keyId) {
    KmsException e = assertThrows(KmsException.class, () -> keys.resolve(ctx, keyId));

    assertEquals(ErrorCode.NOT_FOUND, e.code());
    assertEquals("Invalid keyId '" + keyId + "'", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "arn:aws:kms:us-east-1:1111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-east-1:111122223333:grant/x",
        "arn:aws:s3:::bucket"
      })
  void malformedArn_isNotFound_asInvalidArn(String arn) {
    KmsException e = assertThrows(KmsException.class, () -> keys.resolve(ctx, arn));

    assertEquals(ErrorCode.NOT_FOUND, e.code());
    assertEquals("Invalid arn " + arn, e.getMessage());
  }
}
