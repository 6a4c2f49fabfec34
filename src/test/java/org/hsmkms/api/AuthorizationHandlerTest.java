package org.hsmkms.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.hsmkms.audit.AuditRecord;
import org.hsmkms.auth.Caller;
import org.hsmkms.auth.IdentityPolicies;
import org.hsmkms.authz.KmsActions.Resource;
import org.hsmkms.authz.PolicyDocument;
import org.hsmkms.authz.PolicyKind;
import org.hsmkms.kms.Authorization;
import org.hsmkms.kms.RequestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The authorization link on a real server: it refuses an account-level action the caller's identity
 * policy does not allow (AccessDeniedException in AWS's words, the decision in the audit record),
 * lets the account's root principal act as an administrator, asks kms:TagResource of a CreateKey
 * with Tags, refuses an operation missing from the table, and hands key-level decisions on to the
 * operation undecided, with the request's condition keys (source address, time, transport) in
 * effect.
 */
class AuthorizationHandlerTest {
  private static final String ACCOUNT = "111122223333";
  private static final String REGION = "us-east-1";
  private static final String ALICE = "arn:aws:iam::111122223333:user/alice";
  private static final String ROOT = "arn:aws:iam::111122223333:root";
  private static final Clock JUNE_2025 =
      Clock.fixed(Instant.parse("2025-06-07T08:09:10Z"), ZoneOffset.UTC);

  /** The authorization the operation would have received; null when the link refused. */
  private final AtomicReference<Authorization> handedOn = new AtomicReference<>();

  /**
   * A server whose chain gives the authorization link what authentication and parsing would: the
   * operation, the caller {@code principal}, its request context and the request {@code body}.
   */
  private LinkServer server(
      String operation,
      String principal,
      String body,
      Map<String, String> identityPolicies,
      Clock clock) {
    IdentityPolicies identities =
        p ->
            Optional.ofNullable(identityPolicies.get(p))
                .map(json -> PolicyDocument.parse(json, PolicyKind.IDENTITY_POLICY));
    return new LinkServer()
        .start(
            r ->
                r.post("/")
                    .handler(
                        ctx -> {
                          Exchange ex = Exchange.of(ctx);
                          ex.operation = operation;
                          ex.caller = new Caller(ACCOUNT, REGION, principal, "AKIDEXAMPLE");
                          ex.rc = new RequestContext(ACCOUNT, REGION, principal, ex.requestId);
                          ex.request = parse(body);
                          ctx.next();
                        })
                    .handler(new AuthorizationHandler(identities, clock))
                    .handler(
                        ctx -> {
                          handedOn.set(Exchange.of(ctx).rc.authorization());
                          LinkServer.ok(ctx);
                        }));
  }

  private LinkServer server(String operation, String body, String aliceIdentityPolicy) {
    return server(
        operation,
        ALICE,
        body,
        aliceIdentityPolicy == null ? Map.of() : Map.of(ALICE, aliceIdentityPolicy),
        JUNE_2025);
  }

  private static com.fasterxml.jackson.databind.JsonNode parse(String json) {
    try {
      return Json.MAPPER.readTree(json.replace('\'', '"'));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  /** An identity policy of one statement allowing {@code actions} on "*", with a condition. */
  private static String identity(String condition, String... actions) {
    return "{'Version':'2012-10-17','Statement':[{'Sid':'Allowed','Effect':'Allow','Action':['"
            .replace('\'', '"')
        + String.join("\",\"", actions)
        + "\"],\"Resource\":\"*\""
        + (condition == null ? "" : ",\"Condition\":" + condition.replace('\'', '"'))
        + "}]}";
  }

  private static String notAuthorized(String principal, String action, String resource) {
    return "User: "
        + principal
        + " is not authorized to perform: "
        + action
        + " on resource: "
        + resource
        + " because no identity-based policy allows the "
        + action
        + " action";
  }

  /** The refusal's message, after checking it is AccessDeniedException and the link stopped. */
  private String refused(HttpResponse<String> r) {
    var json = LinkServer.assertAwsError(r, 400, "AccessDeniedException");
    assertNull(handedOn.get(), "the operation must not receive a refused request");
    return json.get("message").asText();
  }

  // --- Account-level refusals ----------------------------------------------------------------

  @Test
  void accountLevelActionWithoutAnIdentityPolicy_isAccessDenied_andTheDecisionIsRecorded() {
    try (LinkServer s = server("CreateKey", "{}", null)) {
      HttpResponse<String> r = s.post("TrentService.CreateKey", "{}");

      assertEquals(notAuthorized(ALICE, "kms:CreateKey", "*"), refused(r));
      s.drainAuditPool();
      AuditRecord record = s.trail.only().record();
      assertEquals("AccessDeniedException", record.errorCode());
      assertEquals(List.of("kms:CreateKey on *: denied: implicit deny"), record.authorization());
    }
  }

  @Test
  void explicitDenyInTheIdentityPolicy_isAccessDenied_sayingSo() {
    String policy =
        "{'Version':'2012-10-17','Statement':["
            + "{'Sid':'Admin','Effect':'Allow','Action':'kms:*','Resource':'*'},"
            + "{'Sid':'NoListing','Effect':'Deny','Action':'kms:List*','Resource':'*'}]}";
    try (LinkServer s = server("ListKeys", "{}", policy.replace('\'', '"'))) {
      HttpResponse<String> r = s.post("TrentService.ListKeys", "{}");

      assertEquals(
          "User: "
              + ALICE
              + " is not authorized to perform: kms:ListKeys on resource: *"
              + " with an explicit deny in an identity-based policy",
          refused(r));
      s.drainAuditPool();
      assertEquals(
          List.of(
              "kms:ListKeys on *: explicitly denied by identity policy statement \"NoListing\""),
          s.trail.only().record().authorization());
    }
  }

  @Test
  void accountLevelActionAllowed_isHandedOn_decided() {
    try (LinkServer s = server("ListKeys", "{}", identity(null, "kms:ListKeys"))) {
      assertEquals(200, s.post("TrentService.ListKeys", "{}").statusCode());

      Authorization auth = handedOn.get();
      assertEquals(Set.of(), auth.unchecked());
      assertEquals(
          List.of("kms:ListKeys on *: allowed by identity policy statement \"Allowed\""),
          auth.decisions());
    }
  }

  @Test
  void aliasOfCreateAlias_isDecidedByTheIdentityPolicy_onTheAliasArn() {
    String keysOnly =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Action\":\"kms:CreateAlias\","
            + "\"Resource\":\"arn:aws:kms:us-east-1:111122223333:key/*\"}]}";
    String body = "{'AliasName':'alias/app','TargetKeyId':'1234abcd-12ab-34cd-56ef-1234567890ab'}";
    try (LinkServer s = server("CreateAlias", body, keysOnly)) {
      HttpResponse<String> r = s.post("TrentService.CreateAlias", "{}");

      assertEquals(
          notAuthorized(ALICE, "kms:CreateAlias", "arn:aws:kms:us-east-1:111122223333:alias/app"),
          refused(r));
    }
  }

  @Test
  void aliasOfCreateAlias_allowed_leavesOnlyTheTargetKeyUndecided() {
    try (LinkServer s =
        server(
            "CreateAlias",
            "{'AliasName':'alias/app','TargetKeyId':'1234abcd-12ab-34cd-56ef-1234567890ab'}",
            identity(null, "kms:CreateAlias"))) {
      assertEquals(200, s.post("TrentService.CreateAlias", "{}").statusCode());

      assertEquals(Set.of(Resource.TARGET_KEY), handedOn.get().unchecked());
    }
  }

  @Test
  void operationMissingFromTheTable_isAccessDenied_neverRun() {
    try (LinkServer s = server("NotAnOperation", "{}", identity(null, "kms:*"))) {
      HttpResponse<String> r = s.post("TrentService.NotAnOperation", "{}");

      assertEquals(
          "User: " + ALICE + " is not authorized to perform: kms:NotAnOperation on resource: *",
          refused(r));
    }
  }

  // --- The root principal --------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"CreateKey", "ListKeys", "ListAliases", "GenerateRandom"})
  void rootPrincipal_isAllowedAccountLevelActions_withoutAnIdentityPolicy(String operation) {
    try (LinkServer s = server(operation, ROOT, "{}", Map.of(), JUNE_2025)) {
      assertEquals(200, s.post("TrentService." + operation, "{}").statusCode());

      assertEquals(Set.of(), handedOn.get().unchecked());
    }
  }

  @Test
  void userWithoutAnIdentityPolicy_isNotTheRoot_evenWithARootLikeName() {
    String almostRoot = "arn:aws:iam::111122223333:user/root";
    try (LinkServer s = server("ListKeys", almostRoot, "{}", Map.of(), JUNE_2025)) {
      HttpResponse<String> r = s.post("TrentService.ListKeys", "{}");

      assertEquals(notAuthorized(almostRoot, "kms:ListKeys", "*"), refused(r));
    }
  }

  // --- CreateKey with Tags -------------------------------------------------------------------

  private static final String CREATE_WITH_TAGS =
      "{'Tags':[{'TagKey':'Project','TagValue':'Alpha'}]}";

  @Test
  void createKeyWithTags_needsTagResource_too() {
    try (LinkServer s = server("CreateKey", CREATE_WITH_TAGS, identity(null, "kms:CreateKey"))) {
      HttpResponse<String> r = s.post("TrentService.CreateKey", "{}");

      assertEquals(notAuthorized(ALICE, "kms:TagResource", "*"), refused(r));
    }
  }

  @Test
  void createKeyWithTags_isAllowed_withCreateKeyAndTagResource() {
    try (LinkServer s =
        server("CreateKey", CREATE_WITH_TAGS, identity(null, "kms:CreateKey", "kms:TagResource"))) {
      assertEquals(200, s.post("TrentService.CreateKey", "{}").statusCode());

      assertEquals(
          List.of(
              "kms:CreateKey on *: allowed by identity policy statement \"Allowed\"",
              "kms:TagResource on *: allowed by identity policy statement \"Allowed\""),
          handedOn.get().decisions());
    }
  }

  @Test
  void createKeyWithoutTags_needsOnlyCreateKey() {
    try (LinkServer s = server("CreateKey", "{}", identity(null, "kms:CreateKey"))) {
      assertEquals(200, s.post("TrentService.CreateKey", "{}").statusCode());
    }
  }

  @Test
  void requestTagCondition_onCreateKey_seesTheRequestsTags() {
    String projectAlphaOnly =
        identity("{'StringEquals':{'aws:RequestTag/Project':'Alpha'}}", "kms:TagResource")
            .replace(
                "\"Statement\":[",
                "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kms:CreateKey\","
                    + "\"Resource\":\"*\"},");
    try (LinkServer s = server("CreateKey", CREATE_WITH_TAGS, projectAlphaOnly)) {
      assertEquals(200, s.post("TrentService.CreateKey", "{}").statusCode());
    }
    handedOn.set(null);
    try (LinkServer s =
        server(
            "CreateKey", "{'Tags':[{'TagKey':'Project','TagValue':'Beta'}]}", projectAlphaOnly)) {
      assertEquals(
          notAuthorized(ALICE, "kms:TagResource", "*"),
          refused(s.post("TrentService.CreateKey", "{}")));
    }
  }

  // --- Key-level operations and the request's condition keys ----------------------------------

  @ParameterizedTest
  @CsvSource({"Encrypt, KEY", "DisableKey, KEY"})
  void keyLevelOperation_isHandedOn_withTheKeyUndecided(String operation, Resource role) {
    // Not even the caller's identity policy decides a key: that is the key policy's part.
    try (LinkServer s =
        server(operation, "{'KeyId':'alias/app','Plaintext':'AA=='}", identity(null, "kms:*"))) {
      assertEquals(200, s.post("TrentService." + operation, "{}").statusCode());

      assertEquals(Set.of(role), handedOn.get().unchecked());
      assertEquals(List.of(), handedOn.get().decisions());
    }
  }

  @ParameterizedTest(name = "aws:SourceIp in {0}: allowed {1}")
  @CsvSource({"127.0.0.1/32, true", "10.0.0.0/8, false"})
  void sourceIpCondition_seesTheConnectionsAddress(String range, boolean allowed) {
    String policy = identity("{'IpAddress':{'aws:SourceIp':'" + range + "'}}", "kms:ListKeys");
    try (LinkServer s = server("ListKeys", "{}", policy)) {
      HttpResponse<String> r = s.post("TrentService.ListKeys", "{}");

      if (allowed) {
        assertEquals(200, r.statusCode(), r.body());
      } else {
        assertEquals(notAuthorized(ALICE, "kms:ListKeys", "*"), refused(r));
      }
    }
  }

  @Test
  void secureTransportCondition_seesAPlainHttpConnection() {
    String tlsOnly = identity("{'Bool':{'aws:SecureTransport':'true'}}", "kms:ListKeys");
    try (LinkServer s = server("ListKeys", "{}", tlsOnly)) {
      assertEquals(
          notAuthorized(ALICE, "kms:ListKeys", "*"),
          refused(s.post("TrentService.ListKeys", "{}")));
    }
  }

  @ParameterizedTest(name = "now {0}: allowed {1}")
  @CsvSource({"2025-06-07T08:09:10Z, true", "2031-01-01T00:00:00Z, false"})
  void currentTimeCondition_seesTheClock(String now, boolean allowed) {
    String until2030 =
        identity("{'DateLessThan':{'aws:CurrentTime':'2030-01-01T00:00:00Z'}}", "kms:ListKeys");
    Clock clock = Clock.fixed(Instant.parse(now), ZoneOffset.UTC);
    try (LinkServer s = server("ListKeys", ALICE, "{}", Map.of(ALICE, until2030), clock)) {
      HttpResponse<String> r = s.post("TrentService.ListKeys", "{}");

      if (allowed) {
        assertEquals(200, r.statusCode(), r.body());
      } else {
        assertFalse(refused(r).isEmpty());
      }
    }
  }
}
