package org.hsmkms.kms;

import static org.hsmkms.kms.StoredKeys.ACCOUNT;
import static org.hsmkms.kms.StoredKeys.OTHER_ACCOUNT;
import static org.hsmkms.kms.StoredKeys.REGION;
import static org.hsmkms.kms.StoredKeys.caller;
import static org.hsmkms.kms.TokenServices.refusal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.hsmkms.store.GrantRecord;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MetadataStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * CreateGrant, ListGrants and RevokeGrant on {@link Grants}, over the test token's random generator
 * and a real store: what a grant holds, AWS's validation and limits, idempotent names, paging and
 * filters. (RetireGrant and ListRetirableGrants: {@link RetireGrantsTest}.)
 */
class GrantsTest {
  @RegisterExtension static final TokenFixture TOKEN = TokenFixture.perTest();

  static final String ALICE = "arn:aws:iam::111122223333:user/alice";
  static final String BOB = "arn:aws:iam::111122223333:role/bob";

  private TokenServices services;
  private MetadataStore store;
  private Grants grants;
  private final RequestContext ctx = caller();

  @BeforeEach
  void open() {
    services = TOKEN.services();
    store = services.stored.store;
    grants = new Grants(store, services.keys, TOKEN.hsm().random(), services.clock);
  }

  static CreateGrantRequest request(String keyId, String grantee, String... operations) {
    return new CreateGrantRequest(keyId, grantee, null, List.of(operations), null, null, false);
  }

  private List<GrantListEntry> listed(KeyRecord key) {
    return grants.listGrants(ctx, key.keyId(), null, null, 100, null).items();
  }

  // --- What a grant holds ------------------------------------------------------------------------

  @Test
  void createGrant_answersA64HexIdAndAToken_andListGrantsShowsEveryField() {
    KeyRecord key = services.stored.add(KeyState.ENABLED);
    GrantConstraints constraints = new GrantConstraints(null, Map.of("Department", "IT"));

    Grants.CreatedGrant created =
        grants.createGrant(
            ctx,
            new CreateGrantRequest(
                key.keyId(),
                ALICE,
                BOB,
                List.of("Decrypt", "GenerateDataKey"),
                constraints,
                "app-grant",
                false));

    assertTrue(created.grantId().matches("[0-9a-f]{64}"), created.grantId());
    assertTrue(created.grantToken().matches("[A-Za-z0-9_-]{43}"));
    assertFalse(created.toString().contains(created.grantToken()));
    GrantListEntry entry = listed(key).get(0);
    assertEquals(ctx.keyArn(key.keyId()), entry.keyArn());
    assertEquals(created.grantId(), entry.grantId());
    assertEquals("app-grant", entry.name());
    assertEquals(services.clock.instant(), entry.creationDate());
    assertEquals(ALICE, entry.granteePrincipal());
    assertEquals(BOB, entry.retiringPrincipal());
    assertEquals("arn:aws:iam::" + ACCOUNT + ":root", entry.issuingAccount());
    assertEquals(List.of("Decrypt", "GenerateDataKey"), entry.operations());
    assertEquals(constraints, entry.constraints());
  }

  @Test
  void createGrant_withoutOptionalParts_listsThemAsAbsent() {
    KeyRecord key = services.stored.add(KeyState.ENABLED);

    grants.createGrant(ctx, request(key.keyId(), ALICE, "Encrypt"));

    GrantListEntry entry = listed(key).get(0);
    assertNull(entry.name());
    assertNull(entry.retiringPrincipal());
    assertNull(entry.constraints());
  }

  @Test
  void createGrant_idsAndTokensDifferEachTime_andOnlyTheTokensHashIsStored() {
    KeyRecord key = services.stored.add(KeyState.ENABLED);

    Grants.CreatedGrant a = grants.createGrant(ctx, request(key.keyId(), ALICE, "Encrypt"));
    Grants.CreatedGrant b = grants.createGrant(ctx, request(key.keyId(), ALICE, "Encrypt"));

    assertNotEquals(a.grantId(), b.grantId());
    assertNotEquals(a.grantToken(), b.grantToken());
    assertEquals(
        a.grantId(), store.findGrantByToken(GrantTokens.hash(a.grantToken())).get().grantId());
    assertTrue(store.findGrantByToken(a.grantToken()).isEmpty());
  }

  @Test
  void createGrant_withTheSameNameAndParameters_answersTheSameGrantWithANewToken() {
    KeyRecord key = services.stored.add(KeyState.ENABLED);
    CreateGrantRequest r =
        new CreateGrantRequest(
            key.keyId(),
            ALICE,
            BOB,
            List.of("Decrypt", "Encrypt"),
            new GrantConstraints(Map.of("a", "1"), null),
            "retry-me",
            false);
    CreateGrantRequest reordered =
        new CreateGrantRequest(
            key.keyId(),
            ALICE,
            BOB,
            List.of("Encrypt", "Decrypt"),
            new GrantConstraints(Map.of("a", "1"), null),
            "retry-me",
            false);

    Grants.CreatedGrant first = grants.createGrant(ctx, r);
    Grants.CreatedGrant again = grants.createGrant(ctx, reordered);

    assertEquals(first.grantId(), again.grantId());
    assertNotEquals(first.grantToken(), again.grantToken());
    assertEquals(1, listed(key).size());
    // "All grant tokens for the same grant ID can be used interchangeably."
    for (String token : List.of(first.grantToken(), again.grantToken())) {
      assertEquals(
          first.grantId(), store.findGrantByToken(GrantTokens.hash(token)).get().grantId());
    }
  }

  @Test
  void createGrant_withTheSameNameButOtherParameters_createsAnotherGrant() {
    KeyRecord key = services.stored.add(KeyState.ENABLED);
    CreateGrantRequest decrypt =
        new CreateGrantRequest(key.keyId(), ALICE, null, List.of("Decrypt"), null, "n", false);
    CreateGrantRequest encrypt =
        new CreateGrantRequest(key.keyId(), ALICE, null, List.of("Encrypt"), null, "n", false);
    CreateGrantRequest toBob =
        new CreateGrantRequest(key.keyId(), BOB, null, List.of("Decrypt"), null, "n", false);

    String a = grants.createGrant(ctx, decrypt).grantId();
    String b = grants.createGrant(ctx, encrypt).grantId();
    String c = grants.createGrant(ctx, toBob).grantId();

    assertEquals(3, List.of(a, b, c).stream().distinct().count());
  }

  @Test
  void createGrant_withoutName_isNeverIdempotent() {
    KeyRecord key = services.stored.add(KeyState.ENABLED);

    grants.createGrant(ctx, request(key.keyId(), ALICE, "Decrypt"));
    grants.createGrant(ctx, request(key.keyId(), ALICE, "Decrypt"));

    assertEquals(2, listed(key).size());
  }

  // --- Key states, dry run, limits ---------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(KeyState.class)
  void createGrant_inEachKeyState_isAllowedOrRefusedAsAwsKeyStateTableSays(KeyState state) {
    KeyRecord key = services.stored.add(state);
    // AWS's key state table, CreateGrant: Disabled [1], pending deletion [3], pending import [5].
    ErrorCode expected =
        switch (state) {
          case ENABLED, UNAVAILABLE, UPDATING -> null;
          case DISABLED -> ErrorCode.DISABLED;
          case PENDING_DELETION, PENDING_REPLICA_DELETION, PENDING_IMPORT ->
              ErrorCode.INVALID_STATE;
          case CREATING, DELETING -> ErrorCode.NOT_FOUND;
        };

    if (expected == null) {
      grants.createGrant(ctx, request(key.keyId(), ALICE, "Decrypt"));
      assertEquals(1, store.grantsOfKey(key.keyId()).size());
    } else {
      assertEquals(
          expected, refusal(() -> grants.createGrant(ctx, request(key.keyId(), ALICE, "Decrypt"))));
      assertEquals(List.of(), store.grantsOfKey(key.keyId()));
    }
  }

  @Test
  void createGrant_ofAKeyOfAnotherAccount_isNotFound() {
    KeyRecord key = services.stored.add(OTHER_ACCOUNT, REGION, KeyState.ENABLED);

    assertEquals(
        ErrorCode.NOT_FOUND,
        refusal(() -> grants.createGrant(ctx, request(key.keyId(), ALICE, "Decrypt"))));
  }

  @Test
  void createGrant_dryRun_isDryRunOperationAndStoresNothing() {
    KeyRecord key = services.stored.add(KeyState.ENABLED);
    CreateGrantRequest r =
        new CreateGrantRequest(key.keyId(), ALICE, null, List.of("Decrypt"), null, null, true);

    assertEquals(ErrorCode.DRY_RUN_OPERATION, refusal(() -> grants.createGrant(ctx, r)));
    assertEquals(List.of(), store.grantsOfKey(key.keyId()));
  }

  @Test
  void createGrant_the501stGrantForOneGranteeOnAKey_isLimitExceeded() {
    KeyRecord key = services.stored.add(KeyState.ENABLED);
    KeyRecord other = services.stored.add(KeyState.ENABLED);
    for (int i = 0; i < Grants.MAX_GRANTS_PER_GRANTEE; i++) {
      store.insertGrant(grantRow(key, i), "hash-" + i);
    }

    assertEquals(
        ErrorCode.LIMIT_EXCEEDED,
        refusal(() -> grants.createGrant(ctx, request(key.keyId(), ALICE, "Decrypt"))));
    assertEquals(Grants.MAX_GRANTS_PER_GRANTEE, store.grantsOfKey(key.keyId()).size());
    // Another grantee on the same key, and the same grantee on another key, are within limits.
    grants.createGrant(ctx, request(key.keyId(), BOB, "Decrypt"));
    grants.createGrant(ctx, request(other.keyId(), ALICE, "Decrypt"));
  }

  private GrantRecord grantRow(KeyRecord key, int i) {
    return new GrantRecord(
        String.format("%064x", i),
        key.keyId(),
        key.account(),
        key.region(),
        null,
        ALICE,
        null,
        List.of("Decrypt"),
        null,
        null,
        key.account(),
        services.clock.instant());
  }

  static List<String> ids(Page<GrantListEntry> page) {
    return page.items().stream().map(GrantListEntry::grantId).toList();
  }
}
