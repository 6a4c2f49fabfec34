package org.hsmkms.authz;

import static org.hsmkms.authz.AwsPolicyExamples.ADMIN;
import static org.hsmkms.authz.AwsPolicyExamples.ALIAS_ABAC;
import static org.hsmkms.authz.AwsPolicyExamples.ALICE;
import static org.hsmkms.authz.AwsPolicyExamples.BOB;
import static org.hsmkms.authz.AwsPolicyExamples.BOB_USES_SHARED_KEY;
import static org.hsmkms.authz.AwsPolicyExamples.CAROL;
import static org.hsmkms.authz.AwsPolicyExamples.CONSOLE;
import static org.hsmkms.authz.AwsPolicyExamples.CROSS_ACCOUNT;
import static org.hsmkms.authz.AwsPolicyExamples.DEFAULT;
import static org.hsmkms.authz.AwsPolicyExamples.DENY_DECRYPT;
import static org.hsmkms.authz.AwsPolicyExamples.ENCRYPT_ONLY_THIS_KEY;
import static org.hsmkms.authz.AwsPolicyExamples.KEY;
import static org.hsmkms.authz.AwsPolicyExamples.KEY_ADMIN;
import static org.hsmkms.authz.AwsPolicyExamples.KEY_USER;
import static org.hsmkms.authz.AwsPolicyExamples.NO_ROOT;
import static org.hsmkms.authz.AwsPolicyExamples.OTHER_KEY;
import static org.hsmkms.authz.AwsPolicyExamples.TAG_ABAC;
import static org.hsmkms.authz.AwsPolicyExamples.WITH_DENY;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The combination of key policy, identity policy and grants, with cases from AWS's key policy
 * documentation: the default key policy, key administrators and key users, encryption-context
 * conditions, ABAC by tag and by alias, explicit denies and cross-account use.
 */
class AuthorizerTest {
  private static AuthzRequest request(String principal, String action, String... keysAndValues) {
    return requestOn(KEY, principal, action, keysAndValues);
  }

  private static AuthzRequest requestOn(
      String resource, String principal, String action, String... keysAndValues) {
    String account = principal.split(":")[4];
    Map<String, List<String>> keys = new HashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      keys.computeIfAbsent(keysAndValues[i], k -> new ArrayList<>()).add(keysAndValues[i + 1]);
    }
    return new AuthzRequest(principal, account, action, resource, keys);
  }

  private static Arguments allowed(
      String name,
      PolicyDocument keyPolicy,
      PolicyDocument identityPolicy,
      AuthzRequest request,
      AuthorizationResult.Source source,
      String decidedBy) {
    return Arguments.of(
        name, keyPolicy, identityPolicy, request, new AuthorizationResult(true, source, decidedBy));
  }

  private static Arguments denied(
      String name,
      PolicyDocument keyPolicy,
      PolicyDocument identityPolicy,
      AuthzRequest request,
      AuthorizationResult.Source source,
      String decidedBy) {
    return Arguments.of(
        name,
        keyPolicy,
        identityPolicy,
        request,
        new AuthorizationResult(false, source, decidedBy));
  }

  private static Arguments implicitDeny(
      String name, PolicyDocument keyPolicy, PolicyDocument identityPolicy, AuthzRequest request) {
    return Arguments.of(
        name, keyPolicy, identityPolicy, request, AuthorizationResult.IMPLICIT_DENY);
  }

  static Stream<Arguments> keyActions() {
    var kp = AuthorizationResult.Source.KEY_POLICY;
    var ip = AuthorizationResult.Source.IDENTITY_POLICY;
    return Stream.of(
        // The default key policy: the account's identity policies decide.
        allowed(
            "default policy, admin identity policy",
            DEFAULT,
            ADMIN,
            request(ALICE, "kms:Decrypt"),
            ip,
            "Admin"),
        implicitDeny(
            "default policy, no identity policy", DEFAULT, null, request(ALICE, "kms:Decrypt")),
        allowed(
            "default policy, identity policy for Encrypt on this key",
            DEFAULT,
            ENCRYPT_ONLY_THIS_KEY,
            request(ALICE, "kms:Encrypt"),
            ip,
            "EncryptThisKey"),
        implicitDeny(
            "default policy, identity policy for Encrypt, asks Decrypt",
            DEFAULT,
            ENCRYPT_ONLY_THIS_KEY,
            request(ALICE, "kms:Decrypt")),
        implicitDeny(
            "default policy, identity policy names another key",
            DEFAULT,
            ENCRYPT_ONLY_THIS_KEY,
            requestOn(OTHER_KEY, ALICE, "kms:Encrypt")),
        allowed(
            "the account root itself, default policy",
            DEFAULT,
            null,
            request("arn:aws:iam::111122223333:root", "kms:PutKeyPolicy"),
            kp,
            "Enable IAM User Permissions"),
        // Key administrators who cannot use the key; key users who cannot manage it.
        allowed(
            "key administrator schedules deletion",
            CONSOLE,
            null,
            request(KEY_ADMIN, "kms:ScheduleKeyDeletion"),
            kp,
            "Allow access for Key Administrators"),
        allowed(
            "key administrator puts the policy (kms:Put*)",
            CONSOLE,
            null,
            request(KEY_ADMIN, "kms:PutKeyPolicy"),
            kp,
            "Allow access for Key Administrators"),
        implicitDeny(
            "key administrator decrypts", CONSOLE, null, request(KEY_ADMIN, "kms:Decrypt")),
        allowed(
            "key user decrypts",
            CONSOLE,
            null,
            request(KEY_USER, "kms:Decrypt"),
            kp,
            "Allow use of the key"),
        allowed(
            "key user generates a data key pair (kms:GenerateDataKey*)",
            CONSOLE,
            null,
            request(KEY_USER, "kms:GenerateDataKeyPairWithoutPlaintext"),
            kp,
            "Allow use of the key"),
        implicitDeny(
            "key user schedules deletion",
            CONSOLE,
            null,
            request(KEY_USER, "kms:ScheduleKeyDeletion")),
        allowed(
            "key user creates a grant for an AWS resource",
            CONSOLE,
            null,
            request(KEY_USER, "kms:CreateGrant", "kms:GrantIsForAWSResource", "true"),
            kp,
            "Allow attachment of persistent resources"),
        implicitDeny(
            "key user creates a grant for itself",
            CONSOLE,
            null,
            request(KEY_USER, "kms:CreateGrant")),
        implicitDeny(
            "without the root statement an admin identity policy gives nothing",
            NO_ROOT,
            ADMIN,
            request(ALICE, "kms:Decrypt", "kms:EncryptionContext:Department", "IT")),
        // Encryption-context conditions.
        allowed(
            "encryption context Department=IT",
            NO_ROOT,
            null,
            request(KEY_USER, "kms:Decrypt", "kms:EncryptionContext:Department", "IT"),
            kp,
            "Allow use of the key"),
        implicitDeny(
            "encryption context Department=HR",
            NO_ROOT,
            null,
            request(KEY_USER, "kms:Decrypt", "kms:EncryptionContext:Department", "HR")),
        implicitDeny(
            "encryption context key in another case",
            NO_ROOT,
            null,
            request(KEY_USER, "kms:Decrypt", "kms:EncryptionContext:department", "IT")),
        implicitDeny("no encryption context", NO_ROOT, null, request(KEY_USER, "kms:Decrypt")),
        // ABAC by tag and by alias, through the identity policy.
        allowed(
            "tag Project=Alpha",
            DEFAULT,
            TAG_ABAC,
            request(ALICE, "kms:Decrypt", "aws:ResourceTag/Project", "Alpha"),
            ip,
            "ProjectAlphaKeys"),
        implicitDeny(
            "tag Project=Beta",
            DEFAULT,
            TAG_ABAC,
            request(ALICE, "kms:Decrypt", "aws:ResourceTag/Project", "Beta")),
        implicitDeny("no tag", DEFAULT, TAG_ABAC, request(ALICE, "kms:Decrypt")),
        allowed(
            "an alias alias/finance-*",
            DEFAULT,
            ALIAS_ABAC,
            request(
                ALICE,
                "kms:Decrypt",
                "kms:ResourceAliases",
                "alias/hr",
                "kms:ResourceAliases",
                "alias/finance-payroll"),
            ip,
            "FinanceAliases"),
        implicitDeny(
            "no finance alias",
            DEFAULT,
            ALIAS_ABAC,
            request(ALICE, "kms:Decrypt", "kms:ResourceAliases", "alias/hr")),
        // An explicit Deny beats every Allow, wherever it is.
        denied(
            "key policy Deny beats the key policy's Allow of alice",
            WITH_DENY,
            ADMIN,
            request(ALICE, "kms:ScheduleKeyDeletion"),
            kp,
            "Nobody deletes"),
        allowed(
            "the Deny's condition does not hold",
            WITH_DENY,
            null,
            request(ALICE, "kms:Decrypt", "aws:SecureTransport", "true"),
            kp,
            "Allow alice"),
        denied(
            "a Deny naming the account root denies its users",
            WITH_DENY,
            null,
            request(ALICE, "kms:Decrypt", "aws:SecureTransport", "false"),
            kp,
            "TLS only"),
        denied(
            "identity policy Deny beats the key policy's Allow",
            CONSOLE,
            DENY_DECRYPT,
            request(KEY_USER, "kms:Decrypt"),
            ip,
            "NoDecrypt"),
        // Cross-account use: the key policy allows the other account, its identity policy the user.
        allowed(
            "other account's user with an identity policy",
            CROSS_ACCOUNT,
            BOB_USES_SHARED_KEY,
            request(BOB, "kms:Decrypt"),
            ip,
            "UseSharedKey"),
        implicitDeny(
            "other account's user without an identity policy",
            CROSS_ACCOUNT,
            null,
            request(BOB, "kms:Decrypt")),
        implicitDeny(
            "other account's admin asks a management action",
            CROSS_ACCOUNT,
            ADMIN,
            request(BOB, "kms:ScheduleKeyDeletion")),
        implicitDeny("a third account", CROSS_ACCOUNT, ADMIN, request(CAROL, "kms:Decrypt")),
        implicitDeny(
            "the other account with the default policy",
            DEFAULT,
            ADMIN,
            request(BOB, "kms:Decrypt")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keyActions")
  void authorizeKeyAction(
      String name,
      PolicyDocument keyPolicy,
      PolicyDocument identityPolicy,
      AuthzRequest request,
      AuthorizationResult expected) {
    assertEquals(
        expected,
        Authorizer.authorizeKeyAction(keyPolicy, identityPolicy, GrantSource.NONE, request));
  }

  private static final GrantSource DECRYPT_GRANT_FOR_ALICE =
      request ->
          request.principalArn().equals(ALICE) && request.action().equals("kms:Decrypt")
              ? Optional.of("grant-0123")
              : Optional.empty();

  @Test
  void aGrantAllows_whenNoPolicyDoes() {
    AuthorizationResult result =
        Authorizer.authorizeKeyAction(
            CONSOLE, null, DECRYPT_GRANT_FOR_ALICE, request(ALICE, "kms:Decrypt"));
    assertEquals(
        new AuthorizationResult(true, AuthorizationResult.Source.GRANT, "grant-0123"), result);
    assertEquals("allowed by grant grant-0123", result.describe());
  }

  @Test
  void aGrantAllowsOnlyWhatItCovers() {
    assertEquals(
        AuthorizationResult.IMPLICIT_DENY,
        Authorizer.authorizeKeyAction(
            CONSOLE, null, DECRYPT_GRANT_FOR_ALICE, request(ALICE, "kms:Encrypt")));
  }

  @Test
  void anExplicitDenyBeatsAGrant() {
    AuthorizationResult result =
        Authorizer.authorizeKeyAction(
            CONSOLE, DENY_DECRYPT, DECRYPT_GRANT_FOR_ALICE, request(ALICE, "kms:Decrypt"));
    assertEquals(
        new AuthorizationResult(false, AuthorizationResult.Source.IDENTITY_POLICY, "NoDecrypt"),
        result);
    assertEquals(true, result.isExplicitDeny());
    assertEquals("explicitly denied by identity policy statement \"NoDecrypt\"", result.describe());
  }

  @Test
  void theKeyPolicyIsConsultedBeforeTheGrants() {
    GrantSource unexpected =
        request -> {
          throw new AssertionError("grants consulted though the key policy allows");
        };
    assertEquals(
        true,
        Authorizer.authorizeKeyAction(CONSOLE, null, unexpected, request(KEY_USER, "kms:Decrypt"))
            .allowed());
  }

  @Test
  void accountLevelActions_areDecidedByTheIdentityPolicyAlone() {
    AuthzRequest createKey = requestOn(AuthzRequest.ACCOUNT_LEVEL, ALICE, "kms:CreateKey");
    assertEquals(true, createKey.isAccountLevel());
    assertEquals(
        new AuthorizationResult(true, AuthorizationResult.Source.IDENTITY_POLICY, "Admin"),
        Authorizer.authorizeAccountAction(ADMIN, createKey));
    assertEquals(
        AuthorizationResult.IMPLICIT_DENY, Authorizer.authorizeAccountAction(null, createKey));
    // A policy on one key's ARN does not reach an account-level action.
    assertEquals(
        AuthorizationResult.IMPLICIT_DENY,
        Authorizer.authorizeAccountAction(
            ENCRYPT_ONLY_THIS_KEY,
            requestOn(AuthzRequest.ACCOUNT_LEVEL, ALICE, "kms:GenerateRandom")));
    assertEquals(
        new AuthorizationResult(false, AuthorizationResult.Source.IDENTITY_POLICY, "NoDecrypt"),
        Authorizer.authorizeAccountAction(
            DENY_DECRYPT, requestOn(AuthzRequest.ACCOUNT_LEVEL, ALICE, "kms:Decrypt")));
  }

  @Test
  void implicitDeny_describesItself() {
    assertEquals(false, AuthorizationResult.IMPLICIT_DENY.isExplicitDeny());
    assertEquals("denied: implicit deny", AuthorizationResult.IMPLICIT_DENY.describe());
    assertEquals(
        "allowed by key policy statement \"Allow use of the key\"",
        Authorizer.authorizeKeyAction(
                CONSOLE, null, GrantSource.NONE, request(KEY_USER, "kms:Decrypt"))
            .describe());
  }
}
