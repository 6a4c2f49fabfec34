package org.hsmkms.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hsmkms.authz.AuthorizationResult;
import org.hsmkms.authz.AuthorizationResult.Source;
import org.hsmkms.authz.Authorizer;
import org.hsmkms.authz.AuthzRequest;
import org.hsmkms.authz.GrantSource;
import org.hsmkms.authz.LockoutCheck;
import org.hsmkms.authz.PolicyDocument;
import org.hsmkms.authz.PolicyKind;
import org.hsmkms.bench.Operations.Material;
import org.hsmkms.bench.Operations.Workload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The policies of {@code --policies} are ones the service accepts, and say what the mode means: the
 * bench principal may use the key with the bench's encryption context and nothing else; the
 * administrator who sets the run up may manage the key but not use it. Decided by the service's own
 * policy evaluator, so that a wrong policy fails here before it fails a run.
 */
class BenchPolicyTest {
  private static final String ACCOUNT = "111122223333";
  private static final String ADMIN = "arn:aws:iam::111122223333:user/hsm-kms-dev";
  private static final String BENCH = BenchPolicy.principal(ACCOUNT);
  private static final String KEY =
      "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  private static final String POLICY = BenchPolicy.keyPolicy(ACCOUNT, ADMIN, BENCH);
  private static final PolicyDocument KEY_POLICY =
      PolicyDocument.parse(POLICY, PolicyKind.KEY_POLICY);
  private static final PolicyDocument IDENTITY_POLICY =
      PolicyDocument.parse(BenchPolicy.IDENTITY_POLICY, PolicyKind.IDENTITY_POLICY);

  @Test
  void keyPolicy_parsesAsAKeyPolicy_andNamesTheBenchPrincipalAsItsKeyUser() throws IOException {
    PolicyDocument parsed = PolicyDocument.parse(POLICY, PolicyKind.KEY_POLICY);

    assertEquals(BenchPolicy.STATEMENTS, parsed.statementCount());
    assertEquals("arn:aws:iam::111122223333:user/bench-app", BENCH);
    Map<String, String> principalBySid = new HashMap<>();
    for (JsonNode s : new ObjectMapper().readTree(POLICY).get("Statement")) {
      JsonNode p = s.get("Principal");
      principalBySid.put(s.get("Sid").asText(), p.isTextual() ? p.asText() : p.get("AWS").asText());
    }
    assertEquals(BENCH, principalBySid.get("Allow use of the key"));
    assertEquals(BENCH, principalBySid.get("Allow key users to describe the key"));
    assertEquals(BENCH, principalBySid.get("Allow attachment of persistent resources"));
    assertEquals(ADMIN, principalBySid.get("Allow access for Key Administrators"));
    assertEquals(
        "arn:aws:iam::111122223333:root", principalBySid.get("Enable IAM User Permissions"));
  }

  @Test
  void keyPolicy_passesTheLockoutSafetyCheckForTheAdministratorWhoCreatesTheKey() {
    assertFalse(LockoutCheck.wouldLockOut(KEY_POLICY, ADMIN, ACCOUNT));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:GenerateDataKeyPair"
      })
  void benchRequests_withTheContextOnTheTaggedKey_areAllowedByTheKeyUserStatement(String action) {
    AuthorizationResult r = decide(BENCH, action, BenchPolicy.ENCRYPTION_CONTEXT, true);

    assertTrue(r.allowed(), r.describe());
    assertEquals(Source.KEY_POLICY, r.source());
    assertEquals("Allow use of the key", r.decidedBy());
  }

  @Test
  void aWrongOrMissingEncryptionContext_isRefused() {
    assertEquals(
        AuthorizationResult.IMPLICIT_DENY,
        decide(BENCH, "kms:Decrypt", Map.of(BenchPolicy.CONTEXT_KEY, "another-app"), true));
    assertEquals(AuthorizationResult.IMPLICIT_DENY, decide(BENCH, "kms:Decrypt", Map.of(), true));
  }

  @Test
  void aKeyWithoutTheTag_isRefused() {
    assertEquals(
        AuthorizationResult.IMPLICIT_DENY,
        decide(BENCH, "kms:GenerateDataKey", BenchPolicy.ENCRYPTION_CONTEXT, false));
  }

  @Test
  void decryptUnderTheForbiddenContextKey_isExplicitlyDenied_evenForTheAdministrator() {
    Map<String, String> context = new HashMap<>(BenchPolicy.ENCRYPTION_CONTEXT);
    context.put(BenchPolicy.FORBIDDEN_CONTEXT_KEY, "x");

    AuthorizationResult r = decide(BENCH, "kms:Decrypt", context, true);

    assertTrue(r.isExplicitDeny(), r.describe());
    assertEquals("Deny decryption under a forbidden context key", r.decidedBy());
    assertTrue(decide(ADMIN, "kms:Decrypt", context, true).isExplicitDeny());
  }

  @Test
  void theBenchPrincipal_cannotManageTheKey() {
    for (String action :
        List.of(
            "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:TagResource")) {
      assertFalse(decide(BENCH, action, Map.of(), true).allowed(), action);
    }
    assertTrue(decide(BENCH, "kms:DescribeKey", Map.of(), true).allowed());
  }

  @Test
  void theAdministrator_managesTheKey_butCannotUseItOnItsPolicyAlone() {
    AuthorizationResult schedule = decideWithoutIdentityPolicy(ADMIN, "kms:ScheduleKeyDeletion");
    assertTrue(schedule.allowed(), schedule.describe());
    assertEquals("Allow access for Key Administrators", schedule.decidedBy());
    assertFalse(decideWithoutIdentityPolicy(ADMIN, "kms:Decrypt").allowed());
  }

  @Test
  void grantsForAwsResourcesOnly() {
    AzRequestBuilder grant = new AzRequestBuilder(BENCH, "kms:CreateGrant").tagged();
    assertFalse(authorize(grant.build(), IDENTITY_POLICY).allowed());
    AuthorizationResult forAws =
        authorize(grant.with("kms:GrantIsForAWSResource", "true").build(), IDENTITY_POLICY);
    assertTrue(forAws.allowed(), forAws.describe());
  }

  @Test
  void identityPolicy_parses_andAllowsGenerateRandomOnly() {
    AzRequestBuilder random =
        new AzRequestBuilder(BENCH, "kms:GenerateRandom").resource(AuthzRequest.ACCOUNT_LEVEL);
    assertTrue(Authorizer.authorizeAccountAction(IDENTITY_POLICY, random.build()).allowed());
    AzRequestBuilder create =
        new AzRequestBuilder(BENCH, "kms:CreateKey").resource(AuthzRequest.ACCOUNT_LEVEL);
    assertFalse(Authorizer.authorizeAccountAction(IDENTITY_POLICY, create.build()).allowed());
  }

  @Test
  void everyRequestThatNamesTheKey_carriesTheContextThePolicyAsks() throws IOException {
    Material m = new Material("key-1", "AAAA", new byte[16], BenchPolicy.ENCRYPTION_CONTEXT);
    ObjectMapper json = new ObjectMapper();
    for (String name : Operations.names()) {
      Workload w = Operations.workload(name, m);
      JsonNode body = json.readTree(w.body());
      if (name.equals(Operations.GENERATE_RANDOM)) {
        assertFalse(body.has("EncryptionContext"), name);
      } else {
        assertEquals(
            BenchPolicy.CONTEXT_VALUE,
            body.path("EncryptionContext").path(BenchPolicy.CONTEXT_KEY).asText(),
            name);
      }
    }
    JsonNode create = json.readTree(BenchPolicy.createKeyRequest(POLICY));
    assertEquals(POLICY, create.get("Policy").asText());
    assertEquals(BenchPolicy.TAG_KEY, create.get("Tags").get(0).get("TagKey").asText());
    assertEquals(BenchPolicy.TAG_VALUE, create.get("Tags").get(0).get("TagValue").asText());
  }

  /** A request on the bench key by {@code principal}, with the bench's identity policy. */
  private static AuthorizationResult decide(
      String principal, String action, Map<String, String> context, boolean tagged) {
    AzRequestBuilder b = new AzRequestBuilder(principal, action).context(context);
    if (tagged) {
      b.tagged();
    }
    return authorize(b.build(), principal.equals(BENCH) ? IDENTITY_POLICY : null);
  }

  private static AuthorizationResult decideWithoutIdentityPolicy(String principal, String action) {
    return authorize(new AzRequestBuilder(principal, action).tagged().build(), null);
  }

  private static AuthorizationResult authorize(AuthzRequest r, PolicyDocument identity) {
    return Authorizer.authorizeKeyAction(KEY_POLICY, identity, GrantSource.NONE, r);
  }

  /** The condition keys AWS KMS gives a request, as far as the bench's policy reads them. */
  private static final class AzRequestBuilder {
    private final String principal;
    private final String action;
    private String resource = KEY;
    private final Map<String, List<String>> keys = new HashMap<>();

    AzRequestBuilder(String principal, String action) {
      this.principal = principal;
      this.action = action;
      keys.put("aws:PrincipalArn", List.of(principal));
      keys.put("aws:PrincipalAccount", List.of(ACCOUNT));
      keys.put("kms:CallerAccount", List.of(ACCOUNT));
    }

    AzRequestBuilder context(Map<String, String> context) {
      if (!context.isEmpty()) {
        context.forEach((k, v) -> keys.put("kms:EncryptionContext:" + k, List.of(v)));
        keys.put("kms:EncryptionContextKeys", new ArrayList<>(context.keySet()));
      }
      return this;
    }

    AzRequestBuilder tagged() {
      keys.put("aws:ResourceTag/" + BenchPolicy.TAG_KEY, List.of(BenchPolicy.TAG_VALUE));
      return this;
    }

    AzRequestBuilder with(String key, String value) {
      keys.put(key, List.of(value));
      return this;
    }

    AzRequestBuilder resource(String resource) {
      this.resource = resource;
      return this;
    }

    AuthzRequest build() {
      return new AuthzRequest(principal, ACCOUNT, action, resource, keys);
    }
  }
}
