package org.hsmkms.kms;

import static org.hsmkms.kms.StoredKeys.ACCOUNT;
import static org.hsmkms.kms.StoredKeys.OTHER_ACCOUNT;
import static org.hsmkms.kms.StoredKeys.REGION;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.hsmkms.authz.DefaultKeyPolicy;
import org.hsmkms.authz.KmsActions;
import org.hsmkms.authz.KmsActions.Resource;
import org.hsmkms.authz.PolicyDocument;
import org.hsmkms.authz.PolicyKind;
import org.hsmkms.crypto.EncryptionContext;
import org.hsmkms.crypto.SecretBytes;
import org.hsmkms.store.KeyRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Key-level authorization as {@link Keys} applies it to every key it resolves for a client's
 * request ({@link KeyAuthorizer}), on a real store and, for Decrypt, the real test token: allowed
 * by the key policy naming the caller, or by the key policy trusting the account and the caller's
 * identity policy; refused in AWS's words (implicit deny on the resource side or the identity side,
 * explicit deny); cross-account use only for the operations AWS allows across accounts; the key's
 * own condition keys (spec, usage, origin, its current tags and aliases); and a policy that changes
 * takes effect on the next request.
 */
class KeyAuthorizerTest {
  @RegisterExtension static final TokenFixture TOKEN = TokenFixture.perTest();

  private static final String ALICE = "arn:aws:iam::111122223333:user/alice";
  private static final String BOB = "arn:aws:iam::111122223333:user/bob";
  private static final String ROOT = "arn:aws:iam::111122223333:root";
  private static final String ADMIN =
      """
      {"Version":"2012-10-17","Statement":[
        {"Sid":"Admin","Effect":"Allow","Action":"kms:*","Resource":"*"}]}""";

  private TokenServices services;
  private StoredKeys stored;
  private Keys keys;

  @BeforeEach
  void open() {
    services = TOKEN.services();
    stored = services.stored;
    keys = services.keys;
  }

  // --- Helpers -------------------------------------------------------------------------------

  /** A key policy of {@code statements}. */
  private static String policy(String... statements) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}";
  }

  /** A statement of {@code effect} for {@code principal} on {@code action}, with a condition. */
  private static String statement(
      String sid, String effect, String principal, String action, String condition) {
    return """
        {"Sid":"%s","Effect":"%s","Principal":{"AWS":"%s"},"Action":"%s","Resource":"*"%s}"""
        .formatted(
            sid, effect, principal, action, condition == null ? "" : ",\"Condition\":" + condition);
  }

  private static String allow(String sid, String principal, String action) {
    return statement(sid, "Allow", principal, action, null);
  }

  private static PolicyDocument identity(String json) {
    return PolicyDocument.parse(json, PolicyKind.IDENTITY_POLICY);
  }

  /** The context of {@code principal}'s request for {@code operation} in us-east-1. */
  private static RequestContext request(
      String operation, String principal, String identityPolicy, String... keysAndValues) {
    String account = principal.split(":")[4];
    Map<String, List<String>> conditionKeys = new HashMap<>();
    conditionKeys.put("aws:PrincipalArn", List.of(principal));
    conditionKeys.put("aws:PrincipalAccount", List.of(account));
    conditionKeys.put("kms:CallerAccount", List.of(account));
    for (int i = 0; i < keysAndValues.length; i += 2) {
      conditionKeys.put(keysAndValues[i], List.of(keysAndValues[i + 1]));
    }
    Authorization auth =
        Authorization.of(
            principal,
            account,
            identityPolicy == null ? null : identity(identityPolicy),
            KmsActions.of(operation).orElseThrow(),
            conditionKeys,
            List.of());
    return new RequestContext(account, REGION, principal, UUID.randomUUID().toString())
        .withAuthorization(auth);
  }

  /** An Enabled symmetric key of {@code account} whose key policy is {@code policy}. */
  private KeyRecord key(String account, String policy) {
    return key(account, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", policy);
  }

  private KeyRecord key(String account, String spec, String usage, String policy) {
    KeyRecord key = stored.add(account, REGION, KeyState.ENABLED, spec, usage).withPolicy(policy);
    stored.store.updateKey(key);
    return services.row(key.keyId());
  }

  private KeyRecord key(String policy) {
    return key(ACCOUNT, policy);
  }

  private static String refusal(Runnable call) {
    KmsException e = assertThrows(KmsException.class, call::run);
    assertEquals(ErrorCode.ACCESS_DENIED, e.code(), e.getMessage());
    return e.getMessage();
  }

  private static String denied(String principal, String action, String resource, String why) {
    return "User: "
        + principal
        + " is not authorized to perform: "
        + action
        + " on resource: "
        + resource
        + why;
  }

  private static String noResourcePolicy(String action) {
    return " because no resource-based policy allows the " + action + " action";
  }

  private static String noIdentityPolicy(String action) {
    return " because no identity-based policy allows the " + action + " action";
  }

  // --- The same account --------------------------------------------------------------------

  @Test
  void keyPolicyNamingTheCallersArn_allows_withoutAnIdentityPolicy() {
    KeyRecord key = key(policy(allow("AliceUses", ALICE, "kms:Encrypt")));
    RequestContext ctx = request("Encrypt", ALICE, null);

    assertEquals(key.keyId(), keys.resolve(ctx, key.keyId()).keyId());
    assertEquals(
        List.of("kms:Encrypt on " + key.arn() + ": allowed by key policy statement \"AliceUses\""),
        ctx.authorization().decisions());
  }

  @Test
  void keyPolicyTrustingTheAccount_andAnIdentityPolicyThatAllows_allow() {
    KeyRecord key = key(DefaultKeyPolicy.forAccount(ACCOUNT));
    RequestContext ctx = request("Encrypt", BOB, ADMIN);

    assertEquals(key.keyId(), keys.resolve(ctx, key.keyId()).keyId());
    assertEquals(
        List.of("kms:Encrypt on " + key.arn() + ": allowed by identity policy statement \"Admin\""),
        ctx.authorization().decisions());
  }

  @Test
  void keyPolicyTrustingTheAccount_withoutAnIdentityPolicy_isRefused_onTheIdentitySide() {
    KeyRecord key = key(DefaultKeyPolicy.forAccount(ACCOUNT));
    RequestContext ctx = request("Encrypt", BOB, null);

    assertEquals(
        denied(BOB, "kms:Encrypt", key.arn(), noIdentityPolicy("kms:Encrypt")),
        refusal(() -> keys.resolve(ctx, key.keyId())));
    assertEquals(
        List.of("kms:Encrypt on " + key.arn() + ": denied: implicit deny"),
        ctx.authorization().decisions());
  }

  @Test
  void keyPolicyNamingSomeoneElse_isRefused_onTheResourceSide_evenForAnAdministrator() {
    KeyRecord key = key(policy(allow("AliceUses", ALICE, "kms:*")));
    RequestContext ctx = request("Encrypt", BOB, ADMIN);

    assertEquals(
        denied(BOB, "kms:Encrypt", key.arn(), noResourcePolicy("kms:Encrypt")),
        refusal(() -> keys.resolve(ctx, key.keyId())));
  }

  @Test
  void keyPolicyAllowingOtherActions_isRefused_forThisOne() {
    KeyRecord key = key(policy(allow("AliceDecrypts", ALICE, "kms:Decrypt")));
    RequestContext ctx = request("Encrypt", ALICE, null);

    assertEquals(
        denied(ALICE, "kms:Encrypt", key.arn(), noResourcePolicy("kms:Encrypt")),
        refusal(() -> keys.resolve(ctx, key.keyId())));
  }

  @Test
  void explicitDenyInTheKeyPolicy_beatsEveryAllow() {
    KeyRecord key =
        key(
            policy(
                allow("Root", ROOT, "kms:*"),
                allow("BobUses", BOB, "kms:*"),
                statement("NoEncryptForBob", "Deny", BOB, "kms:Encrypt", null)));
    RequestContext ctx = request("Encrypt", BOB, ADMIN);

    assertEquals(
        denied(BOB, "kms:Encrypt", key.arn(), " with an explicit deny in a resource-based policy"),
        refusal(() -> keys.resolve(ctx, key.keyId())));
    assertEquals(
        List.of(
            "kms:Encrypt on "
                + key.arn()
                + ": explicitly denied by key policy statement \"NoEncryptForBob\""),
        ctx.authorization().decisions());
  }

  @Test
  void explicitDenyInTheIdentityPolicy_beatsTheKeyPolicysAllowOfTheCallersArn() {
    KeyRecord key = key(policy(allow("BobUses", BOB, "kms:*")));
    String identity =
        """
        {"Version":"2012-10-17","Statement":[
          {"Sid":"NoEncrypt","Effect":"Deny","Action":"kms:Encrypt","Resource":"*"}]}""";
    RequestContext ctx = request("Encrypt", BOB, identity);

    assertEquals(
        denied(BOB, "kms:Encrypt", key.arn(), " with an explicit deny in an identity-based policy"),
        refusal(() -> keys.resolve(ctx, key.keyId())));
  }

  @ParameterizedTest
  @ValueSource(strings = {"PENDING_DELETION", "DISABLED"})
  void refusal_comesBeforeTheKeysState_soThatItSaysNothingOfTheKey(KeyState state) {
    KeyRecord key = services.setState(key(policy(allow("AliceUses", ALICE, "kms:*"))), state);
    RequestContext ctx = request("Encrypt", BOB, ADMIN);

    assertEquals(
        denied(BOB, "kms:Encrypt", key.arn(), noResourcePolicy("kms:Encrypt")),
        refusal(() -> keys.resolveFor(ctx, key.keyId(), "Encrypt")));
  }

  // --- Across accounts -----------------------------------------------------------------------

  /** A key of the other account whose policy trusts both accounts and names Alice. */
  private KeyRecord sharedKey() {
    return key(
        OTHER_ACCOUNT,
        policy(
            allow("Owner", "arn:aws:iam::" + OTHER_ACCOUNT + ":root", "kms:*"),
            allow("Partner", ROOT, "kms:*"),
            allow("AliceByName", ALICE, "kms:*")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"DisableKey", "PutKeyPolicy", "ScheduleKeyDeletion", "GetKeyPolicy"})
  void keyOfAnotherAccount_isRefused_forAnOperationNotAllowedAcrossAccounts_whateverThePolicies(
      String operation) {
    KeyRecord key = sharedKey();
    RequestContext ctx = request(operation, ALICE, ADMIN);
    String action = "kms:" + operation;

    assertEquals(
        denied(ALICE, action, key.arn(), noResourcePolicy(action)),
        refusal(() -> keys.resolve(ctx, key.arn())));
    assertEquals(
        List.of(action + " on " + key.arn() + ": denied: implicit deny"),
        ctx.authorization().decisions());
  }

  @Test
  void
      keyOfAnotherAccount_isAllowedForEncrypt_whenItsPolicyTrustsTheAccount_andTheIdentityAllows() {
    KeyRecord key =
        key(
            OTHER_ACCOUNT,
            policy(
                allow("Owner", "arn:aws:iam::" + OTHER_ACCOUNT + ":root", "kms:*"),
                allow("Partner", ROOT, "kms:Encrypt")));
    RequestContext ctx = request("Encrypt", ALICE, ADMIN);

    assertEquals(key.keyId(), keys.resolve(ctx, key.arn()).keyId());
    assertEquals(List.of(key.arn()), ctx.keysUsed().arns());
  }

  @Test
  void keyOfAnotherAccount_trustingTheAccount_isRefused_withoutTheCallersIdentityPolicy() {
    KeyRecord key = key(OTHER_ACCOUNT, policy(allow("Partner", ROOT, "kms:Encrypt")));
    RequestContext ctx = request("Encrypt", ALICE, null);

    assertEquals(
        denied(ALICE, "kms:Encrypt", key.arn(), noIdentityPolicy("kms:Encrypt")),
        refusal(() -> keys.resolve(ctx, key.arn())));
  }

  @Test
  void keyOfAnotherAccount_whosePolicyTrustsOnlyItsOwnAccount_isRefused_onTheResourceSide() {
    KeyRecord key = key(OTHER_ACCOUNT, DefaultKeyPolicy.forAccount(OTHER_ACCOUNT));
    RequestContext ctx = request("Encrypt", ALICE, ADMIN);

    assertEquals(
        denied(ALICE, "kms:Encrypt", key.arn(), noResourcePolicy("kms:Encrypt")),
        refusal(() -> keys.resolve(ctx, key.arn())));
  }

  @Test
  void keyOfAnotherAccount_namingTheCallersArn_isAllowed_withTheCallersIdentityPolicy() {
    KeyRecord key = key(OTHER_ACCOUNT, policy(allow("AliceByName", ALICE, "kms:Encrypt")));

    assertEquals(key.keyId(), keys.resolve(request("Encrypt", ALICE, ADMIN), key.arn()).keyId());
  }

  /**
   * Across accounts both sides must allow (AWS "Allowing users in other accounts to use a KMS
   * key"). Here the key policy allows Alice by name; what is missing is her identity policy, and
   * AWS's message names the side that is missing.
   */
  @Test
  void
      keyOfAnotherAccount_namingTheCallersArn_withoutAnIdentityPolicy_isRefused_onTheIdentitySide() {
    KeyRecord key = key(OTHER_ACCOUNT, policy(allow("AliceByName", ALICE, "kms:Encrypt")));

    assertEquals(
        denied(ALICE, "kms:Encrypt", key.arn(), noIdentityPolicy("kms:Encrypt")),
        refusal(() -> keys.resolve(request("Encrypt", ALICE, null), key.arn())));
  }

  // --- Decrypt by ciphertext -----------------------------------------------------------------

  @Test
  void decryptOfACiphertext_isRefused_withoutNamingTheKey() {
    KeyRecord key = services.symmetricKey(); // the default key policy: the account decides
    byte[] secret = "secret".getBytes(StandardCharsets.UTF_8);
    EncryptionContext none = EncryptionContext.empty();
    CryptoOperations crypto = services.crypto;
    byte[] blob =
        crypto
            .encrypt(StoredKeys.caller(), key.keyId(), secret, none, null, false)
            .ciphertextBlob();
    RequestContext ctx = request("Decrypt", BOB, null);

    String message = refusal(() -> crypto.decrypt(ctx, blob, none, null, null, false, false));

    assertEquals(
        "User: "
            + BOB
            + " is not authorized to perform: kms:Decrypt on the resource associated with this"
            + " ciphertext"
            + noIdentityPolicy("kms:Decrypt"),
        message);
    assertFalse(message.contains(key.keyId()), message);
    RequestContext admin = request("Decrypt", BOB, ADMIN);
    try (SecretBytes plaintext =
        crypto.decrypt(admin, blob, none, null, null, false, false).plaintext()) {
      assertArrayEquals(secret, plaintext.copy());
    }
  }

  @Test
  void keyFoundByTheUuidOfACiphertext_refusedByItsPolicy_isRefused_onTheResourceSide() {
    KeyRecord key = key(policy(allow("AliceDecrypts", ALICE, "kms:Decrypt")));
    RequestContext ctx = request("Decrypt", BOB, ADMIN);

    assertEquals(
        "User: "
            + BOB
            + " is not authorized to perform: kms:Decrypt on the resource associated with this"
            + " ciphertext"
            + noResourcePolicy("kms:Decrypt"),
        refusal(() -> keys.byUuid(ctx, UUID.fromString(key.keyId()), Resource.KEY)));
  }

  // --- The key's own condition keys ----------------------------------------------------------

  /** A key of the test account whose policy allows Bob {@code action} under {@code condition}. */
  private KeyRecord keyForBob(String spec, String usage, String action, String condition) {
    String json = condition.replace('\'', '"');
    return key(ACCOUNT, spec, usage, policy(statement("Bob", "Allow", BOB, action, json)));
  }

  /** Whether Bob, without an identity policy, may Encrypt with the key (request keys given). */
  private boolean bobMayEncrypt(KeyRecord key, String... requestKeys) {
    try {
      keys.resolve(request("Encrypt", BOB, null, requestKeys), key.keyId());
      return true;
    } catch (KmsException e) {
      assertEquals(
          denied(BOB, "kms:Encrypt", key.arn(), noResourcePolicy("kms:Encrypt")), e.getMessage());
      return false;
    }
  }

  @Test
  void resourceTagCondition_seesTheKeysCurrentTags() {
    KeyRecord key =
        keyForBob(
            "SYMMETRIC_DEFAULT",
            "ENCRYPT_DECRYPT",
            "kms:Encrypt",
            "{'StringEquals':{'aws:ResourceTag/Project':'Alpha'}}");
    assertFalse(bobMayEncrypt(key));

    stored.store.putTags(key.keyId(), Map.of("Project", "Alpha"));
    assertTrue(bobMayEncrypt(key));

    stored.store.putTags(key.keyId(), Map.of("Project", "Beta"));
    assertFalse(bobMayEncrypt(key));

    stored.store.putTags(key.keyId(), Map.of("Project", "Alpha"));
    stored.store.removeTags(key.keyId(), Set.of("Project"));
    assertFalse(bobMayEncrypt(key));
  }

  @Test
  void resourceAliasesCondition_seesTheKeysCurrentAliases() {
    KeyRecord key =
        keyForBob(
            "SYMMETRIC_DEFAULT",
            "ENCRYPT_DECRYPT",
            "kms:Encrypt",
            "{'ForAnyValue:StringLike':{'kms:ResourceAliases':'alias/app-*'}}");
    assertFalse(bobMayEncrypt(key));

    stored.alias("alias/other", key);
    assertFalse(bobMayEncrypt(key));

    stored.alias("alias/app-1", key);
    assertTrue(bobMayEncrypt(key));

    stored.store.deleteAlias(ACCOUNT, REGION, "alias/app-1");
    assertFalse(bobMayEncrypt(key));
  }

  @Test
  void encryptionContextCondition_seesTheRequestsContext() {
    KeyRecord key =
        keyForBob(
            "SYMMETRIC_DEFAULT",
            "ENCRYPT_DECRYPT",
            "kms:Encrypt",
            "{'StringEquals':{'kms:EncryptionContext:Department':'IT'}}");

    assertTrue(bobMayEncrypt(key, "kms:EncryptionContext:Department", "IT"));
    assertFalse(bobMayEncrypt(key, "kms:EncryptionContext:Department", "HR"));
    assertFalse(bobMayEncrypt(key));
  }

  @ParameterizedTest(name = "{0} = {1} on a {2} {3} key: allowed {4}")
  @CsvSource({
    "kms:KeySpec, ECC_NIST_P256, ECC_NIST_P256, SIGN_VERIFY, true",
    "kms:KeySpec, ECC_NIST_P256, RSA_2048, SIGN_VERIFY, false",
    "kms:KeyUsage, SIGN_VERIFY, RSA_2048, SIGN_VERIFY, true",
    "kms:KeyUsage, SIGN_VERIFY, RSA_2048, ENCRYPT_DECRYPT, false",
    "kms:KeyOrigin, AWS_KMS, RSA_2048, SIGN_VERIFY, true",
    "kms:KeyOrigin, EXTERNAL, RSA_2048, SIGN_VERIFY, false"
  })
  void keyPropertyConditions_seeTheKeysSpecUsageAndOrigin(
      String conditionKey, String value, String spec, String usage, boolean allowed) {
    KeyRecord key =
        keyForBob(
            spec,
            usage,
            "kms:DescribeKey",
            "{'StringEquals':{'" + conditionKey + "':'" + value + "'}}");
    RequestContext ctx = request("DescribeKey", BOB, null);

    if (allowed) {
      assertEquals(key.keyId(), keys.resolve(ctx, key.keyId()).keyId());
    } else {
      refusal(() -> keys.resolve(ctx, key.keyId()));
    }
  }

  // --- Compiled policies ---------------------------------------------------------------------

  @Test
  void changedPolicy_isRecompiled_andDecidesTheNextRequest() {
    KeyRecord key = key(policy(allow("BobUses", BOB, "kms:Encrypt")));
    KeyAuthorizer authorizer = keys.authorizer();
    assertFalse(authorizer.isCached(key.keyId()));

    keys.resolve(request("Encrypt", BOB, null), key.keyId());
    assertTrue(authorizer.isCached(key.keyId()));

    stored.store.updateKey(
        services.row(key.keyId()).withPolicy(policy(allow("AliceUses", ALICE, "kms:Encrypt"))));

    assertEquals(
        denied(BOB, "kms:Encrypt", key.arn(), noResourcePolicy("kms:Encrypt")),
        refusal(() -> keys.resolve(request("Encrypt", BOB, null), key.keyId())));
    assertEquals(key.keyId(), keys.resolve(request("Encrypt", ALICE, null), key.keyId()).keyId());
  }
}
