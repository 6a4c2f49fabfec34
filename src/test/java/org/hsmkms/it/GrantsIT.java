package org.hsmkms.it;

import static org.hsmkms.it.KmsTesting.assertAwsError;
import static org.hsmkms.it.KmsTesting.keyArn;
import static org.hsmkms.it.KmsTesting.newKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.CreateGrantResponse;
import software.amazon.awssdk.services.kms.model.DryRunOperationException;
import software.amazon.awssdk.services.kms.model.GrantListEntry;
import software.amazon.awssdk.services.kms.model.GrantOperation;
import software.amazon.awssdk.services.kms.model.InvalidGrantTokenException;
import software.amazon.awssdk.services.kms.model.InvalidMarkerException;
import software.amazon.awssdk.services.kms.model.ListGrantsResponse;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/**
 * CreateGrant, ListGrants, ListRetirableGrants, RetireGrant and RevokeGrant through the AWS SDK v2
 * against the real server. The {@code grantee...} tests (at the end) check that a grant lets its
 * grantee use the key; they need authorization enforced (issue 13) to pass.
 */
class GrantsIT {
  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();
  private final KmsClient other = server.otherAccountClient();

  /** A principal of the test account that no other test names. */
  static String uniquePrincipal() {
    return "arn:aws:iam::" + TestServer.ACCOUNT + ":role/grants-it-" + UUID.randomUUID();
  }

  private CreateGrantResponse grant(String keyId, String grantee, GrantOperation... ops) {
    return kms.createGrant(b -> b.keyId(keyId).granteePrincipal(grantee).operations(ops));
  }

  private List<GrantListEntry> grantsOf(String keyId) {
    return kms.listGrants(b -> b.keyId(keyId)).grants();
  }

  // --- CreateGrant and ListGrants ------------------------------------------------------------

  @Test
  void createGrant_thenListGrants_showsEveryFieldOfTheGrant() {
    String keyId = newKey(kms);
    String grantee = uniquePrincipal();
    String retiring = uniquePrincipal();
    // The service's clock: the shared server's may have been moved by other tests.
    Instant before = server.clock().instant().minusSeconds(1);

    CreateGrantResponse created =
        kms.createGrant(
            b ->
                b.keyId(keyArn(keyId))
                    .granteePrincipal(grantee)
                    .retiringPrincipal(retiring)
                    .operations(GrantOperation.DECRYPT, GrantOperation.GENERATE_DATA_KEY)
                    .constraints(c -> c.encryptionContextSubset(Map.of("Department", "IT")))
                    .name("app-grant"));

    assertTrue(created.grantId().matches("[0-9a-f]{64}"), created.grantId());
    assertFalse(created.grantToken().isEmpty());
    GrantListEntry g = grantsOf(keyId).get(0);
    assertEquals(keyArn(keyId), g.keyId());
    assertEquals(created.grantId(), g.grantId());
    assertEquals("app-grant", g.name());
    assertFalse(g.creationDate().isBefore(before));
    assertTrue(g.creationDate().isBefore(server.clock().instant().plusSeconds(1)));
    assertEquals(grantee, g.granteePrincipal());
    assertEquals(retiring, g.retiringPrincipal());
    assertEquals("arn:aws:iam::" + TestServer.ACCOUNT + ":root", g.issuingAccount());
    assertEquals(List.of(GrantOperation.DECRYPT, GrantOperation.GENERATE_DATA_KEY), g.operations());
    assertEquals(Map.of("Department", "IT"), g.constraints().encryptionContextSubset());
    assertTrue(g.constraints().encryptionContextEquals().isEmpty());
  }

  @Test
  void grantWithoutOptionalParts_isListedWithoutThem() {
    String keyId = newKey(kms);

    grant(keyId, uniquePrincipal(), GrantOperation.ENCRYPT);

    GrantListEntry g = grantsOf(keyId).get(0);
    assertNull(g.name());
    assertNull(g.retiringPrincipal());
    assertNull(g.constraints());
  }

  @Test
  void createGrant_withTheSameNameAndParametersTwice_answersTheSameGrantIdWithANewToken() {
    String keyId = newKey(kms);
    String grantee = uniquePrincipal();

    CreateGrantResponse first =
        kms.createGrant(
            b ->
                b.keyId(keyId)
                    .granteePrincipal(grantee)
                    .operations(GrantOperation.DECRYPT)
                    .name("once"));
    CreateGrantResponse again =
        kms.createGrant(
            b ->
                b.keyId(keyId)
                    .granteePrincipal(grantee)
                    .operations(GrantOperation.DECRYPT)
                    .name("once"));

    assertEquals(first.grantId(), again.grantId());
    assertNotEquals(first.grantToken(), again.grantToken());
    assertEquals(1, grantsOf(keyId).size());
  }

  @Test
  void listGrants_pagesThroughEveryGrantOnce() {
    String keyId = newKey(kms);
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(grant(keyId, uniquePrincipal(), GrantOperation.DECRYPT).grantId());
    }

    List<String> seen = new ArrayList<>();
    String marker = null;
    int pages = 0;
    do {
      String m = marker;
      ListGrantsResponse page = kms.listGrants(b -> b.keyId(keyId).limit(2).marker(m));
      page.grants().forEach(g -> seen.add(g.grantId()));
      marker = page.truncated() ? page.nextMarker() : null;
      pages++;
    } while (marker != null);

    assertEquals(3, pages);
    assertEquals(created.stream().sorted().toList(), seen);
  }

  @Test
  void listGrants_filtersByGrantIdAndByGranteePrincipal() {
    String keyId = newKey(kms);
    String alice = uniquePrincipal();
    String forAlice = grant(keyId, alice, GrantOperation.DECRYPT).grantId();
    String forBob = grant(keyId, uniquePrincipal(), GrantOperation.DECRYPT).grantId();

    assertEquals(
        List.of(forBob),
        kms.listGrants(b -> b.keyId(keyId).grantId(forBob)).grants().stream()
            .map(GrantListEntry::grantId)
            .toList());
    assertEquals(
        List.of(forAlice),
        kms.listGrants(b -> b.keyId(keyId).granteePrincipal(alice)).grants().stream()
            .map(GrantListEntry::grantId)
            .toList());
  }

  // --- ListRetirableGrants, RetireGrant, RevokeGrant ------------------------------------------

  @Test
  void listRetirableGrants_areThePrincipalsGrantsAcrossKeys() {
    String retiring = uniquePrincipal();
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String keyId = newKey(kms);
      created.add(
          kms.createGrant(
                  b ->
                      b.keyId(keyId)
                          .granteePrincipal(uniquePrincipal())
                          .retiringPrincipal(retiring)
                          .operations(GrantOperation.ENCRYPT))
              .grantId());
    }

    List<String> listed =
        kms.listRetirableGrants(b -> b.retiringPrincipal(retiring)).grants().stream()
            .map(GrantListEntry::grantId)
            .toList();

    assertEquals(created.stream().sorted().toList(), listed);
  }

  @Test
  void retireGrant_byTokenAndByKeyAndGrantId_andRevokeGrant_deleteTheGrants() {
    String keyId = newKey(kms);
    CreateGrantResponse byToken = grant(keyId, uniquePrincipal(), GrantOperation.DECRYPT);
    CreateGrantResponse byId = grant(keyId, uniquePrincipal(), GrantOperation.DECRYPT);
    CreateGrantResponse revoked = grant(keyId, uniquePrincipal(), GrantOperation.DECRYPT);

    kms.retireGrant(b -> b.grantToken(byToken.grantToken()));
    kms.retireGrant(b -> b.keyId(keyArn(keyId)).grantId(byId.grantId()));
    kms.revokeGrant(b -> b.keyId(keyId).grantId(revoked.grantId()));

    assertEquals(List.of(), grantsOf(keyId));
    NotFoundException e =
        assertThrows(
            NotFoundException.class,
            () -> kms.revokeGrant(b -> b.keyId(keyId).grantId(revoked.grantId())));
    assertEquals(
        "Grant ID " + revoked.grantId() + " not found", e.awsErrorDetails().errorMessage());
  }

  @Test
  void retireGrant_byAPrincipalTheGrantDoesNotName_ofAnotherAccount_isAccessDenied() {
    String keyId = newKey(kms);
    CreateGrantResponse g = grant(keyId, uniquePrincipal(), GrantOperation.DECRYPT);

    assertAwsError(
        "AccessDeniedException", () -> other.retireGrant(b -> b.grantToken(g.grantToken())));
    assertEquals(1, grantsOf(keyId).size());
  }

  @Test
  void retireGrant_byTheRetiringPrincipalOfAnotherAccount_deletesTheGrant() {
    String keyId = newKey(kms);
    CreateGrantResponse g =
        kms.createGrant(
            b ->
                b.keyId(keyId)
                    .granteePrincipal(uniquePrincipal())
                    .retiringPrincipal(TestServer.OTHER_PRINCIPAL)
                    .operations(GrantOperation.DECRYPT));

    other.retireGrant(b -> b.grantToken(g.grantToken()));

    assertEquals(List.of(), grantsOf(keyId));
  }

  // --- Errors -------------------------------------------------------------------------------

  @Test
  void createGrant_refusals_areAwsErrors() {
    String keyId = newKey(kms);

    assertAwsError(
        "ValidationException",
        () ->
            kms.createGrant(
                b -> b.keyId(keyId).granteePrincipal("alice").operations(GrantOperation.DECRYPT)));
    assertAwsError(
        "ValidationException",
        () ->
            kms.createGrant(
                b ->
                    b.keyId(keyId)
                        .granteePrincipal(uniquePrincipal())
                        .operations(GrantOperation.SIGN)));
    assertAwsError(
        "ValidationException",
        () ->
            kms.createGrant(
                b ->
                    b.keyId(keyId)
                        .granteePrincipal(uniquePrincipal())
                        .operationsWithStrings("Fly")));
    assertThrows(
        DryRunOperationException.class,
        () ->
            kms.createGrant(
                b ->
                    b.keyId(keyId)
                        .granteePrincipal(uniquePrincipal())
                        .operations(GrantOperation.DECRYPT)
                        .dryRun(true)));
    assertThrows(
        NotFoundException.class,
        () ->
            kms.createGrant(
                b ->
                    b.keyId(UUID.randomUUID().toString())
                        .granteePrincipal(uniquePrincipal())
                        .operations(GrantOperation.DECRYPT)));
    assertEquals(List.of(), grantsOf(keyId));
  }

  @Test
  void listAndRetireRefusals_areAwsErrors() {
    String keyId = newKey(kms);

    assertAwsError("ValidationException", () -> kms.listGrants(b -> b.keyId(keyId).limit(101)));
    assertThrows(
        InvalidMarkerException.class, () -> kms.listGrants(b -> b.keyId(keyId).marker("bogus")));
    assertThrows(
        InvalidGrantTokenException.class, () -> kms.retireGrant(b -> b.grantToken("bogus")));
    assertAwsError("ValidationException", () -> kms.retireGrant(b -> b.keyId(keyId)));
    assertAwsError(
        "AccessDeniedException",
        () -> kms.listRetirableGrants(b -> b.retiringPrincipal(TestServer.OTHER_PRINCIPAL)));
  }

  @Test
  void grantsOfAKeyPendingDeletion_remainListed_butNoNewGrantIsMade() {
    String keyId = newKey(kms);
    String id = grant(keyId, uniquePrincipal(), GrantOperation.DECRYPT).grantId();

    kms.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7));

    assertEquals(id, grantsOf(keyId).get(0).grantId());
    assertAwsError(
        "KMSInvalidStateException", () -> grant(keyId, uniquePrincipal(), GrantOperation.DECRYPT));
    kms.revokeGrant(b -> b.keyId(keyId).grantId(id));
    assertEquals(List.of(), grantsOf(keyId));
    kms.cancelKeyDeletion(b -> b.keyId(keyId));
  }

  // --- A grant lets its grantee use the key (needs authorization enforced, issue 13) ----------

  /**
   * The key policy (the default one) lets only the key's account use the key; a grant lets a
   * principal of another account use it, with the grant's token at once, within the grant's
   * operations and constraint.
   */
  @Test
  void granteeOfAnotherAccount_usesTheKeyWithinTheGrant_withItsTokenAtOnce() {
    String keyArn = keyArn(newKey(kms));
    CreateGrantResponse g =
        kms.createGrant(
            b ->
                b.keyId(keyArn)
                    .granteePrincipal(TestServer.OTHER_PRINCIPAL)
                    .operations(GrantOperation.ENCRYPT, GrantOperation.DECRYPT)
                    .constraints(c -> c.encryptionContextSubset(Map.of("purpose", "grants-it"))));
    Map<String, String> context = Map.of("purpose", "grants-it", "record", "42");

    SdkBytes blob =
        other
            .encrypt(
                b ->
                    b.keyId(keyArn)
                        .plaintext(SdkBytes.fromUtf8String("granted"))
                        .encryptionContext(context)
                        .grantTokens(g.grantToken()))
            .ciphertextBlob();
    String plaintext =
        other
            .decrypt(
                b ->
                    b.keyId(keyArn)
                        .ciphertextBlob(blob)
                        .encryptionContext(context)
                        .grantTokens(g.grantToken()))
            .plaintext()
            .asUtf8String();

    assertEquals("granted", plaintext);
  }

  @Test
  void granteeRequest_outsideTheGrantsConstraintOrOperations_isAccessDenied() {
    String keyArn = keyArn(newKey(kms));
    CreateGrantResponse g =
        kms.createGrant(
            b ->
                b.keyId(keyArn)
                    .granteePrincipal(TestServer.OTHER_PRINCIPAL)
                    .operations(GrantOperation.ENCRYPT)
                    .constraints(c -> c.encryptionContextSubset(Map.of("purpose", "grants-it"))));

    assertAwsError(
        "AccessDeniedException",
        () ->
            other.encrypt(
                b ->
                    b.keyId(keyArn)
                        .plaintext(SdkBytes.fromUtf8String("x"))
                        .encryptionContext(Map.of("purpose", "other"))
                        .grantTokens(g.grantToken())));
    assertAwsError(
        "AccessDeniedException",
        () ->
            other.generateDataKey(
                b ->
                    b.keyId(keyArn)
                        .keySpec("AES_256")
                        .encryptionContext(Map.of("purpose", "grants-it"))
                        .grantTokens(g.grantToken())));
  }

  @Test
  void granteeRequest_afterTheGrantIsRetiredOrRevoked_isAccessDenied() {
    String keyId = newKey(kms);
    CreateGrantResponse retired = grant(keyId, TestServer.OTHER_PRINCIPAL, GrantOperation.ENCRYPT);
    CreateGrantResponse revoked = grant(keyId, TestServer.OTHER_PRINCIPAL, GrantOperation.ENCRYPT);
    other.encrypt(
        b ->
            b.keyId(keyArn(keyId))
                .plaintext(SdkBytes.fromUtf8String("x"))
                .grantTokens(revoked.grantToken()));

    kms.retireGrant(b -> b.grantToken(retired.grantToken()));
    kms.revokeGrant(b -> b.keyId(keyId).grantId(revoked.grantId()));

    for (String token : List.of(retired.grantToken(), revoked.grantToken())) {
      assertAwsError(
          "AccessDeniedException",
          () ->
              other.encrypt(
                  b ->
                      b.keyId(keyArn(keyId))
                          .plaintext(SdkBytes.fromUtf8String("x"))
                          .grantTokens(token)));
    }
  }
}
