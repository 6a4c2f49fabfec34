package org.hsmkms.kms;

import static org.hsmkms.kms.GrantsTest.ALICE;
import static org.hsmkms.kms.GrantsTest.BOB;
import static org.hsmkms.kms.GrantsTest.ids;
import static org.hsmkms.kms.StoredKeys.ACCOUNT;
import static org.hsmkms.kms.StoredKeys.OTHER_ACCOUNT;
import static org.hsmkms.kms.StoredKeys.OTHER_REGION;
import static org.hsmkms.kms.StoredKeys.REGION;
import static org.hsmkms.kms.StoredKeys.caller;
import static org.hsmkms.kms.TokenServices.refusal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MetadataStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RetireGrant and ListRetirableGrants on {@link Grants}: who may retire a grant (its retiring
 * principal, its grantee when it holds RetireGrant, the key's account), by token or by key and
 * grant id, and the grants a principal may retire across keys and accounts.
 */
class RetireGrantsTest {
  @RegisterExtension static final TokenFixture TOKEN = TokenFixture.perTest();

  /** A principal of another account, named in no grant unless a test says so. */
  private static final String CAROL = "arn:aws:iam::444455556666:user/carol";

  private TokenServices services;
  private MetadataStore store;
  private Grants grants;
  private final RequestContext admin = caller();
  private KeyRecord key;

  @BeforeEach
  void open() {
    services = TOKEN.services();
    store = services.stored.store;
    grants = new Grants(store, services.keys, TOKEN.hsm().random(), services.clock);
    key = services.stored.add(KeyState.ENABLED);
  }

  private static RequestContext as(String principal) {
    String account = principal.split(":")[4];
    return new RequestContext(account, REGION, principal, UUID.randomUUID().toString());
  }

  private Grants.CreatedGrant grant(String grantee, String retiring, String... operations) {
    return grants.createGrant(
        admin,
        new CreateGrantRequest(
            key.keyId(), grantee, retiring, List.of(operations), null, null, false));
  }

  private boolean exists(Grants.CreatedGrant g) {
    return store.findGrant(g.grantId()).isPresent();
  }

  // --- Who may retire -----------------------------------------------------------------------

  @Test
  void retireGrant_byTokenByTheRetiringPrincipalOfAnotherAccount_deletesIt() {
    Grants.CreatedGrant g = grant(ALICE, CAROL, "Decrypt");

    grants.retireGrant(as(CAROL), g.grantToken(), null, null, false);

    assertFalse(exists(g));
  }

  @Test
  void retireGrant_byTheGranteeOfAnotherAccountHoldingRetireGrant_deletesIt() {
    Grants.CreatedGrant g = grant(CAROL, null, "Decrypt", "RetireGrant");

    grants.retireGrant(as(CAROL), g.grantToken(), null, null, false);

    assertFalse(exists(g));
  }

  @Test
  void retireGrant_byTheGranteeOfAnotherAccountWithoutRetireGrant_isAccessDenied() {
    Grants.CreatedGrant g = grant(CAROL, null, "Decrypt");

    KmsException e =
        assertThrows(
            KmsException.class,
            () -> grants.retireGrant(as(CAROL), g.grantToken(), null, null, false));

    assertEquals(ErrorCode.ACCESS_DENIED, e.code());
    assertEquals(
        "User: "
            + CAROL
            + " is not authorized to perform: kms:RetireGrant on resource: "
            + admin.keyArn(key.keyId())
            + " because no resource-based policy allows the kms:RetireGrant action",
        e.getMessage());
    assertTrue(exists(g));
  }

  @Test
  void retireGrant_byAPrincipalOfTheKeysAccountNamedNowhere_deletesIt() {
    Grants.CreatedGrant g = grant(ALICE, BOB, "Decrypt");

    grants.retireGrant(
        as("arn:aws:iam::" + ACCOUNT + ":user/ops"), null, key.keyId(), g.grantId(), false);

    assertFalse(exists(g));
  }

  @Test
  void retireGrant_byKeyAndGrantId_byTheRetiringPrincipal_deletesIt() {
    Grants.CreatedGrant g = grant(BOB, ALICE, "Decrypt");

    grants.retireGrant(as(ALICE), null, admin.keyArn(key.keyId()), g.grantId(), false);

    assertFalse(exists(g));
  }

  // --- How the grant is named ---------------------------------------------------------------

  @Test
  void retireGrant_withAnyTokenOfTheGrant_deletesItAndItsOtherTokensStopWorking() {
    CreateGrantRequest named =
        new CreateGrantRequest(key.keyId(), ALICE, CAROL, List.of("Decrypt"), null, "n", false);
    Grants.CreatedGrant first = grants.createGrant(admin, named);
    Grants.CreatedGrant second = grants.createGrant(admin, named);

    grants.retireGrant(as(CAROL), second.grantToken(), null, null, false);

    assertFalse(exists(first));
    assertEquals(
        ErrorCode.NOT_FOUND,
        refusal(() -> grants.retireGrant(as(CAROL), first.grantToken(), null, null, false)));
  }

  @Test
  void retireGrant_withATokenAndTheKeyOrGrantIdOfAnotherGrant_isNotFound() {
    Grants.CreatedGrant g = grant(ALICE, CAROL, "Decrypt");
    KeyRecord other = services.stored.add(KeyState.ENABLED);

    assertEquals(
        ErrorCode.NOT_FOUND,
        refusal(() -> grants.retireGrant(as(CAROL), g.grantToken(), other.keyId(), null, false)));
    assertEquals(
        ErrorCode.NOT_FOUND,
        refusal(() -> grants.retireGrant(as(CAROL), g.grantToken(), null, "0".repeat(64), false)));
    assertTrue(exists(g));
    grants.retireGrant(as(CAROL), g.grantToken(), key.keyId(), g.grantId(), false);
    assertFalse(exists(g));
  }

  @Test
  void retireGrant_withAMalformedToken_isInvalidGrantToken() {
    assertEquals(
        ErrorCode.INVALID_GRANT_TOKEN,
        refusal(() -> grants.retireGrant(admin, "not-a-token", null, null, false)));
  }

  @Test
  void retireGrant_withAWellFormedUnknownToken_isNotFound() {
    assertEquals(
        ErrorCode.NOT_FOUND,
        refusal(() -> grants.retireGrant(admin, "A".repeat(43), null, null, false)));
  }

  @Test
  void retireGrant_withNeitherTokenNorKeyAndGrantId_isValidationException() {
    Grants.CreatedGrant g = grant(ALICE, null, "Decrypt");

    assertEquals(
        ErrorCode.VALIDATION, refusal(() -> grants.retireGrant(admin, null, null, null, false)));
    assertEquals(
        ErrorCode.VALIDATION,
        refusal(() -> grants.retireGrant(admin, null, key.keyId(), null, false)));
    assertEquals(
        ErrorCode.VALIDATION,
        refusal(() -> grants.retireGrant(admin, null, null, g.grantId(), false)));
    assertTrue(exists(g));
  }

  @Test
  void retireGrant_ofAnUnknownGrantId_isNotFound() {
    assertEquals(
        ErrorCode.NOT_FOUND,
        refusal(() -> grants.retireGrant(admin, null, key.keyId(), "0".repeat(64), false)));
  }

  @Test
  void retireGrant_dryRun_keepsTheGrant() {
    Grants.CreatedGrant g = grant(ALICE, CAROL, "Decrypt");

    assertEquals(
        ErrorCode.DRY_RUN_OPERATION,
        refusal(() -> grants.retireGrant(as(CAROL), g.grantToken(), null, null, true)));
    assertTrue(exists(g));
  }

  // --- ListRetirableGrants ------------------------------------------------------------------

  @Test
  void listRetirableGrants_areTheGrantsOfThePrincipalAcrossKeysAndAccountsOfTheRegion() {
    String bobAt = "arn:aws:iam::" + OTHER_ACCOUNT + ":role/bob";
    KeyRecord second = services.stored.add(KeyState.ENABLED);
    KeyRecord ofOtherAccount = services.stored.add(OTHER_ACCOUNT, REGION, KeyState.ENABLED);
    KeyRecord ofOtherRegion = services.stored.add(ACCOUNT, OTHER_REGION, KeyState.ENABLED);
    List<String> expected = new ArrayList<>();
    expected.add(grant(ALICE, bobAt, "Decrypt").grantId());
    key = second;
    expected.add(grant(ALICE, bobAt, "Encrypt").grantId());
    grant(ALICE, CAROL, "Encrypt");
    expected.add(
        grants
            .createGrant(
                caller(OTHER_ACCOUNT, REGION),
                new CreateGrantRequest(
                    ofOtherAccount.keyId(), ALICE, bobAt, List.of("Decrypt"), null, null, false))
            .grantId());
    grants.createGrant(
        caller(ACCOUNT, OTHER_REGION),
        new CreateGrantRequest(
            ofOtherRegion.keyId(), ALICE, bobAt, List.of("Decrypt"), null, null, false));

    Page<GrantListEntry> page = grants.listRetirableGrants(as(bobAt), bobAt, 50, null);

    assertEquals(expected.stream().sorted().toList(), ids(page));
    assertTrue(
        page.items().stream().anyMatch(g -> g.keyArn().contains(":" + OTHER_ACCOUNT + ":key/")));
  }

  @Test
  void listRetirableGrants_pagesThroughEveryGrantOnce() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(grant(ALICE, BOB, "Decrypt").grantId());
    }

    List<String> seen = new ArrayList<>();
    String marker = null;
    do {
      Page<GrantListEntry> page = grants.listRetirableGrants(admin, BOB, 2, marker);
      assertTrue(page.items().size() <= 2);
      seen.addAll(ids(page));
      marker = page.nextMarker();
    } while (marker != null);

    assertEquals(created.stream().sorted().toList(), seen);
  }

  @Test
  void listRetirableGrants_ofAPrincipalOfAnotherAccount_isAccessDenied() {
    grant(ALICE, CAROL, "Decrypt");

    assertEquals(
        ErrorCode.ACCESS_DENIED, refusal(() -> grants.listRetirableGrants(admin, CAROL, 50, null)));
  }

  @Test
  void listRetirableGrants_ofNoPrincipal_isValidationException() {
    assertEquals(
        ErrorCode.VALIDATION, refusal(() -> grants.listRetirableGrants(admin, "bob", 50, null)));
  }
}
