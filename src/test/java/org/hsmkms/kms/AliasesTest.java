package org.hsmkms.kms;

import static org.hsmkms.kms.StoredKeys.ACCOUNT;
import static org.hsmkms.kms.StoredKeys.OTHER_ACCOUNT;
import static org.hsmkms.kms.StoredKeys.OTHER_REGION;
import static org.hsmkms.kms.StoredKeys.REGION;
import static org.hsmkms.kms.StoredKeys.caller;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hsmkms.store.AliasRecord;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CreateAlias, UpdateAlias, DeleteAlias and ListAliases on a real SQLite store: AWS's naming rules,
 * targets named by key id or key ARN only, no key pending deletion as a target, and one namespace
 * per account and region.
 */
class AliasesTest {
  @TempDir Path dir;
  private StoredKeys stored;
  private final MutableClock clock = new MutableClock();
  private Aliases aliases;
  private Keys keys;
  private final RequestContext ctx = caller();

  @BeforeEach
  void open() {
    stored = new StoredKeys(dir);
    keys = new Keys(stored.store);
    aliases = new Aliases(stored.store, keys, clock);
  }

  @AfterEach
  void close() {
    stored.close();
  }

  private static ErrorCode refusal(Executable call) {
    return assertThrows(KmsException.class, call).code();
  }

  /** The clock's time as the store keeps it (to the millisecond). */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private Optional<AliasRecord> find(String aliasName) {
    return stored.store.findAlias(ACCOUNT, REGION, aliasName);
  }

  // --- CreateAlias --------------------------------------------------------------------------

  @Test
  void createAlias_namesTheKey_fromNowOn() {
    KeyRecord key = stored.add(KeyState.ENABLED);

    aliases.createAlias(ctx, "alias/orders", key.keyId());

    assertEquals(key, keys.resolve(ctx, "alias/orders"));
    AliasRecord alias = find("alias/orders").orElseThrow();
    assertEquals(now(), alias.creationDate());
    assertEquals(now(), alias.lastUpdatedDate());
  }

  @Test
  void createAlias_targetByKeyArn_isAccepted() {
    KeyRecord key = stored.add(KeyState.ENABLED);

    aliases.createAlias(ctx, "alias/by-arn", ctx.keyArn(key.keyId()));

    assertEquals(key.keyId(), find("alias/by-arn").orElseThrow().targetKeyId());
  }

  @ParameterizedTest
  @ValueSource(strings = {"orders", "alias/", "Alias/orders", "aliases/orders"})
  void createAlias_nameWithoutTheAliasPrefix_isValidationException_asAws(String name) {
    KeyRecord key = stored.add(KeyState.ENABLED);

    KmsException e =
        assertThrows(KmsException.class, () -> aliases.createAlias(ctx, name, key.keyId()));

    assertEquals(ErrorCode.VALIDATION, e.code());
    assertEquals(Optional.empty(), find(name));
  }

  @ParameterizedTest
  @ValueSource(strings = {"alias/aws/", "alias/aws/s3"})
  void createAlias_nameUnderAliasAws_isNotAuthorizedException_reservedForAws(String name) {
    KeyRecord key = stored.add(KeyState.ENABLED);

    KmsException e =
        assertThrows(KmsException.class, () -> aliases.createAlias(ctx, name, key.keyId()));

    // As AWS answers it (recorded by moto's suite): no message at all.
    assertEquals(ErrorCode.NOT_AUTHORIZED, e.code());
    assertNull(e.getMessage());
  }

  @Test
  void createAlias_nameTaken_isAlreadyExistsException_andTheAliasKeepsItsKey() {
    KeyRecord first = stored.add(KeyState.ENABLED);
    KeyRecord second = stored.add(KeyState.ENABLED);
    aliases.createAlias(ctx, "alias/taken", first.keyId());

    KmsException e =
        assertThrows(
            KmsException.class, () -> aliases.createAlias(ctx, "alias/taken", second.keyId()));

    assertEquals(ErrorCode.ALREADY_EXISTS, e.code());
    assertEquals(
        "An alias with the name arn:aws:kms:us-east-1:111122223333:alias/taken already exists",
        e.getMessage());
    assertEquals(first.keyId(), find("alias/taken").orElseThrow().targetKeyId());
  }

  @Test
  void createAlias_sameNameInAnotherAccountOrRegion_isAnotherAlias() {
    KeyRecord mine = stored.add(KeyState.ENABLED);
    KeyRecord otherAccount = stored.add(OTHER_ACCOUNT, REGION, KeyState.ENABLED);
    KeyRecord otherRegion = stored.add(ACCOUNT, OTHER_REGION, KeyState.ENABLED);

    aliases.createAlias(ctx, "alias/shared", mine.keyId());
    aliases.createAlias(caller(OTHER_ACCOUNT, REGION), "alias/shared", otherAccount.keyId());
    aliases.createAlias(caller(ACCOUNT, OTHER_REGION), "alias/shared", otherRegion.keyId());

    assertEquals(mine, keys.resolve(ctx, "alias/shared"));
    assertEquals(otherAccount, keys.resolve(caller(OTHER_ACCOUNT, REGION), "alias/shared"));
    assertEquals(otherRegion, keys.resolve(caller(ACCOUNT, OTHER_REGION), "alias/shared"));
  }

  @Test
  void createAlias_targetNamedByAnotherAlias_isValidationException() {
    KeyRecord key = stored.add(KeyState.ENABLED);
    stored.alias("alias/first", key);

    KmsException e =
        assertThrows(
            KmsException.class, () -> aliases.createAlias(ctx, "alias/second", "alias/first"));

    // CreateAlias TargetKeyId: "You cannot specify another alias" (AWS's words, moto's suite).
    assertEquals(ErrorCode.VALIDATION, e.code());
    assertEquals("Aliases must refer to keys. Not aliases", e.getMessage());
    assertEquals(Optional.empty(), find("alias/second"));
  }

  @Test
  void createAlias_targetOfAnotherAccount_isNotFoundException() {
    KeyRecord theirs = stored.add(OTHER_ACCOUNT, REGION, KeyState.ENABLED);

    assertEquals(
        ErrorCode.NOT_FOUND, refusal(() -> aliases.createAlias(ctx, "alias/x", theirs.keyId())));
  }

  @ParameterizedTest
  @EnumSource(
      value = KeyState.class,
      names = {"CREATING", "DELETING"})
  void createAlias_targetInAnInternalState_isNotFoundException(KeyState state) {
    KeyRecord key = stored.add(state);

    assertEquals(
        ErrorCode.NOT_FOUND, refusal(() -> aliases.createAlias(ctx, "alias/x", key.keyId())));
  }

  @Test
  void createAlias_targetPendingDeletion_isKmsInvalidStateException() {
    KeyRecord key = stored.add(KeyState.PENDING_DELETION);

    assertEquals(
        ErrorCode.INVALID_STATE, refusal(() -> aliases.createAlias(ctx, "alias/x", key.keyId())));
    assertEquals(Optional.empty(), find("alias/x"));
  }

  @ParameterizedTest
  @EnumSource(
      value = KeyState.class,
      names = {"ENABLED", "DISABLED"})
  void createAlias_targetEnabledOrDisabled_isAccepted(KeyState state) {
    KeyRecord key = stored.add(state);

    aliases.createAlias(ctx, "alias/x", key.keyId());

    assertEquals(key.keyId(), find("alias/x").orElseThrow().targetKeyId());
  }

  // --- UpdateAlias --------------------------------------------------------------------------

  @Test
  void updateAlias_pointsTheAliasAtAnotherKey_keepingItsCreationDate() {
    KeyRecord first = stored.add(KeyState.ENABLED);
    KeyRecord second = stored.add(KeyState.DISABLED);
    aliases.createAlias(ctx, "alias/moving", first.keyId());
    Instant created = now();
    clock.advance(Duration.ofHours(1));

    aliases.updateAlias(ctx, "alias/moving", second.keyId());

    AliasRecord alias = find("alias/moving").orElseThrow();
    assertEquals(second.keyId(), alias.targetKeyId());
    assertEquals(created, alias.creationDate());
    assertEquals(created.plus(Duration.ofHours(1)), alias.lastUpdatedDate());
  }

  @Test
  void updateAlias_unknownAlias_isNotFoundException_andCreatesNothing() {
    KeyRecord key = stored.add(KeyState.ENABLED);

    KmsException e =
        assertThrows(KmsException.class, () -> aliases.updateAlias(ctx, "alias/none", key.keyId()));

    assertEquals(ErrorCode.NOT_FOUND, e.code());
    assertEquals(
        "Alias arn:aws:kms:us-east-1:111122223333:alias/none is not found.", e.getMessage());
    assertEquals(Optional.empty(), find("alias/none"));
  }

  @Test
  void updateAlias_toAKeyPendingDeletion_isKmsInvalidStateException_andTheAliasStays() {
    KeyRecord first = stored.add(KeyState.ENABLED);
    KeyRecord pending = stored.add(KeyState.PENDING_DELETION);
    aliases.createAlias(ctx, "alias/staying", first.keyId());

    assertEquals(
        ErrorCode.INVALID_STATE,
        refusal(() -> aliases.updateAlias(ctx, "alias/staying", pending.keyId())));
    assertEquals(first.keyId(), find("alias/staying").orElseThrow().targetKeyId());
  }

  @Test
  void updateAlias_reservedName_isNotAuthorizedException() {
    KeyRecord key = stored.add(KeyState.ENABLED);

    assertEquals(
        ErrorCode.NOT_AUTHORIZED,
        refusal(() -> aliases.updateAlias(ctx, "alias/aws/kms", key.keyId())));
  }

  // --- DeleteAlias --------------------------------------------------------------------------

  @Test
  void deleteAlias_removesTheName_andASecondDelete_isNotFoundException() {
    KeyRecord key = stored.add(KeyState.ENABLED);
    aliases.createAlias(ctx, "alias/gone", key.keyId());

    aliases.deleteAlias(ctx, "alias/gone");

    assertEquals(Optional.empty(), find("alias/gone"));
    assertEquals(ErrorCode.NOT_FOUND, refusal(() -> keys.resolve(ctx, "alias/gone")));
    assertEquals(ErrorCode.NOT_FOUND, refusal(() -> aliases.deleteAlias(ctx, "alias/gone")));
    assertEquals(key, keys.resolve(ctx, key.keyId()));
  }

  @Test
  void deleteAlias_ofAnotherAccount_isNotFoundException_andTheirAliasStays() {
    KeyRecord theirs = stored.add(OTHER_ACCOUNT, REGION, KeyState.ENABLED);
    stored.alias("alias/theirs", theirs);

    assertEquals(ErrorCode.NOT_FOUND, refusal(() -> aliases.deleteAlias(ctx, "alias/theirs")));
    assertEquals(
        theirs.keyId(),
        stored.store.findAlias(OTHER_ACCOUNT, REGION, "alias/theirs").orElseThrow().targetKeyId());
  }

  @Test
  void deleteAlias_nameWithoutTheAliasPrefix_isValidationException() {
    assertEquals(ErrorCode.VALIDATION, refusal(() -> aliases.deleteAlias(ctx, "gone")));
  }

  // --- ListAliases --------------------------------------------------------------------------

  private static List<String> names(Page<AliasListEntry> page) {
    return page.items().stream().map(AliasListEntry::aliasName).toList();
  }

  @Test
  void listAliases_pagesThroughEveryAliasInNameOrder() {
    KeyRecord key = stored.add(KeyState.ENABLED);
    for (String name : List.of("alias/e", "alias/c", "alias/a", "alias/d", "alias/b")) {
      aliases.createAlias(ctx, name, key.keyId());
    }

    List<List<String>> pages = new ArrayList<>();
    String marker = null;
    do {
      Page<AliasListEntry> page = aliases.listAliases(ctx, null, 2, marker);
      pages.add(names(page));
      marker = page.nextMarker();
    } while (marker != null);

    assertEquals(
        List.of(List.of("alias/a", "alias/b"), List.of("alias/c", "alias/d"), List.of("alias/e")),
        pages);
  }

  @Test
  void listAliases_exactlyOnePageFull_isNotTruncated() {
    KeyRecord key = stored.add(KeyState.ENABLED);
    aliases.createAlias(ctx, "alias/a", key.keyId());
    aliases.createAlias(ctx, "alias/b", key.keyId());

    Page<AliasListEntry> page = aliases.listAliases(ctx, null, 2, null);

    assertEquals(List.of("alias/a", "alias/b"), names(page));
    assertFalse(page.truncated());
    assertNull(page.nextMarker());
  }

  @Test
  void listAliases_ofOneKey_byIdOrArn_listsOnlyItsAliases() {
    KeyRecord one = stored.add(KeyState.ENABLED);
    KeyRecord other = stored.add(KeyState.ENABLED);
    aliases.createAlias(ctx, "alias/one-a", one.keyId());
    aliases.createAlias(ctx, "alias/other", other.keyId());
    aliases.createAlias(ctx, "alias/one-b", one.keyId());

    assertEquals(
        List.of("alias/one-a", "alias/one-b"),
        names(aliases.listAliases(ctx, one.keyId(), 10, null)));
    assertEquals(
        List.of("alias/one-a", "alias/one-b"),
        names(aliases.listAliases(ctx, ctx.keyArn(one.keyId()), 10, null)));
  }

  @Test
  void listAliases_ofAKeyNamedByAlias_isNotFoundException() {
    KeyRecord key = stored.add(KeyState.ENABLED);
    aliases.createAlias(ctx, "alias/a", key.keyId());

    assertEquals(ErrorCode.NOT_FOUND, refusal(() -> aliases.listAliases(ctx, "alias/a", 10, null)));
  }

  @Test
  void listAliases_showsOnlyTheCallersAccountAndRegion() {
    KeyRecord mine = stored.add(KeyState.ENABLED);
    stored.alias("alias/mine", mine);
    stored.alias("alias/other-account", stored.add(OTHER_ACCOUNT, REGION, KeyState.ENABLED));
    stored.alias("alias/other-region", stored.add(ACCOUNT, OTHER_REGION, KeyState.ENABLED));

    assertEquals(List.of("alias/mine"), names(aliases.listAliases(ctx, null, 10, null)));
  }

  @Test
  void listAliases_withAMarkerOfAnotherListing_isInvalidMarkerException() {
    String keyMarker = Markers.encode("key", "1234abcd-12ab-34cd-56ef-1234567890ab");

    assertEquals(
        ErrorCode.INVALID_MARKER, refusal(() -> aliases.listAliases(ctx, null, 10, keyMarker)));
  }
}
