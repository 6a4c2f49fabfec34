package org.hsmkms.kms;

import static org.hsmkms.kms.StoredKeys.ACCOUNT;
import static org.hsmkms.kms.StoredKeys.OTHER_ACCOUNT;
import static org.hsmkms.kms.StoredKeys.OTHER_REGION;
import static org.hsmkms.kms.StoredKeys.REGION;
import static org.hsmkms.kms.StoredKeys.caller;
import static org.hsmkms.kms.TokenServices.ENCRYPT_DECRYPT;
import static org.hsmkms.kms.TokenServices.GENERATE_VERIFY_MAC;
import static org.hsmkms.kms.TokenServices.SIGN_VERIFY;
import static org.hsmkms.kms.TokenServices.SYMMETRIC_DEFAULT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.hsmkms.crypto.EncryptionContext;
import org.hsmkms.hsm.MaterialId;
import org.hsmkms.kms.Reconciler.Report;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.testing.TestToken;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Reconciler} against the test token: the start-up table of docs/architecture.md ("Start-up
 * reconciliation"), row by row, and deletions carried out when, and only when, they fall due.
 * Material is destroyed only for keys whose deletion has completed.
 *
 * <p>The token is shared with other test classes, so counts of token objects without a row are
 * taken relative to a first reconciliation.
 */
class ReconcilerTest {
  private static final byte[] PLAINTEXT = {1, 2, 3};
  @RegisterExtension static final TokenFixture TOKEN = TokenFixture.perTest();

  private TokenServices services;
  private Reconciler reconciler;
  private final RequestContext ctx = caller();

  @BeforeEach
  void open() {
    services = TOKEN.services();
    reconciler = services.reconciler;
  }

  private Optional<KeyRecord> find(KeyRecord key) {
    return services.stored.store.findKey(key.keyId());
  }

  private boolean inToken(KeyRecord key) {
    return TOKEN.hsm().inventory().keyExists(services.material(key));
  }

  /** A report with only this repair, besides the token's objects that belong to no row. */
  private Report only(Report found, int completed, int rolledBack, int deleted, int missing) {
    return new Report(completed, rolledBack, deleted, missing, found.objectsWithoutRow());
  }

  // --- The start-up table ----------------------------------------------------------------------

  @Test
  void creatingRow_whoseTokenObjectExists_isCompletedAsEnabled_andUsable() {
    KeyRecord key = services.stored.add(KeyState.CREATING);
    TOKEN.hsm().inventory().generateAesKey(services.material(key), key.keyId());

    Report report = reconciler.reconcile();

    assertEquals(only(report, 1, 0, 0, 0), report);
    assertEquals("Enabled", find(key).orElseThrow().keyState());
    assertTrue(inToken(key), "material is never destroyed unasked");
    byte[] blob =
        services
            .crypto
            .encrypt(ctx, key.keyId(), PLAINTEXT, EncryptionContext.empty(), null, false)
            .ciphertextBlob();
    assertArrayEquals(
        PLAINTEXT,
        services
            .crypto
            .decrypt(ctx, blob, EncryptionContext.empty(), null, null, false, false)
            .plaintext()
            .copy());
  }

  @Test
  void creatingRow_withoutATokenObject_isRemoved() {
    KeyRecord key = services.stored.add(KeyState.CREATING);

    Report report = reconciler.reconcile();

    assertEquals(only(report, 0, 1, 0, 0), report);
    assertEquals(Optional.empty(), find(key));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    SYMMETRIC_DEFAULT + ", " + ENCRYPT_DECRYPT,
    "HMAC_256, " + GENERATE_VERIFY_MAC,
    "ECC_NIST_P256, " + SIGN_VERIFY
  })
  void deletingRow_hasEveryTokenObjectOfItsKeyDestroyed_andIsRemovedWithItsTags(
      String spec, String usage) throws Exception {
    KeyRecord key = services.create(spec, usage);
    services.stored.store.putTags(key.keyId(), Map.of("team", "a"));
    byte[] material = services.material(key).bytes();
    assertTrue(TestToken.objectsWithId(material) > 0);
    services.setState(key, KeyState.DELETING);

    Report report = reconciler.reconcile();

    assertEquals(only(report, 0, 0, 1, 0), report);
    assertEquals(Optional.empty(), find(key));
    assertEquals(Map.of(), services.stored.store.tags(key.keyId()));
    assertEquals(0, TestToken.objectsWithId(material), "a key pair loses both halves");
  }

  @Test
  void deletingRow_whoseTokenObjectIsAlreadyGone_isRemoved() {
    KeyRecord key = services.stored.add(KeyState.DELETING);

    Report report = reconciler.reconcile();

    assertEquals(only(report, 0, 0, 1, 0), report);
    assertEquals(Optional.empty(), find(key));
  }

  @ParameterizedTest
  @EnumSource(
      value = KeyState.class,
      names = {"ENABLED", "DISABLED", "PENDING_DELETION", "UNAVAILABLE"})
  void rowInAVisibleState_withoutItsTokenObject_isReported_andKeptAsItIs(KeyState state) {
    KeyRecord key = services.stored.add(state);

    Report report = reconciler.reconcile();

    assertEquals(only(report, 0, 0, 0, 1), report);
    assertEquals(Optional.of(key), find(key));
  }

  @Test
  void tokenObjectWithoutARow_isReported_andLeftInPlace() {
    int before = reconciler.reconcile().objectsWithoutRow();
    services.symmetricKey(); // its object has a row: not counted
    MaterialId orphan = MaterialId.of(TOKEN.hsm().random().generateRandom(16));
    TOKEN.hsm().inventory().generateAesKey(orphan, "reconciler-test-orphan");
    try {
      Report report = reconciler.reconcile();

      assertEquals(new Report(0, 0, 0, 0, before + 1), report);
      assertTrue(TOKEN.hsm().inventory().keyExists(orphan));
    } finally {
      TOKEN.hsm().inventory().destroyKey(orphan);
    }
  }

  @Test
  void reconcile_repairsEachRowOnce_andKeysOfEveryAccountAndRegion() {
    KeyRecord otherAccount = services.stored.add(OTHER_ACCOUNT, REGION, KeyState.CREATING);
    KeyRecord otherRegion = services.stored.add(ACCOUNT, OTHER_REGION, KeyState.DELETING);
    KeyRecord healthy = services.symmetricKey();

    Report first = reconciler.reconcile();
    Report second = reconciler.reconcile();

    assertEquals(only(first, 0, 1, 1, 0), first);
    assertEquals(only(second, 0, 0, 0, 0), second);
    assertEquals(Optional.empty(), find(otherAccount));
    assertEquals(Optional.empty(), find(otherRegion));
    assertEquals("Enabled", find(healthy).orElseThrow().keyState());
    assertTrue(inToken(healthy));
  }

  // --- Deletions when due ----------------------------------------------------------------------

  @Test
  void deleteDueKeys_atTheDeletionDate_destroysTheMaterialAndRemovesTheRow() {
    KeyRecord key = services.symmetricKey();
    services.management.scheduleKeyDeletion(ctx, key.keyId(), 7);
    services.clock.advance(Duration.ofDays(7));

    assertEquals(1, reconciler.deleteDueKeys());

    assertEquals(Optional.empty(), find(key));
    assertFalse(inToken(key));
  }

  @Test
  void deleteDueKeys_beforeTheDeletionDate_deletesNothing() {
    KeyRecord key = services.symmetricKey();
    services.management.scheduleKeyDeletion(ctx, key.keyId(), 7);
    services.clock.advance(Duration.ofDays(7).minusSeconds(1));

    assertEquals(0, reconciler.deleteDueKeys());

    assertEquals("PendingDeletion", find(key).orElseThrow().keyState());
    assertTrue(inToken(key));
  }

  @Test
  void deleteDueKeys_ofAKeyWhoseDeletionWasCancelled_deletesNothing_evenLongAfterTheDate() {
    KeyRecord key = services.symmetricKey();
    services.management.scheduleKeyDeletion(ctx, key.keyId(), 7);
    services.management.cancelKeyDeletion(ctx, key.keyId());
    services.clock.advance(Duration.ofDays(365));

    assertEquals(0, reconciler.deleteDueKeys());

    assertEquals("Disabled", find(key).orElseThrow().keyState());
    assertTrue(inToken(key));
  }

  @Test
  void deleteDueKeys_deletesTheDueKeysOfEveryAccount_andOnlyThose() {
    RequestContext other = caller(OTHER_ACCOUNT, REGION);
    KeyRecord mine = services.symmetricKey();
    KeyRecord theirs = services.create(other, SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT);
    KeyRecord later = services.symmetricKey();
    KeyRecord untouched = services.symmetricKey();
    services.management.scheduleKeyDeletion(ctx, mine.keyId(), 7);
    services.management.scheduleKeyDeletion(other, theirs.keyId(), 8);
    services.management.scheduleKeyDeletion(ctx, later.keyId(), 30);
    services.clock.advance(Duration.ofDays(10));

    assertEquals(2, reconciler.deleteDueKeys());

    assertFalse(inToken(mine));
    assertFalse(inToken(theirs));
    assertTrue(inToken(later));
    assertTrue(inToken(untouched));
    assertEquals("PendingDeletion", find(later).orElseThrow().keyState());
    assertEquals("Enabled", find(untouched).orElseThrow().keyState());
  }

  @Test
  void deletionThatFailsInTheHsm_leavesTheKeyDeleting_andStartUpCompletesIt() {
    KeyRecord key = services.symmetricKey();
    services.management.scheduleKeyDeletion(ctx, key.keyId(), 7);
    services.clock.advance(Duration.ofDays(7));
    FaultyInventory failing =
        new FaultyInventory(TOKEN.hsm().inventory(), FaultyInventory.Fault.DESTRUCTION);
    Reconciler faulty =
        new Reconciler(failing, services.stored.store, services.keys, services.clock);

    assertSame(FaultyInventory.FAULT, assertThrows(RuntimeException.class, faulty::deleteDueKeys));

    assertEquals("Deleting", find(key).orElseThrow().keyState());
    assertTrue(inToken(key));
    assertEquals(
        ErrorCode.NOT_FOUND,
        TokenServices.refusal(() -> services.management.describeKey(ctx, key.keyId())),
        "a key being deleted is gone for clients");
    Report report = reconciler.reconcile();
    assertEquals(only(report, 0, 0, 1, 0), report);
    assertEquals(Optional.empty(), find(key));
    assertFalse(inToken(key));
  }
}
