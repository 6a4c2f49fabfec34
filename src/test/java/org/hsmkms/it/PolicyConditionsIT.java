package org.hsmkms.it;

import static org.hsmkms.it.KeyPolicyEnforcementIT.deniedOnKey;
import static org.hsmkms.testing.AccessDenied.assertDenied;
import static org.hsmkms.testing.AccessDenied.explicitDenyInIdentityPolicy;
import static org.hsmkms.testing.AccessDenied.explicitDenyInKeyPolicy;
import static org.hsmkms.testing.AccessDenied.viaCiphertext;

import java.util.Map;
import java.util.UUID;
import org.hsmkms.testing.Policies;
import org.hsmkms.testing.TestPrincipals;
import org.hsmkms.testing.TestPrincipals.Principal;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.KeyMetadata;

/**
 * Explicit denies, and conditions, decided on every request as AWS's policy evaluation logic
 * decides them: a Deny anywhere wins over any Allow; {@code kms:EncryptionContext:<key>} and {@code
 * kms:EncryptionContextKeys} ("kms:EncryptionContext: condition keys"); attribute-based access
 * control by tag ({@code aws:ResourceTag/<key>}) and by alias ({@code kms:RequestAlias}, {@code
 * kms:ResourceAliases}), each decided by the tags and aliases the key has at that request.
 */
class PolicyConditionsIT {
  private static final SdkBytes PLAINTEXT = SdkBytes.fromUtf8String("conditions");
  private static final Map<String, String> FINANCE = Map.of("Department", "Finance");

  private static TestServer server;
  private static TestPrincipals principals;
  private static KmsClient admin;
  private static Principal app;
  private static Principal iamAdmin;
  private static Principal denyDecrypt;

  @BeforeAll
  static void start() {
    server = TestServer.start(TestServer.newDataDir());
    principals = new TestPrincipals(server);
    principals.makeTestPrincipalsAdmins();
    admin = server.client();
    app = principals.user(TestServer.ACCOUNT, "app", null);
    iamAdmin =
        principals.user(
            TestServer.ACCOUNT,
            "iam-admin",
            Policies.document(Policies.allow("Everything").actions("kms:*")));
    denyDecrypt =
        principals.user(
            TestServer.ACCOUNT,
            "deny-decrypt",
            Policies.document(Policies.deny("NeverDecrypt").actions("kms:Decrypt")));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static KeyMetadata keyWith(Policies.Statement... statements) {
    Policies.Statement[] all = new Policies.Statement[statements.length + 1];
    all[0] = Policies.enableIamPolicies(TestServer.ACCOUNT);
    System.arraycopy(statements, 0, all, 1, statements.length);
    return admin.createKey(b -> b.policy(Policies.document(all))).keyMetadata();
  }

  private static void encrypt(Principal p, String keyId, Map<String, String> context) {
    p.client().encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT).encryptionContext(context));
  }

  // --- An explicit deny wins --------------------------------------------------------------------

  @Test
  void denyInTheKeyPolicy_beatsAnAllowInTheKeyPolicy() {
    KeyMetadata key =
        keyWith(
            Policies.allow("AppUsesTheKey")
                .principals(app.arn())
                .actions("kms:Encrypt", "kms:Decrypt"),
            Policies.deny("ButNeverDecrypts").principals(app.arn()).actions("kms:Decrypt"));
    SdkBytes blob =
        app.client().encrypt(b -> b.keyId(key.keyId()).plaintext(PLAINTEXT)).ciphertextBlob();

    assertDenied(
        viaCiphertext(explicitDenyInKeyPolicy(app.arn(), "kms:Decrypt", key.arn())),
        () -> app.client().decrypt(b -> b.ciphertextBlob(blob)));
  }

  @Test
  void denyInTheKeyPolicy_beatsAnAllowInTheIdentityPolicy() {
    KeyMetadata key =
        keyWith(
            Policies.deny("NoEncryptForIamAdmin")
                .principals(iamAdmin.arn())
                .actions("kms:Encrypt"));
    KmsClient c = iamAdmin.client();
    c.describeKey(b -> b.keyId(key.keyId()));

    assertDenied(
        explicitDenyInKeyPolicy(iamAdmin.arn(), "kms:Encrypt", key.arn()),
        () -> c.encrypt(b -> b.keyId(key.keyId()).plaintext(PLAINTEXT)));
  }

  @Test
  void denyInTheKeyPolicyForEveryone_beatsTheAccountAdministratorToo() {
    KeyMetadata key =
        keyWith(Policies.deny("NobodyDeletes").principals("*").actions("kms:ScheduleKeyDeletion"));

    assertDenied(
        explicitDenyInKeyPolicy(TestServer.PRINCIPAL, "kms:ScheduleKeyDeletion", key.arn()),
        () -> admin.scheduleKeyDeletion(b -> b.keyId(key.keyId()).pendingWindowInDays(7)));
  }

  @Test
  void denyInTheIdentityPolicy_beatsAnAllowInTheKeyPolicy() {
    KeyMetadata key =
        keyWith(
            Policies.allow("Allow use of the key")
                .principals(denyDecrypt.arn())
                .actions(Policies.KEY_USER_ACTIONS));
    KmsClient c = denyDecrypt.client();
    SdkBytes blob = c.encrypt(b -> b.keyId(key.keyId()).plaintext(PLAINTEXT)).ciphertextBlob();

    assertDenied(
        viaCiphertext(explicitDenyInIdentityPolicy(denyDecrypt.arn(), "kms:Decrypt", key.arn())),
        () -> c.decrypt(b -> b.ciphertextBlob(blob)));
  }

  // --- Encryption context
  // -------------------------------------------------------------------------

  @Test
  void encryptionContextCondition_letsMatchingRequestsThrough_andRefusesTheOthers() {
    // AWS's example: kms:EncryptionContext:Department must be Finance.
    KeyMetadata key =
        keyWith(
            Policies.allow("FinanceOnly")
                .principals(app.arn())
                .actions("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey")
                .condition("StringEquals", "kms:EncryptionContext:Department", "Finance"));
    String id = key.keyId();
    KmsClient c = app.client();

    SdkBytes blob =
        c.encrypt(b -> b.keyId(id).plaintext(PLAINTEXT).encryptionContext(FINANCE))
            .ciphertextBlob();
    c.decrypt(b -> b.ciphertextBlob(blob).encryptionContext(FINANCE));
    c.generateDataKey(b -> b.keyId(id).keySpec(DataKeySpec.AES_256).encryptionContext(FINANCE));
    encrypt(app, id, Map.of("Department", "Finance", "Purpose", "payroll"));

    String encryptDenied = deniedOnKey(app, "Encrypt", key.arn());
    assertDenied(encryptDenied, () -> encrypt(app, id, Map.of()));
    assertDenied(encryptDenied, () -> encrypt(app, id, Map.of("Department", "HR")));
    assertDenied(encryptDenied, () -> encrypt(app, id, Map.of("Department", "finance")));
    assertDenied(encryptDenied, () -> encrypt(app, id, Map.of("Team", "Finance")));
    assertDenied(
        deniedOnKey(app, "GenerateDataKey", key.arn()),
        () -> c.generateDataKey(b -> b.keyId(id).keySpec(DataKeySpec.AES_256)));
    SdkBytes hr =
        admin
            .encrypt(
                b -> b.keyId(id).plaintext(PLAINTEXT).encryptionContext(Map.of("Department", "HR")))
            .ciphertextBlob();
    assertDenied(
        viaCiphertext(deniedOnKey(app, "Decrypt", key.arn())),
        () -> c.decrypt(b -> b.ciphertextBlob(hr).encryptionContext(Map.of("Department", "HR"))));
  }

  @Test
  void encryptionContextKeys_forAllValues_allowsOnlyTheListedKeys() {
    KeyMetadata key =
        keyWith(
            Policies.allow("OnlyTheseContextKeys")
                .principals(app.arn())
                .actions("kms:Encrypt")
                .condition(
                    "ForAllValues:StringEquals",
                    "kms:EncryptionContextKeys",
                    "Department",
                    "Project"));
    String id = key.keyId();

    encrypt(app, id, Map.of("Department", "Finance"));
    encrypt(app, id, Map.of("Department", "Finance", "Project", "Alpha"));
    // AWS: ForAllValues holds when the request has no encryption context at all.
    encrypt(app, id, Map.of());
    assertDenied(
        deniedOnKey(app, "Encrypt", key.arn()),
        () -> encrypt(app, id, Map.of("Department", "Finance", "Owner", "x")));
  }

  // --- ABAC: tags and aliases
  // ---------------------------------------------------------------------

  @Test
  void resourceTagCondition_isDecidedByTheTagTheKeyHasAtEachRequest() {
    Principal tagged =
        principals.user(
            TestServer.ACCOUNT,
            "abac-tags",
            Policies.document(
                Policies.allow("ProjectAlphaKeys")
                    .actions("kms:Encrypt")
                    .condition("StringEquals", "aws:ResourceTag/Project", "Alpha")));
    KeyMetadata key =
        admin.createKey(b -> b.tags(t -> t.tagKey("Project").tagValue("Alpha"))).keyMetadata();
    String id = key.keyId();
    String denied = deniedOnKey(tagged, "Encrypt", key.arn());

    encrypt(tagged, id, Map.of());

    admin.tagResource(b -> b.keyId(id).tags(t -> t.tagKey("Project").tagValue("Beta")));
    assertDenied(denied, () -> encrypt(tagged, id, Map.of()));

    admin.tagResource(b -> b.keyId(id).tags(t -> t.tagKey("Project").tagValue("Alpha")));
    encrypt(tagged, id, Map.of());

    admin.untagResource(b -> b.keyId(id).tagKeys("Project"));
    assertDenied(denied, () -> encrypt(tagged, id, Map.of()));
  }

  @Test
  void requestAliasCondition_allowsOnlyRequestsNamingTheKeyByThatAlias() {
    String alias = "alias/finance-" + UUID.randomUUID();
    Principal byAlias =
        principals.user(
            TestServer.ACCOUNT,
            "abac-request-alias",
            Policies.document(
                Policies.allow("ThroughTheFinanceAlias")
                    .actions("kms:Encrypt")
                    .condition("StringEquals", "kms:RequestAlias", alias)));
    KeyMetadata key = admin.createKey(b -> {}).keyMetadata();
    admin.createAlias(b -> b.aliasName(alias).targetKeyId(key.keyId()));
    String denied = deniedOnKey(byAlias, "Encrypt", key.arn());

    encrypt(byAlias, alias, Map.of());

    assertDenied(denied, () -> encrypt(byAlias, key.keyId(), Map.of()));
    assertDenied(denied, () -> encrypt(byAlias, key.arn(), Map.of()));
  }

  @Test
  void resourceAliasesCondition_isDecidedByTheAliasesTheKeyHasAtEachRequest() {
    String alias = "alias/payroll-" + UUID.randomUUID();
    Principal byAlias =
        principals.user(
            TestServer.ACCOUNT,
            "abac-resource-aliases",
            Policies.document(
                Policies.allow("KeysWithThePayrollAlias")
                    .actions("kms:Encrypt")
                    .condition("ForAnyValue:StringEquals", "kms:ResourceAliases", alias)));
    KeyMetadata key = admin.createKey(b -> {}).keyMetadata();
    KeyMetadata other = admin.createKey(b -> {}).keyMetadata();
    String denied = deniedOnKey(byAlias, "Encrypt", key.arn());
    assertDenied(denied, () -> encrypt(byAlias, key.keyId(), Map.of()));

    admin.createAlias(b -> b.aliasName(alias).targetKeyId(key.keyId()));
    encrypt(byAlias, key.keyId(), Map.of());

    admin.updateAlias(b -> b.aliasName(alias).targetKeyId(other.keyId()));
    assertDenied(denied, () -> encrypt(byAlias, key.keyId(), Map.of()));
    encrypt(byAlias, other.keyId(), Map.of());

    admin.deleteAlias(b -> b.aliasName(alias));
    assertDenied(
        deniedOnKey(byAlias, "Encrypt", other.arn()),
        () -> encrypt(byAlias, other.keyId(), Map.of()));
  }
}
