package org.hsmkms.it;

import static org.hsmkms.it.KeyPolicyEnforcementIT.deniedOnKey;
import static org.hsmkms.it.KeyPolicyEnforcementIT.separationOfDuties;
import static org.hsmkms.testing.AccessDenied.assertDenied;
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
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.MalformedPolicyDocumentException;

/**
 * Changing who may do what: a key policy or identity policy change decides the very next request
 * (no cache outlives it), GetKeyPolicy answers what was put, and the lockout safety check refuses a
 * policy that would stop its caller from changing the policy again, unless bypassed (AWS
 * PutKeyPolicy and CreateKey, BypassPolicyLockoutSafetyCheck).
 */
class KeyPolicyChangesIT {
  private static final SdkBytes PLAINTEXT = SdkBytes.fromUtf8String("policy changes");
  private static final String LOCKOUT_MESSAGE =
      "The new key policy will not allow you to update the key policy in the future.";

  private static TestServer server;
  private static TestPrincipals principals;
  private static KmsClient admin;
  private static Principal keyAdmin;
  private static Principal keyUser;
  private static Principal app;
  private static Principal creator;

  @BeforeAll
  static void start() {
    server = TestServer.start(TestServer.newDataDir());
    principals = new TestPrincipals(server);
    principals.makeTestPrincipalsAdmins();
    admin = server.client();
    keyAdmin = principals.user(TestServer.ACCOUNT, "key-admin", null);
    keyUser = principals.user(TestServer.ACCOUNT, "key-user", null);
    app = principals.user(TestServer.ACCOUNT, "app", null);
    creator =
        principals.user(
            TestServer.ACCOUNT,
            "creator",
            Policies.document(
                Policies.allow("CreateAndAdminister")
                    .actions("kms:CreateKey", "kms:PutKeyPolicy", "kms:DescribeKey")));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  // --- Changes decide the next request ----------------------------------------------------------

  @Test
  void putKeyPolicy_removingAKeyUser_refusesItsNextRequest_andPuttingItBackAllowsAgain() {
    KeyMetadata key =
        admin.createKey(b -> b.policy(separationOfDuties(keyAdmin, keyUser))).keyMetadata();
    KmsClient user = keyUser.client();
    user.encrypt(b -> b.keyId(key.keyId()).plaintext(PLAINTEXT));

    keyAdmin
        .client()
        .putKeyPolicy(b -> b.keyId(key.keyId()).policy(separationOfDuties(keyAdmin, app)));

    assertDenied(
        deniedOnKey(keyUser, "Encrypt", key.arn()),
        () -> user.encrypt(b -> b.keyId(key.keyId()).plaintext(PLAINTEXT)));
    app.client().encrypt(b -> b.keyId(key.keyId()).plaintext(PLAINTEXT));

    keyAdmin
        .client()
        .putKeyPolicy(b -> b.keyId(key.keyId()).policy(separationOfDuties(keyAdmin, keyUser)));

    user.encrypt(b -> b.keyId(key.keyId()).plaintext(PLAINTEXT));
    assertDenied(
        deniedOnKey(app, "Encrypt", key.arn()),
        () -> app.client().encrypt(b -> b.keyId(key.keyId()).plaintext(PLAINTEXT)));
  }

  @Test
  void identityPolicy_setAndRemoved_decidesTheNextRequest() {
    KeyMetadata key = admin.createKey(b -> {}).keyMetadata();
    KmsClient c = app.client();
    assertDenied(
        deniedOnKey(app, "Encrypt", key.arn()),
        () -> c.encrypt(b -> b.keyId(key.keyId()).plaintext(PLAINTEXT)));

    principals.setPolicy(
        app.arn(),
        Policies.document(Policies.allow("Encrypt").actions("kms:Encrypt").resource(key.arn())));
    c.encrypt(b -> b.keyId(key.keyId()).plaintext(PLAINTEXT));

    principals.removePolicy(app.arn());
    assertDenied(
        deniedOnKey(app, "Encrypt", key.arn()),
        () -> c.encrypt(b -> b.keyId(key.keyId()).plaintext(PLAINTEXT)));
  }

  // --- GetKeyPolicy and ListKeyPolicies
  // -----------------------------------------------------------

  @Test
  void getKeyPolicy_returnsExactlyWhatWasPut_toTheKeyAdministrator() {
    String created = separationOfDuties(keyAdmin, keyUser);
    // Spacing and key order a re-serialisation would lose.
    String put = "  " + separationOfDuties(keyAdmin, app).replace(",", " ,\n\t") + "\n";
    KeyMetadata key = admin.createKey(b -> b.policy(created)).keyMetadata();
    KmsClient kadmin = keyAdmin.client();

    assertEquals(created, kadmin.getKeyPolicy(b -> b.keyId(key.keyId())).policy());
    kadmin.putKeyPolicy(b -> b.keyId(key.keyId()).policyName("default").policy(put));

    assertEquals(put, kadmin.getKeyPolicy(b -> b.keyId(key.arn()).policyName("default")).policy());
    assertEquals(
        List.of("default"), kadmin.listKeyPolicies(b -> b.keyId(key.keyId())).policyNames());
  }

  // --- The lockout safety check
  // -------------------------------------------------------------------

  @Test
  void putKeyPolicy_droppingTheCallerFromTheAdministrators_isRefused_unlessBypassed() {
    KeyMetadata key =
        admin.createKey(b -> b.policy(separationOfDuties(keyAdmin, keyUser))).keyMetadata();
    KmsClient kadmin = keyAdmin.client();
    // The account root may still change it, but only through identity policies: key-admin has none.
    String withoutKeyAdmin = separationOfDuties(app, keyUser);

    MalformedPolicyDocumentException e =
        assertThrows(
            MalformedPolicyDocumentException.class,
            () -> kadmin.putKeyPolicy(b -> b.keyId(key.keyId()).policy(withoutKeyAdmin)));
    assertEquals(LOCKOUT_MESSAGE, e.awsErrorDetails().errorMessage());
    assertEquals(
        separationOfDuties(keyAdmin, keyUser),
        kadmin.getKeyPolicy(b -> b.keyId(key.keyId())).policy());

    kadmin.putKeyPolicy(
        b -> b.keyId(key.keyId()).policy(withoutKeyAdmin).bypassPolicyLockoutSafetyCheck(true));

    assertEquals(withoutKeyAdmin, admin.getKeyPolicy(b -> b.keyId(key.keyId())).policy());
    assertDenied(
        deniedOnKey(keyAdmin, "PutKeyPolicy", key.arn()),
        () ->
            kadmin.putKeyPolicy(
                b -> b.keyId(key.keyId()).policy(separationOfDuties(keyAdmin, keyUser))));
  }

  @Test
  void createKey_withAPolicyThatLocksTheCreatorOut_isRefused_unlessBypassed() {
    KmsClient c = creator.client();
    String onlyKeyAdmin =
        Policies.document(
            Policies.allow("Allow access for Key Administrators")
                .principals(keyAdmin.arn())
                .actions(Policies.KEY_ADMINISTRATOR_ACTIONS));
    int before = KmsTesting.allKeyIds(admin).size();

    MalformedPolicyDocumentException e =
        assertThrows(
            MalformedPolicyDocumentException.class, () -> c.createKey(b -> b.policy(onlyKeyAdmin)));
    assertEquals(LOCKOUT_MESSAGE, e.awsErrorDetails().errorMessage());
    assertEquals(before, KmsTesting.allKeyIds(admin).size(), "no key was made");

    String id =
        c.createKey(b -> b.policy(onlyKeyAdmin).bypassPolicyLockoutSafetyCheck(true))
            .keyMetadata()
            .keyId();
    assertEquals(onlyKeyAdmin, keyAdmin.client().getKeyPolicy(b -> b.keyId(id)).policy());
  }

  @Test
  void createKey_withAPolicyThatLeavesItToTheCreatorsIdentityPolicy_isAccepted() {
    // The account root statement delegates to identity policies; the creator's allows PutKeyPolicy.
    String rootOnly = Policies.document(Policies.enableIamPolicies(TestServer.ACCOUNT));

    String id = creator.client().createKey(b -> b.policy(rootOnly)).keyMetadata().keyId();

    assertEquals(rootOnly, admin.getKeyPolicy(b -> b.keyId(id)).policy());
    creator.client().putKeyPolicy(b -> b.keyId(id).policy(rootOnly));
  }

  @Test
  void lockoutPolicy_isRefusedForTheAccountAdministratorToo() {
    KeyMetadata key = admin.createKey(b -> {}).keyMetadata();
    String onlyApp =
        Policies.document(Policies.allow("OnlyApp").principals(app.arn()).actions("kms:*"));

    MalformedPolicyDocumentException e =
        assertThrows(
            MalformedPolicyDocumentException.class,
            () -> admin.putKeyPolicy(b -> b.keyId(key.keyId()).policy(onlyApp)));
    assertEquals(LOCKOUT_MESSAGE, e.awsErrorDetails().errorMessage());
    assertThrows(
        MalformedPolicyDocumentException.class, () -> admin.createKey(b -> b.policy(onlyApp)));
  }
}
