package org.hsmkms.kms;

import static org.hsmkms.kms.GrantsTest.ALICE;
import static org.hsmkms.kms.GrantsTest.BOB;
import static org.hsmkms.kms.StoredKeys.ACCOUNT;
import static org.hsmkms.kms.StoredKeys.caller;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hsmkms.authz.AuthzRequest;
import org.hsmkms.store.CachingMetadataStore;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.jdbc.JdbcMetadataStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link GrantIndex}: which grant, if any, allows a request (grantee, operation, encryption context
 * constraints, grant tokens), over the caching store as the application wires it, with grants made
 * by {@link Grants}.
 */
class GrantIndexTest {
  @RegisterExtension static final TokenFixture TOKEN = TokenFixture.perTest();

  private final RequestContext admin = caller();
  private CachingMetadataStore store;
  private Grants grants;
  private GrantIndex index;
  private KeyRecord key;

  @BeforeEach
  void open() {
    TokenServices services = TOKEN.services();
    // Closed with the services' store, which it wraps.
    store = new CachingMetadataStore(services.stored.store);
    grants = new Grants(store, new Keys(store), TOKEN.hsm().random(), services.clock);
    index = new GrantIndex(store);
    key = services.stored.add(KeyState.ENABLED);
  }

  private Grants.CreatedGrant grant(
      String grantee, GrantConstraints constraints, String... operations) {
    return grants.createGrant(
        admin,
        new CreateGrantRequest(
            key.keyId(), grantee, null, List.of(operations), constraints, null, false));
  }

  /** A request of {@code principal} for {@code action} on the key, with this encryption context. */
  private AuthzRequest request(String principal, String action, Map<String, String> context) {
    Map<String, List<String>> conditionKeys = new HashMap<>();
    context.forEach((k, v) -> conditionKeys.put("kms:EncryptionContext:" + k, List.of(v)));
    return new AuthzRequest(principal, ACCOUNT, action, admin.keyArn(key.keyId()), conditionKeys);
  }

  private Optional<String> allowing(AuthzRequest request, String... tokens) {
    return index.allowingGrant(key, request, List.of(tokens));
  }

  // --- Grantee and operations ---------------------------------------------------------------

  @Test
  void grant_allowsItsGranteeItsOperations_andNamesItself() {
    String id = grant(ALICE, null, "Decrypt", "Encrypt").grantId();

    assertEquals(Optional.of(id), allowing(request(ALICE, "kms:Decrypt", Map.of())));
    assertEquals(Optional.of(id), allowing(request(ALICE, "kms:Encrypt", Map.of("a", "1"))));
  }

  @Test
  void grant_allowsNoOtherPrincipal() {
    grant(ALICE, null, "Decrypt");

    assertEquals(Optional.empty(), allowing(request(BOB, "kms:Decrypt", Map.of())));
    assertEquals(
        Optional.empty(),
        allowing(request("arn:aws:iam::111122223333:root", "kms:Decrypt", Map.of())));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:ReEncryptTo",
        "kms:PutKeyPolicy",
        "kms:ScheduleKeyDeletion",
        "kms:*",
        "Decrypt",
        "s3:Decrypt"
      })
  void grant_allowsNoOtherAction(String action) {
    grant(ALICE, null, "Decrypt", "ReEncryptFrom");

    assertEquals(Optional.empty(), allowing(request(ALICE, action, Map.of())));
  }

  @Test
  void grantOfAnotherKey_allowsNothingOnThisOne() {
    KeyRecord mine = key;
    key = TOKEN.services().stored.add(KeyState.ENABLED);
    grant(ALICE, null, "Decrypt");
    key = mine;

    assertEquals(Optional.empty(), allowing(request(ALICE, "kms:Decrypt", Map.of())));
  }

  @Test
  void revokedOrRetiredGrant_allowsNothingFromTheNextRequestOn() {
    Grants.CreatedGrant revoked = grant(ALICE, null, "Decrypt");
    Grants.CreatedGrant retired = grant(BOB, null, "Decrypt");
    assertEquals(Optional.of(revoked.grantId()), allowing(request(ALICE, "kms:Decrypt", Map.of())));
    assertEquals(Optional.of(retired.grantId()), allowing(request(BOB, "kms:Decrypt", Map.of())));

    grants.revokeGrant(admin, key.keyId(), revoked.grantId(), false);
    grants.retireGrant(admin, retired.grantToken(), null, null, false);

    assertEquals(
        Optional.empty(), allowing(request(ALICE, "kms:Decrypt", Map.of()), revoked.grantToken()));
    assertEquals(
        Optional.empty(), allowing(request(BOB, "kms:Decrypt", Map.of()), retired.grantToken()));
  }

  // --- Constraints --------------------------------------------------------------------------

  @Test
  void subsetConstraint_allowsAContextThatIncludesItsPairs_keysIgnoringCaseValuesExactly() {
    grant(ALICE, new GrantConstraints(null, Map.of("Department", "IT")), "Decrypt");

    assertTrue(allows(ALICE, "kms:Decrypt", Map.of("Department", "IT")));
    assertTrue(allows(ALICE, "kms:Decrypt", Map.of("Department", "IT", "app", "x")));
    // GrantConstraints: "the key in each key-value pair is not case sensitive, but the value is".
    assertTrue(allows(ALICE, "kms:Decrypt", Map.of("department", "IT")));
    assertFalse(allows(ALICE, "kms:Decrypt", Map.of("Department", "it")));
    assertFalse(allows(ALICE, "kms:Decrypt", Map.of("Department", "HR")));
    assertFalse(allows(ALICE, "kms:Decrypt", Map.of("app", "x")));
    assertFalse(allows(ALICE, "kms:Decrypt", Map.of()));
  }

  @Test
  void equalsConstraint_allowsExactlyItsPairs() {
    grant(ALICE, new GrantConstraints(Map.of("a", "1", "b", "2"), null), "Encrypt");

    assertTrue(allows(ALICE, "kms:Encrypt", Map.of("a", "1", "b", "2")));
    assertTrue(allows(ALICE, "kms:Encrypt", Map.of("A", "1", "b", "2")));
    assertFalse(allows(ALICE, "kms:Encrypt", Map.of("a", "1")));
    assertFalse(allows(ALICE, "kms:Encrypt", Map.of("a", "1", "b", "2", "c", "3")));
    assertFalse(allows(ALICE, "kms:Encrypt", Map.of("a", "1", "b", "3")));
  }

  @Test
  void emptyEqualsConstraint_allowsOnlyARequestWithoutContext() {
    grant(ALICE, new GrantConstraints(Map.of(), null), "Encrypt");

    assertTrue(allows(ALICE, "kms:Encrypt", Map.of()));
    assertFalse(allows(ALICE, "kms:Encrypt", Map.of("a", "1")));
  }

  @Test
  void bothConstraints_mustFit() {
    grant(ALICE, new GrantConstraints(Map.of("a", "1", "b", "2"), Map.of("a", "1")), "Decrypt");

    assertTrue(allows(ALICE, "kms:Decrypt", Map.of("a", "1", "b", "2")));
    assertFalse(allows(ALICE, "kms:Decrypt", Map.of("a", "1")));
  }

  @Test
  void constraint_doesNotApplyToDescribeKeyOrRetireGrant() {
    grant(
        ALICE,
        new GrantConstraints(null, Map.of("a", "1")),
        "Decrypt",
        "DescribeKey",
        "RetireGrant");

    assertTrue(allows(ALICE, "kms:DescribeKey", Map.of()));
    assertTrue(allows(ALICE, "kms:RetireGrant", Map.of()));
    assertFalse(allows(ALICE, "kms:Decrypt", Map.of()));
  }

  @Test
  void constrainedGrant_neverAllowsCreateGrant_unconstrainedOneDoes() {
    grant(ALICE, new GrantConstraints(null, Map.of("a", "1")), "CreateGrant");
    grant(BOB, null, "CreateGrant");

    assertFalse(allows(ALICE, "kms:CreateGrant", Map.of("a", "1")));
    assertTrue(allows(BOB, "kms:CreateGrant", Map.of()));
  }

  private boolean allows(String principal, String action, Map<String, String> context) {
    return allowing(request(principal, action, context)).isPresent();
  }

  // --- Grant tokens -------------------------------------------------------------------------

  @Test
  void tokens_thatNameNoGrantOfThisKey_neitherAllowNorFail() {
    KeyRecord mine = key;
    key = TOKEN.services().stored.add(KeyState.ENABLED);
    Grants.CreatedGrant elsewhere = grant(ALICE, null, "Decrypt");
    key = mine;

    assertEquals(
        Optional.empty(),
        allowing(
            request(ALICE, "kms:Decrypt", Map.of()),
            elsewhere.grantToken(),
            "not-a-token",
            "A".repeat(43)));
  }

  @Test
  void token_neverAllowsMoreThanItsGrant() {
    Grants.CreatedGrant g = grant(ALICE, null, "Decrypt");

    assertEquals(Optional.empty(), allowing(request(BOB, "kms:Decrypt", Map.of()), g.grantToken()));
    assertEquals(
        Optional.empty(), allowing(request(ALICE, "kms:Encrypt", Map.of()), g.grantToken()));
  }

  /**
   * Another writer of the same database (a second node, or a tool) creates a grant this process's
   * cache has not seen: the grant counts at once for a request that carries its token.
   */
  @Test
  void tokenOfAGrantTheCacheHasNotSeen_countsAtOnce(@TempDir Path dir) {
    try (StoredKeys other = new StoredKeys(dir);
        CachingMetadataStore cached =
            new CachingMetadataStore(
                new JdbcMetadataStore("jdbc:sqlite:" + dir.resolve("metadata.db")))) {
      KeyRecord shared = other.add(KeyState.ENABLED);
      GrantIndex staleIndex = new GrantIndex(cached);
      AuthzRequest decrypt =
          new AuthzRequest(ALICE, ACCOUNT, "kms:Decrypt", admin.keyArn(shared.keyId()), Map.of());
      assertEquals(Optional.empty(), staleIndex.allowingGrant(shared, decrypt, List.of()));

      Grants otherNode =
          new Grants(
              other.store, new Keys(other.store), TOKEN.hsm().random(), TOKEN.services().clock);
      Grants.CreatedGrant g =
          otherNode.createGrant(
              admin,
              new CreateGrantRequest(
                  shared.keyId(), ALICE, null, List.of("Decrypt"), null, null, false));

      assertEquals(Optional.empty(), staleIndex.allowingGrant(shared, decrypt, List.of()));
      assertEquals(
          Optional.of(g.grantId()),
          staleIndex.allowingGrant(shared, decrypt, List.of(g.grantToken())));
    }
  }
}
