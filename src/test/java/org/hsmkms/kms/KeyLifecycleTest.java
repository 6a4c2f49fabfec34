package org.hsmkms.kms;

import static org.hsmkms.kms.StoredKeys.ACCOUNT;
import static org.hsmkms.kms.StoredKeys.OTHER_ACCOUNT;
import static org.hsmkms.kms.StoredKeys.OTHER_REGION;
import static org.hsmkms.kms.StoredKeys.REGION;
import static org.hsmkms.kms.StoredKeys.caller;
import static org.hsmkms.kms.TokenServices.refusal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.hsmkms.store.KeyRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The key state machine as {@link KeyManagement} drives it: EnableKey, DisableKey,
 * ScheduleKeyDeletion (PendingWindowInDays 7..30, default 30), CancelKeyDeletion, DescribeKey and
 * UpdateKeyDescription from each state, and ListKeys paging. A refused transition leaves the key as
 * it was.
 */
class KeyLifecycleTest {
  @RegisterExtension static final TokenFixture TOKEN = TokenFixture.perTest();

  private TokenServices services;
  private KeyManagement management;
  private final RequestContext ctx = caller();

  @BeforeEach
  void open() {
    services = TOKEN.services();
    management = services.management;
  }

  /** A key row in {@code state}; no token object is needed to change a state. */
  private KeyRecord key(KeyState state) {
    return services.stored.add(state);
  }

  private String arn(KeyRecord key) {
    return ctx.keyArn(key.keyId());
  }

  /** The operations that change a key's state, as the test names them. */
  enum Transition {
    ENABLE((m, c, id) -> m.enableKey(c, id)),
    DISABLE((m, c, id) -> m.disableKey(c, id)),
    SCHEDULE_DELETION((m, c, id) -> m.scheduleKeyDeletion(c, id, null)),
    CANCEL_DELETION((m, c, id) -> m.cancelKeyDeletion(c, id)),
    UPDATE_DESCRIPTION((m, c, id) -> m.updateKeyDescription(c, id, "new"));

    interface Call {
      void apply(KeyManagement m, RequestContext ctx, String keyId);
    }

    final Call call;

    Transition(Call call) {
      this.call = call;
    }
  }

  /**
   * Every visible state with every transition: the state it leaves the key in, or the error it
   * refuses with (AWS: management operations refuse keys pending deletion; only CancelKeyDeletion
   * takes them; an unavailable key cannot be enabled or disabled).
   */
  static Stream<Arguments> transitions() {
    KeyState enabled = KeyState.ENABLED;
    KeyState disabled = KeyState.DISABLED;
    KeyState pending = KeyState.PENDING_DELETION;
    KeyState unavailable = KeyState.UNAVAILABLE;
    // A multi-Region primary waiting for its replicas' deletion behaves as pending deletion.
    KeyState replicas = KeyState.PENDING_REPLICA_DELETION;
    ErrorCode invalid = ErrorCode.INVALID_STATE;
    return Stream.of(
        Arguments.of(enabled, Transition.ENABLE, enabled, null),
        Arguments.of(enabled, Transition.DISABLE, disabled, null),
        Arguments.of(enabled, Transition.SCHEDULE_DELETION, pending, null),
        Arguments.of(enabled, Transition.CANCEL_DELETION, null, invalid),
        Arguments.of(enabled, Transition.UPDATE_DESCRIPTION, enabled, null),
        Arguments.of(disabled, Transition.ENABLE, enabled, null),
        Arguments.of(disabled, Transition.DISABLE, disabled, null),
        Arguments.of(disabled, Transition.SCHEDULE_DELETION, pending, null),
        Arguments.of(disabled, Transition.CANCEL_DELETION, null, invalid),
        Arguments.of(disabled, Transition.UPDATE_DESCRIPTION, disabled, null),
        Arguments.of(pending, Transition.ENABLE, null, invalid),
        Arguments.of(pending, Transition.DISABLE, null, invalid),
        Arguments.of(pending, Transition.SCHEDULE_DELETION, null, invalid),
        Arguments.of(pending, Transition.CANCEL_DELETION, disabled, null),
        Arguments.of(pending, Transition.UPDATE_DESCRIPTION, null, invalid),
        Arguments.of(unavailable, Transition.ENABLE, null, invalid),
        Arguments.of(unavailable, Transition.DISABLE, null, invalid),
        Arguments.of(unavailable, Transition.SCHEDULE_DELETION, pending, null),
        Arguments.of(unavailable, Transition.CANCEL_DELETION, null, invalid),
        Arguments.of(unavailable, Transition.UPDATE_DESCRIPTION, unavailable, null),
        Arguments.of(replicas, Transition.ENABLE, null, invalid),
        Arguments.of(replicas, Transition.DISABLE, null, invalid),
        Arguments.of(replicas, Transition.SCHEDULE_DELETION, null, invalid),
        Arguments.of(replicas, Transition.CANCEL_DELETION, disabled, null),
        Arguments.of(replicas, Transition.UPDATE_DESCRIPTION, null, invalid),
        // Imported key material: a key without material (issue 14).
        Arguments.of(KeyState.PENDING_IMPORT, Transition.ENABLE, null, invalid),
        Arguments.of(KeyState.PENDING_IMPORT, Transition.DISABLE, null, invalid),
        Arguments.of(KeyState.PENDING_IMPORT, Transition.SCHEDULE_DELETION, pending, null),
        Arguments.of(KeyState.PENDING_IMPORT, Transition.CANCEL_DELETION, null, invalid),
        Arguments.of(
            KeyState.PENDING_IMPORT, Transition.UPDATE_DESCRIPTION, KeyState.PENDING_IMPORT, null),
        // Updating (AWS's transient state of UpdatePrimaryRegion, never stored here): [15].
        Arguments.of(KeyState.UPDATING, Transition.ENABLE, null, invalid),
        Arguments.of(KeyState.UPDATING, Transition.DISABLE, null, invalid),
        Arguments.of(KeyState.UPDATING, Transition.SCHEDULE_DELETION, null, invalid),
        Arguments.of(KeyState.UPDATING, Transition.CANCEL_DELETION, null, invalid),
        Arguments.of(KeyState.UPDATING, Transition.UPDATE_DESCRIPTION, KeyState.UPDATING, null));
  }

  @ParameterizedTest(name = "{0} key, {1}: {2} {3}")
  @MethodSource("transitions")
  void transition_fromEachState_followsTheStateMachine(
      KeyState from, Transition transition, KeyState to, ErrorCode error) {
    KeyRecord key = key(from);

    if (error == null) {
      transition.call.apply(management, ctx, key.keyId());
      assertEquals(to.awsName(), services.row(key.keyId()).keyState());
    } else {
      assertEquals(
          error, refusal(() -> transition.call.apply(management, ctx, key.keyId())), "refused");
      assertEquals(key, services.row(key.keyId()), "the key is as it was");
    }
  }

  @Test
  void transitions_coverEveryVisibleStateAndTransition() {
    long visible = Stream.of(KeyState.values()).filter(KeyState::isVisible).count();

    assertEquals(visible * Transition.values().length, transitions().count());
  }

  static Stream<Arguments> internalStates() {
    return Stream.of(KeyState.CREATING, KeyState.DELETING)
        .flatMap(s -> Stream.of(Transition.values()).map(t -> Arguments.of(s, t)));
  }

  @ParameterizedTest(name = "{0} key, {1}")
  @MethodSource("internalStates")
  void transition_ofAKeyInAnInternalState_isNotFound_andChangesNothing(
      KeyState state, Transition transition) {
    KeyRecord key = key(state);

    assertEquals(
        ErrorCode.NOT_FOUND, refusal(() -> transition.call.apply(management, ctx, key.keyId())));
    assertEquals(key, services.row(key.keyId()));
  }

  @ParameterizedTest
  @EnumSource(
      value = Transition.class,
      names = {"ENABLE", "DISABLE", "SCHEDULE_DELETION", "UPDATE_DESCRIPTION"})
  void transition_ofAKeyPendingDeletion_isKmsInvalidStateException_inAwsWording(
      Transition transition) {
    KeyRecord key = key(KeyState.PENDING_DELETION);

    KmsException e =
        assertThrows(KmsException.class, () -> transition.call.apply(management, ctx, key.keyId()));

    assertEquals(arn(key) + " is pending deletion.", e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(
      value = Transition.class,
      names = {"ENABLE", "DISABLE"})
  void enablingOrDisabling_anUnavailableKey_isKmsInvalidStateException(Transition transition) {
    KeyRecord key = key(KeyState.UNAVAILABLE);

    KmsException e =
        assertThrows(KmsException.class, () -> transition.call.apply(management, ctx, key.keyId()));

    assertEquals(ErrorCode.INVALID_STATE, e.code());
    assertEquals(arn(key) + " is unavailable.", e.getMessage());
  }

  // --- ScheduleKeyDeletion ---------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(ints = {7, 8, 29, 30})
  void scheduleKeyDeletion_withAWindowOf7To30Days_setsTheDateThatManyDaysAhead(int days) {
    KeyRecord key = key(KeyState.ENABLED);

    KeyManagement.DeletionScheduled answer = management.scheduleKeyDeletion(ctx, key.keyId(), days);

    KeyRecord row = services.row(key.keyId());
    assertEquals(services.clock.instant().plus(Duration.ofDays(days)), answer.deletionDate());
    assertEquals(days, answer.pendingWindowInDays());
    assertEquals(arn(key), answer.keyArn());
    assertEquals("PendingDeletion", row.keyState());
    assertEquals(answer.deletionDate(), row.deletionDate());
    assertEquals(days, row.pendingWindowDays());
  }

  @Test
  void scheduleKeyDeletion_withoutAWindow_defaultsTo30Days() {
    KeyRecord key = key(KeyState.DISABLED);

    KeyManagement.DeletionScheduled answer = management.scheduleKeyDeletion(ctx, key.keyId(), null);

    assertEquals(30, answer.pendingWindowInDays());
    assertEquals(services.clock.instant().plus(Duration.ofDays(30)), answer.deletionDate());
  }

  @ParameterizedTest
  @ValueSource(ints = {6, 1, 0, -1})
  void scheduleKeyDeletion_pendingWindowUnder7Days_isValidationException(int days) {
    KeyRecord key = key(KeyState.ENABLED);

    KmsException e =
        assertThrows(
            KmsException.class, () -> management.scheduleKeyDeletion(ctx, key.keyId(), days));

    assertEquals(ErrorCode.VALIDATION, e.code());
    assertEquals(
        "1 validation error detected: Value '"
            + days
            + "' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value"
            + " greater than or equal to 7",
        e.getMessage());
    assertEquals(key, services.row(key.keyId()));
  }

  @ParameterizedTest
  @ValueSource(ints = {31, 365})
  void scheduleKeyDeletion_pendingWindowOver30Days_isValidationException(int days) {
    KeyRecord key = key(KeyState.ENABLED);

    KmsException e =
        assertThrows(
            KmsException.class, () -> management.scheduleKeyDeletion(ctx, key.keyId(), days));

    assertEquals(ErrorCode.VALIDATION, e.code());
    assertEquals(
        "1 validation error detected: Value '"
            + days
            + "' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value"
            + " less than or equal to 30",
        e.getMessage());
    assertEquals(key, services.row(key.keyId()));
  }

  @Test
  void scheduleKeyDeletion_keepsTheKeyMaterial_untilTheDeletionIsCarriedOut() {
    KeyRecord key = services.symmetricKey();

    management.scheduleKeyDeletion(ctx, key.keyId(), 7);

    assertTrue(TOKEN.hsm().inventory().keyExists(services.material(key)));
  }

  // --- CancelKeyDeletion -----------------------------------------------------------------------

  @Test
  void cancelKeyDeletion_ofAPendingKey_leavesItDisabledWithoutADate_andAnswersItsArn() {
    KeyRecord key = key(KeyState.ENABLED);
    management.scheduleKeyDeletion(ctx, key.keyId(), 7);

    String answer = management.cancelKeyDeletion(ctx, key.keyId());

    KeyRecord row = services.row(key.keyId());
    assertEquals(arn(key), answer);
    assertEquals("Disabled", row.keyState());
    assertNull(row.deletionDate());
    assertNull(row.pendingWindowDays());
  }

  @ParameterizedTest
  @EnumSource(
      value = KeyState.class,
      names = {"ENABLED", "DISABLED", "UNAVAILABLE"})
  void cancelKeyDeletion_ofAKeyNotPendingDeletion_isKmsInvalidStateException(KeyState state) {
    KeyRecord key = key(state);

    KmsException e =
        assertThrows(KmsException.class, () -> management.cancelKeyDeletion(ctx, key.keyId()));

    assertEquals(ErrorCode.INVALID_STATE, e.code());
    assertEquals(arn(key) + " is not pending deletion.", e.getMessage());
  }

  // --- DescribeKey and UpdateKeyDescription -------------------------------------------------

  @ParameterizedTest
  @EnumSource(
      value = KeyState.class,
      names = {"ENABLED", "DISABLED", "PENDING_DELETION", "UNAVAILABLE"})
  void describeKey_inEachVisibleState_reportsTheStateAndWhetherTheKeyIsEnabled(KeyState state) {
    KeyRecord key = key(state);

    KeyMetadata md = management.describeKey(ctx, key.keyId());

    assertEquals(state.awsName(), md.keyState());
    assertEquals(state == KeyState.ENABLED, md.enabled());
    assertEquals(key.deletionDate(), md.deletionDate());
    assertEquals(arn(key), md.arn());
  }

  @Test
  void updateKeyDescription_replacesIt_andEmptyClearsIt() {
    KeyRecord key = key(KeyState.DISABLED);

    management.updateKeyDescription(ctx, key.keyId(), "first");
    assertEquals("first", management.describeKey(ctx, key.keyId()).description());
    management.updateKeyDescription(ctx, key.keyId(), "");
    assertEquals("", management.describeKey(ctx, key.keyId()).description());
  }

  // --- ListKeys --------------------------------------------------------------------------------

  /** Keys the caller sees, in every visible state, among keys it must not see. */
  private List<String> visibleKeysAmongOthers() {
    List<String> visible = new ArrayList<>();
    for (KeyState state : KeyState.values()) {
      KeyRecord key = key(state);
      if (state.isVisible()) {
        visible.add(key.keyId());
      }
      services.stored.add(OTHER_ACCOUNT, REGION, state);
      services.stored.add(ACCOUNT, OTHER_REGION, state);
    }
    visible.add(key(KeyState.ENABLED).keyId());
    visible.sort(null);
    return visible;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 4, 5, 1000})
  void listKeys_pagedWithLimit_returnsEachVisibleKeyOfTheCallerOnce_inKeyIdOrder(int limit) {
    List<String> visible = visibleKeysAmongOthers();
    List<String> listed = new ArrayList<>();
    String marker = null;
    int pages = 0;
    do {
      Page<KeyListEntry> page = management.listKeys(ctx, limit, marker);
      assertTrue(page.items().size() <= limit);
      for (KeyListEntry e : page.items()) {
        listed.add(e.keyId());
        assertEquals(ctx.keyArn(e.keyId()), e.keyArn());
      }
      assertEquals(page.nextMarker() != null, page.truncated());
      marker = page.nextMarker();
      pages++;
    } while (marker != null);

    assertEquals(visible, listed);
    assertEquals((visible.size() + limit - 1) / limit, pages, "no empty last page");
  }

  @Test
  void listKeys_ofAnAccountWithoutKeys_isOneEmptyPage() {
    services.stored.add(OTHER_ACCOUNT, REGION, KeyState.ENABLED);

    Page<KeyListEntry> page = management.listKeys(ctx, 10, null);

    assertEquals(List.of(), page.items());
    assertFalse(page.truncated());
  }

  @ParameterizedTest
  @ValueSource(strings = {"bogus", "!!!", "dGFnOmtleS0x"})
  void listKeys_withAMarkerNotFromListKeys_isInvalidMarkerException(String marker) {
    key(KeyState.ENABLED);

    KmsException e = assertThrows(KmsException.class, () -> management.listKeys(ctx, 10, marker));

    assertEquals(ErrorCode.INVALID_MARKER, e.code());
  }
}
