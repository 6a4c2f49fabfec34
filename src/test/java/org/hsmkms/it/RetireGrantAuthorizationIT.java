package org.hsmkms.it;

import static org.hsmkms.testing.AccessDenied.assertDenied;
import static org.hsmkms.testing.AccessDenied.noIdentityPolicyAllows;
import static org.hsmkms.testing.AccessDenied.noResourcePolicyAllows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.hsmkms.testing.Policies;
import org.hsmkms.testing.TestPrincipals;
import org.hsmkms.testing.TestPrincipals.Principal;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.CreateGrantResponse;
import software.amazon.awssdk.services.kms.model.GrantOperation;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/**
 * Who may retire a grant besides its retiring principal and grantee: a principal of the key's
 * account whose identity policy allows kms:RetireGrant. AWS: the permission "is not effective in a
 * key policy", so a key policy statement alone gives it to nobody.
 */
class RetireGrantAuthorizationIT {
  private static TestServer server;
  private static KmsClient admin;
  private static Principal byKeyPolicy;
  private static Principal byIdentity;

  @BeforeAll
  static void start() {
    server = TestServer.start(TestServer.newDataDir());
    TestPrincipals principals = new TestPrincipals(server);
    principals.makeTestPrincipalsAdmins();
    admin = server.client();
    byKeyPolicy = principals.user(TestServer.ACCOUNT, "retire-by-key-policy", null);
    byIdentity =
        principals.user(
            TestServer.ACCOUNT,
            "retire-by-identity",
            Policies.document(Policies.allow("Retire").actions("kms:RetireGrant")));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static KeyMetadata key() {
    return admin
        .createKey(
            b ->
                b.policy(
                    Policies.document(
                        Policies.enableIamPolicies(TestServer.ACCOUNT),
                        Policies.allow("RetireByKeyPolicy")
                            .principals(byKeyPolicy.arn())
                            .actions("kms:RetireGrant"))))
        .keyMetadata();
  }

  private static CreateGrantResponse grant(KeyMetadata key) {
    return admin.createGrant(
        b ->
            b.keyId(key.keyId())
                .granteePrincipal(TestServer.OTHER_PRINCIPAL)
                .operations(GrantOperation.ENCRYPT));
  }

  @Test
  void keyPolicyAllowAlone_doesNotLetAPrincipalOfTheKeysAccountRetire() {
    KeyMetadata key = key();
    CreateGrantResponse g = grant(key);

    assertDenied(
        noIdentityPolicyAllows(byKeyPolicy.arn(), "kms:RetireGrant", key.arn()),
        () -> byKeyPolicy.client().retireGrant(b -> b.keyId(key.arn()).grantId(g.grantId())));
    assertEquals(
        List.of(g.grantId()),
        admin.listGrants(b -> b.keyId(key.keyId())).grants().stream()
            .map(x -> x.grantId())
            .toList());
  }

  @Test
  void identityPolicyAllow_letsAPrincipalOfTheKeysAccountRetire_andLearnOfAnUnknownGrant() {
    KeyMetadata key = key();
    CreateGrantResponse g = grant(key);

    byIdentity.client().retireGrant(b -> b.keyId(key.arn()).grantId(g.grantId()));

    assertEquals(List.of(), admin.listGrants(b -> b.keyId(key.keyId())).grants());
    assertThrows(
        NotFoundException.class,
        () -> byIdentity.client().retireGrant(b -> b.keyId(key.arn()).grantId(g.grantId())));
    // Without the permission, an unknown grant is not told apart from a refused one.
    assertDenied(
        noIdentityPolicyAllows(byKeyPolicy.arn(), "kms:RetireGrant", key.arn()),
        () -> byKeyPolicy.client().retireGrant(b -> b.keyId(key.arn()).grantId(g.grantId())));
  }

  @Test
  void aPrincipalNoRuleAllows_isRefusedInAwsWords_andTheRefusalIsAudited() {
    KeyMetadata key = key();
    CreateGrantResponse g = grant(key);
    KmsClient stranger = server.otherAccountClient();

    software.amazon.awssdk.services.kms.model.KmsException e =
        assertDenied(
            noResourcePolicyAllows(TestServer.OTHER_PRINCIPAL, "kms:RetireGrant", key.arn()),
            () -> stranger.retireGrant(b -> b.grantToken(g.grantToken())));

    com.fasterxml.jackson.databind.JsonNode decisions =
        org.hsmkms.testing.AuditedDecisions.record(server, e.requestId()).get("authorization");
    assertEquals(
        List.of("kms:RetireGrant on " + key.arn() + ": denied: implicit deny"),
        java.util.stream.StreamSupport.stream(decisions.spliterator(), false)
            .map(com.fasterxml.jackson.databind.JsonNode::asText)
            .toList());
  }
}
