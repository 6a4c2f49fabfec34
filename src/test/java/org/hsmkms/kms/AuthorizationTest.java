package org.hsmkms.kms;

import static org.hsmkms.kms.StoredKeys.ACCOUNT;
import static org.hsmkms.kms.StoredKeys.REGION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.hsmkms.authz.AuthzRequest;
import org.hsmkms.authz.KmsActions;
import org.hsmkms.authz.KmsActions.Permission;
import org.hsmkms.authz.KmsActions.Resource;
import org.hsmkms.authz.PolicyDocument;
import org.hsmkms.authz.PolicyKind;
import org.hsmkms.store.KeyRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The authorization of one request ({@link Authorization}): the trusted one of the service's own
 * work checks nothing; account-level permissions are decided by the identity policy alone, with
 * AWS's AccessDeniedException messages; every decision is kept for the audit record; and {@code
 * unchecked()} names the key-level permissions no check has decided yet, which is what lets the
 * pipeline withhold an answer that used a key unauthorized.
 */
class AuthorizationTest {
  private static final String ALICE = "arn:aws:iam::111122223333:user/alice";
  private static final Permission CREATE_KEY = new Permission("kms:CreateKey", Resource.ACCOUNT);

  /** Nobody may do anything with the key: a key policy that denies every action to everyone. */
  private static final String DENY_ALL =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"DenyAll\",\"Effect\":\"Deny\","
          + "\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";

  @TempDir Path dir;
  private StoredKeys stored;
  private Keys keys;

  @BeforeEach
  void open() {
    stored = new StoredKeys(dir);
    keys = new Keys(stored.store);
  }

  @AfterEach
  void close() {
    stored.close();
  }

  private static PolicyDocument identity(String statements) {
    return PolicyDocument.parse(
        "{\"Version\":\"2012-10-17\",\"Statement\":[" + statements + "]}",
        PolicyKind.IDENTITY_POLICY);
  }

  private static String allow(String sid, String action) {
    return "{\"Sid\":\""
        + sid
        + "\",\"Effect\":\"Allow\",\"Action\":\""
        + action
        + "\",\"Resource\":\"*\"}";
  }

  private static String deny(String sid, String action) {
    return allow(sid, action).replace("Allow", "Deny");
  }

  /** Alice's authorization of {@code operation}, under {@code identityPolicy}. */
  private static Authorization alice(String operation, PolicyDocument identityPolicy) {
    Map<String, List<String>> keys = new HashMap<>();
    keys.put("aws:PrincipalArn", List.of(ALICE));
    keys.put("aws:PrincipalAccount", List.of(ACCOUNT));
    return Authorization.of(
        ALICE, ACCOUNT, identityPolicy, KmsActions.of(operation).orElseThrow(), keys, List.of());
  }

  private static RequestContext context(Authorization auth) {
    return new RequestContext(ACCOUNT, REGION, ALICE, UUID.randomUUID().toString())
        .withAuthorization(auth);
  }

  /** A key policy with one statement, without a Sid, allowing {@code principal} the actions. */
  private static String keyPolicyAllowing(String principal, String... actions) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
        + "\"Principal\":{\"AWS\":\""
        + principal
        + "\"},\"Action\":[\""
        + String.join("\",\"", actions)
        + "\"],\"Resource\":\"*\"}]}";
  }

  private KeyRecord keyWithPolicy(String policy) {
    KeyRecord key = stored.add(KeyState.ENABLED).withPolicy(policy);
    stored.store.updateKey(key);
    return key;
  }

  // --- trusted() -----------------------------------------------------------------------------

  @Test
  void trusted_checksNothing_evenAKeyWhosePolicyDeniesEveryone() {
    KeyRecord key = keyWithPolicy(DENY_ALL);
    RequestContext ctx = StoredKeys.caller();

    assertEquals(key.keyId(), keys.resolve(ctx, key.keyId(), Resource.DESTINATION_KEY).keyId());

    Authorization trusted = ctx.authorization();
    assertTrue(trusted.isTrusted());
    assertFalse(trusted.crossAccount());
    assertEquals(List.of(), trusted.decisions());
    assertEquals(Set.of(), trusted.unchecked());
    assertEquals("Authorization[trusted]", trusted.toString());
  }

  @Test
  void clientsAuthorization_isNotTrusted_evenUnderAnAdministratorsPolicy() {
    Authorization auth = alice("Encrypt", identity(allow("Admin", "kms:*")));

    assertFalse(auth.isTrusted());
    assertEquals("Authorization[Encrypt]", auth.toString());
  }

  @ParameterizedTest(name = "{0}: cross-account {1}")
  @CsvSource({
    "Encrypt, true",
    "Decrypt, true",
    "ReEncrypt, true",
    "DescribeKey, true",
    "DisableKey, false",
    "PutKeyPolicy, false",
    "CreateKey, false"
  })
  void crossAccount_isTheOperationsEntry(String operation, boolean crossAccount) {
    assertEquals(crossAccount, alice(operation, null).crossAccount());
  }

  // --- Account-level permissions -------------------------------------------------------------

  @Test
  void authorizeAccount_allowedByTheIdentityPolicy_isRecorded() {
    Authorization auth = alice("CreateKey", identity(allow("MayCreateKeys", "kms:CreateKey")));

    auth.authorizeAccount(CREATE_KEY, AuthzRequest.ACCOUNT_LEVEL);

    assertEquals(
        List.of("kms:CreateKey on *: allowed by identity policy statement \"MayCreateKeys\""),
        auth.decisions());
  }

  @Test
  void authorizeAccount_withoutAnIdentityPolicy_isImplicitlyDenied_inAwsWords() {
    Authorization auth = alice("CreateKey", null);

    KmsException e =
        assertThrows(
            KmsException.class,
            () -> auth.authorizeAccount(CREATE_KEY, AuthzRequest.ACCOUNT_LEVEL));

    assertEquals(ErrorCode.ACCESS_DENIED, e.code());
    assertEquals("AccessDeniedException", e.code().awsType());
    assertEquals(
        "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: kms:CreateKey"
            + " on resource: * because no identity-based policy allows the kms:CreateKey action",
        e.getMessage());
    assertEquals(List.of("kms:CreateKey on *: denied: implicit deny"), auth.decisions());
  }

  @Test
  void authorizeAccount_withAnIdentityPolicyForOtherActions_isImplicitlyDenied() {
    Authorization auth = alice("CreateKey", identity(allow("UseKeys", "kms:Encrypt")));

    KmsException e =
        assertThrows(
            KmsException.class,
            () -> auth.authorizeAccount(CREATE_KEY, AuthzRequest.ACCOUNT_LEVEL));

    assertTrue(
        e.getMessage().endsWith("because no identity-based policy allows the kms:CreateKey action"),
        e.getMessage());
  }

  @Test
  void authorizeAccount_explicitlyDeniedInTheIdentityPolicy_saysSo_evenBesideAnAllow() {
    Authorization auth =
        alice(
            "CreateKey",
            identity(allow("Admin", "kms:*") + "," + deny("NoNewKeys", "kms:CreateKey")));

    KmsException e =
        assertThrows(
            KmsException.class,
            () -> auth.authorizeAccount(CREATE_KEY, AuthzRequest.ACCOUNT_LEVEL));

    assertEquals(ErrorCode.ACCESS_DENIED, e.code());
    assertEquals(
        "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: kms:CreateKey"
            + " on resource: * with an explicit deny in an identity-based policy",
        e.getMessage());
    assertEquals(
        List.of("kms:CreateKey on *: explicitly denied by identity policy statement \"NoNewKeys\""),
        auth.decisions());
  }

  @Test
  void authorizeAccount_onAnAlias_namesTheAliasArn_asAnIdentityBasedRefusal() {
    Authorization auth = alice("CreateAlias", null);
    String aliasArn = "arn:aws:kms:us-east-1:111122223333:alias/app";

    KmsException e =
        assertThrows(
            KmsException.class,
            () ->
                auth.authorizeAccount(new Permission("kms:CreateAlias", Resource.ALIAS), aliasArn));

    assertEquals(
        "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: kms:CreateAlias"
            + " on resource: "
            + aliasArn
            + " because no identity-based policy allows the kms:CreateAlias action",
        e.getMessage());
  }

  @Test
  void decisions_keepEveryDecision_inOrder_allowedAndDenied() {
    Authorization auth =
        alice(
            "CreateAlias",
            identity(
                "{\"Sid\":\"AppAliases\",\"Effect\":\"Allow\",\"Action\":\"kms:CreateAlias\","
                    + "\"Resource\":\"arn:aws:kms:us-east-1:111122223333:alias/app-*\"}"));
    Permission createAlias = new Permission("kms:CreateAlias", Resource.ALIAS);

    auth.authorizeAccount(createAlias, "arn:aws:kms:us-east-1:111122223333:alias/app-1");
    assertThrows(
        KmsException.class,
        () -> auth.authorizeAccount(createAlias, "arn:aws:kms:us-east-1:111122223333:alias/x"));

    assertEquals(
        List.of(
            "kms:CreateAlias on arn:aws:kms:us-east-1:111122223333:alias/app-1: allowed by"
                + " identity policy statement \"AppAliases\"",
            "kms:CreateAlias on arn:aws:kms:us-east-1:111122223333:alias/x: denied: implicit deny"),
        auth.decisions());
  }

  // --- unchecked() ---------------------------------------------------------------------------

  @Test
  void unchecked_ofAnAccountLevelOperation_isTheAccount_untilDecided() {
    Authorization auth = alice("CreateKey", identity(allow("Admin", "kms:*")));
    assertEquals(Set.of(Resource.ACCOUNT), auth.unchecked());

    auth.authorizeAccount(CREATE_KEY, AuthzRequest.ACCOUNT_LEVEL);

    assertEquals(Set.of(), auth.unchecked());
  }

  @Test
  void unchecked_ofAKeyOperation_isTheKey_untilTheKeyIsResolved() {
    KeyRecord key = keyWithPolicy(keyPolicyAllowing(ALICE, "kms:Encrypt"));
    Authorization auth = alice("Encrypt", null);
    assertEquals(Set.of(Resource.KEY), auth.unchecked());

    keys.resolve(context(auth), key.keyId());

    assertEquals(Set.of(), auth.unchecked());
    assertEquals(
        List.of(
            "kms:Encrypt on " + key.arn() + ": allowed by key policy statement \"Statement[0]\""),
        auth.decisions());
  }

  @Test
  void unchecked_ofReEncrypt_isBothKeys_andEachIsDecidedOnItsOwn() {
    KeyRecord key = keyWithPolicy(keyPolicyAllowing(ALICE, "kms:ReEncryptFrom", "kms:ReEncryptTo"));
    Authorization auth = alice("ReEncrypt", null);
    RequestContext ctx = context(auth);
    assertEquals(Set.of(Resource.SOURCE_KEY, Resource.DESTINATION_KEY), auth.unchecked());

    keys.resolve(ctx, key.keyId(), Resource.SOURCE_KEY);
    assertEquals(Set.of(Resource.DESTINATION_KEY), auth.unchecked());

    keys.resolve(ctx, key.keyId(), Resource.DESTINATION_KEY);
    assertEquals(Set.of(), auth.unchecked());
  }

  @Test
  void refusedCheck_countsAsDecided_andIsRecorded() {
    KeyRecord key = keyWithPolicy(DENY_ALL);
    Authorization auth = alice("Encrypt", identity(allow("Admin", "kms:*")));

    assertThrows(KmsException.class, () -> keys.resolve(context(auth), key.keyId()));

    assertEquals(Set.of(), auth.unchecked());
    assertEquals(
        List.of(
            "kms:Encrypt on "
                + key.arn()
                + ": explicitly denied by key policy statement \"DenyAll\""),
        auth.decisions());
  }

  @Test
  void permissionDecidedByAnOperationsOwnRule_countsAsDecided_namingTheRule() {
    KeyRecord key = keyWithPolicy(DENY_ALL);
    Authorization auth = alice("RetireGrant", null);

    keys.decidedByRule(context(auth), Resource.KEY, key, "the grant's retiring principal");

    assertEquals(Set.of(), auth.unchecked());
    assertEquals(
        List.of("kms:RetireGrant on " + key.arn() + ": allowed by the grant's retiring principal"),
        auth.decisions());
  }

  // --- actionFor -----------------------------------------------------------------------------

  @ParameterizedTest(name = "{0} on {1}: {2}")
  @CsvSource({
    "Encrypt, KEY, kms:Encrypt",
    "ReEncrypt, SOURCE_KEY, kms:ReEncryptFrom",
    "ReEncrypt, DESTINATION_KEY, kms:ReEncryptTo",
    "CreateAlias, TARGET_KEY, kms:CreateAlias",
    "UpdateAlias, ALIAS_KEY, kms:UpdateAlias"
  })
  void actionFor_isTheActionTheOperationNeedsOnThatRole(
      String operation, Resource role, String action) {
    assertEquals(action, alice(operation, null).actionFor(role));
  }

  @Test
  void actionFor_aRoleTheOperationLacks_isADefect_notARefusal() {
    Authorization auth = alice("Encrypt", null);

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> auth.actionFor(Resource.DESTINATION_KEY));

    assertEquals("Encrypt has no permission on DESTINATION_KEY", e.getMessage());
  }

  @Test
  void resolvingAKeyInARoleTheOperationLacks_isADefect_andUsesNoKey() {
    KeyRecord key = keyWithPolicy(keyPolicyAllowing(ALICE, "kms:*"));
    Authorization auth = alice("Encrypt", null);

    assertThrows(
        IllegalStateException.class,
        () -> keys.resolve(context(auth), key.keyId(), Resource.SOURCE_KEY));

    assertEquals(Set.of(Resource.KEY), auth.unchecked());
    assertEquals(List.of(), auth.decisions());
  }

  @Test
  void requestKeys_areCopied_soThatTheCallerCannotChangeThemAfterwards() {
    Map<String, List<String>> keys = new HashMap<>();
    keys.put("aws:SourceIp", List.of("192.0.2.1"));
    Authorization auth =
        Authorization.of(
            ALICE, ACCOUNT, null, KmsActions.of("ListKeys").orElseThrow(), keys, List.of("t"));

    keys.put("aws:SourceIp", List.of("10.0.0.1"));

    // Kept under canonical (lower-case) names, copied once.
    assertEquals(Map.of("aws:sourceip", List.of("192.0.2.1")), auth.requestKeys());
    assertEquals(List.of("t"), auth.grantTokens());
  }
}
