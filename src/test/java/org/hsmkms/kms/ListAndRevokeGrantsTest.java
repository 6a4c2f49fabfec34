package org.hsmkms.kms;

import static org.hsmkms.kms.GrantsTest.ALICE;
import static org.hsmkms.kms.GrantsTest.BOB;
import static org.hsmkms.kms.GrantsTest.ids;
import static org.hsmkms.kms.GrantsTest.request;
import static org.hsmkms.kms.StoredKeys.caller;
import static org.hsmkms.kms.TokenServices.refusal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MetadataStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ListGrants (paging, filters, limits, markers) and RevokeGrant on {@link Grants}. */
class ListAndRevokeGrantsTest {
  @RegisterExtension static final TokenFixture TOKEN = TokenFixture.perTest();

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

  private List<GrantListEntry> listed(KeyRecord key) {
    return grants.listGrants(ctx, key.keyId(), null, null, 100, null).items();
  }

  // --- ListGrants -------------------------------------------------------------------------------

  @Test
  void listGrants_pagesThroughEveryGrantOnceInGrantIdOrder() {
    KeyRecord key = services.stored.add(KeyState.ENABLED);
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(grants.createGrant(ctx, request(key.keyId(), ALICE, "Decrypt")).grantId());
    }

    List<String> seen = new ArrayList<>();
    String marker = null;
    int pages = 0;
    do {
      Page<GrantListEntry> page = grants.listGrants(ctx, key.keyId(), null, null, 2, marker);
      page.items().forEach(g -> seen.add(g.grantId()));
      marker = page.nextMarker();
      pages++;
    } while (marker != null);

    assertEquals(3, pages);
    assertEquals(created.stream().sorted().toList(), seen);
  }

  @Test
  void listGrants_filtersByGrantIdAndByGranteePrincipal() {
    KeyRecord key = services.stored.add(KeyState.ENABLED);
    String forAlice = grants.createGrant(ctx, request(key.keyId(), ALICE, "Decrypt")).grantId();
    String forBob = grants.createGrant(ctx, request(key.keyId(), BOB, "Decrypt")).grantId();

    assertEquals(
        List.of(forAlice), ids(grants.listGrants(ctx, key.keyId(), forAlice, null, 50, null)));
    assertEquals(List.of(forBob), ids(grants.listGrants(ctx, key.keyId(), null, BOB, 50, null)));
    assertEquals(List.of(), ids(grants.listGrants(ctx, key.keyId(), forBob, ALICE, 50, null)));
    assertEquals(
        List.of(), ids(grants.listGrants(ctx, key.keyId(), "f".repeat(64), null, 50, null)));
  }

  @Test
  void listGrants_showsOnlyTheGrantsOfThatKey_inAnyVisibleState() {
    KeyRecord key = services.stored.add(KeyState.ENABLED);
    KeyRecord other = services.stored.add(KeyState.ENABLED);
    String mine = grants.createGrant(ctx, request(key.keyId(), ALICE, "Decrypt")).grantId();
    grants.createGrant(ctx, request(other.keyId(), ALICE, "Decrypt"));
    services.setState(key, KeyState.PENDING_DELETION);

    assertEquals(List.of(mine), ids(grants.listGrants(ctx, key.keyId(), null, null, 50, null)));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 101, 1000})
  void listGrants_withALimitOutside1To100_isValidationException(int limit) {
    KeyRecord key = services.stored.add(KeyState.ENABLED);

    assertEquals(
        ErrorCode.VALIDATION,
        refusal(() -> grants.listGrants(ctx, key.keyId(), null, null, limit, null)));
  }

  @Test
  void listGrants_withAMarkerOfAnotherListing_isInvalidMarker() {
    KeyRecord key = services.stored.add(KeyState.ENABLED);
    String aliasMarker = Markers.encode("alias", "alias/x");

    assertEquals(
        ErrorCode.INVALID_MARKER,
        refusal(() -> grants.listGrants(ctx, key.keyId(), null, null, 50, aliasMarker)));
  }

  // --- RevokeGrant ------------------------------------------------------------------------------

  @Test
  void revokeGrant_deletesTheGrantAndItsTokens() {
    KeyRecord key = services.stored.add(KeyState.ENABLED);
    Grants.CreatedGrant g = grants.createGrant(ctx, request(key.keyId(), ALICE, "Decrypt"));
    Grants.CreatedGrant kept = grants.createGrant(ctx, request(key.keyId(), ALICE, "Encrypt"));

    grants.revokeGrant(ctx, key.keyId(), g.grantId(), false);

    assertEquals(
        List.of(kept.grantId()), ids(grants.listGrants(ctx, key.keyId(), null, null, 50, null)));
    assertTrue(store.findGrantByToken(GrantTokens.hash(g.grantToken())).isEmpty());
  }

  @Test
  void revokeGrant_ofAnUnknownGrantOrAGrantOfAnotherKey_isNotFoundNamingTheGrantId() {
    KeyRecord key = services.stored.add(KeyState.ENABLED);
    KeyRecord other = services.stored.add(KeyState.ENABLED);
    String ofOther = grants.createGrant(ctx, request(other.keyId(), ALICE, "Decrypt")).grantId();
    String unknown = "0".repeat(64);

    KmsException e =
        assertThrows(
            KmsException.class, () -> grants.revokeGrant(ctx, key.keyId(), unknown, false));
    assertEquals(ErrorCode.NOT_FOUND, e.code());
    assertEquals("Grant ID " + unknown + " not found", e.getMessage());
    assertEquals(
        ErrorCode.NOT_FOUND, refusal(() -> grants.revokeGrant(ctx, key.keyId(), ofOther, false)));
    assertEquals(1, store.grantsOfKey(other.keyId()).size());
  }

  @Test
  void revokeGrant_dryRun_keepsTheGrant() {
    KeyRecord key = services.stored.add(KeyState.ENABLED);
    String id = grants.createGrant(ctx, request(key.keyId(), ALICE, "Decrypt")).grantId();

    assertEquals(
        ErrorCode.DRY_RUN_OPERATION, refusal(() -> grants.revokeGrant(ctx, key.keyId(), id, true)));
    assertEquals(1, store.grantsOfKey(key.keyId()).size());
  }
}
