package org.hsmkms.it;

import static org.hsmkms.testing.AccessDenied.accountLevel;
import static org.hsmkms.testing.AccessDenied.assertDenied;
import static org.hsmkms.testing.AccessDenied.assertDeniedAction;
import static org.hsmkms.testing.AccessDenied.noIdentityPolicyAllows;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Method;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.hsmkms.api.KmsApi;
import org.hsmkms.kms.KeyPairServices;
import org.hsmkms.testing.Policies;
import org.hsmkms.testing.TestPrincipals;
import org.hsmkms.testing.TestPrincipals.Principal;
import org.hsmkms.testing.TestServer;
import org.hsmkms.testing.TestServer.RawResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;

/**
 * No operation left unchecked (issue 13, item 4): for every operation this service has a handler
 * for, a principal with no identity policy, not named by any key policy, is refused with
 * AccessDeniedException, sent a valid minimal request on keys the account administrator made. The
 * table below holds one such request per operation; an operation with a handler and no row fails
 * {@link #everyHandledOperation_hasARowInThisTable()}.
 */
class EveryOperationAuthorizedIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static TestServer server;
  private static Principal stranger;

  /**
   * What the requests name: keys of the administrator's, one of each kind, and what goes with them.
   */
  record Fixture(
      String symmetric,
      String symmetricArn,
      String otherSymmetric,
      String ciphertext,
      String alias,
      String pending,
      String pendingArn,
      String signing,
      String signingArn,
      String agreement,
      String agreementArn,
      String agreementPublicKey,
      String hmac,
      String hmacArn) {}

  /** How an operation is authorized, and so which refusal the stranger gets. */
  enum Resource {
    /** On {@code *}: only an identity policy allows it. */
    ACCOUNT,
    /** On the key the request names, whose key policy does not name the stranger. */
    KEY,
    /** On more than one resource (an alias and its key): the refusal names the action. */
    SEVERAL
  }

  /** A valid minimal request of an operation, and the action and resource it is refused on. */
  record Probe(
      String operation,
      String action,
      Resource resource,
      Function<Fixture, String> keyArn,
      Function<Fixture, String> body) {}

  private static final Map<String, Probe> TABLE = new TreeMap<>();

  private static void account(String op, Function<Fixture, String> body) {
    TABLE.put(op, new Probe(op, "kms:" + op, Resource.ACCOUNT, x -> "*", body));
  }

  private static void key(
      String op, String action, Function<Fixture, String> arn, Function<Fixture, String> body) {
    TABLE.put(op, new Probe(op, action, Resource.KEY, arn, body));
  }

  private static void key(String op, Function<Fixture, String> body) {
    key(op, "kms:" + op, Fixture::symmetricArn, body);
  }

  private static void several(String op, Function<Fixture, String> body) {
    TABLE.put(op, new Probe(op, "kms:" + op, Resource.SEVERAL, x -> null, body));
  }

  static {
    String b64 = Base64.getEncoder().encodeToString("message".getBytes());
    String b64sig = Base64.getEncoder().encodeToString(new byte[64]);
    String b64mac = Base64.getEncoder().encodeToString(new byte[32]);
    account("CreateKey", x -> "{}");
    account("ListKeys", x -> "{}");
    account("ListAliases", x -> "{}");
    account("GenerateRandom", x -> json("NumberOfBytes", 16));
    account("ListRetirableGrants", x -> json("RetiringPrincipal", stranger.arn()));
    key("DescribeKey", x -> json("KeyId", x.symmetric()));
    key("EnableKey", x -> json("KeyId", x.symmetric()));
    key("DisableKey", x -> json("KeyId", x.symmetric()));
    key("ScheduleKeyDeletion", x -> json("KeyId", x.symmetric(), "PendingWindowInDays", 7));
    key(
        "CancelKeyDeletion",
        "kms:CancelKeyDeletion",
        Fixture::pendingArn,
        x -> json("KeyId", x.pending()));
    key("UpdateKeyDescription", x -> json("KeyId", x.symmetric(), "Description", "mine"));
    key(
        "TagResource",
        x -> json("KeyId", x.symmetric(), "Tags", List.of(Map.of("TagKey", "k", "TagValue", "v"))));
    key("UntagResource", x -> json("KeyId", x.symmetric(), "TagKeys", List.of("k")));
    key("ListResourceTags", x -> json("KeyId", x.symmetric()));
    key("GetKeyPolicy", x -> json("KeyId", x.symmetric()));
    key("ListKeyPolicies", x -> json("KeyId", x.symmetric()));
    key(
        "PutKeyPolicy",
        x ->
            json(
                "KeyId",
                x.symmetric(),
                "Policy",
                Policies.document(
                    Policies.allow("Mine").principals(stranger.arn()).actions("kms:*")),
                "BypassPolicyLockoutSafetyCheck",
                true));
    key("Encrypt", x -> json("KeyId", x.symmetric(), "Plaintext", b64));
    // With KeyId: without it, AWS's message names no key ("the resource associated with this
    // ciphertext"); KeyPolicyEnforcementIT covers that form.
    key("Decrypt", x -> json("CiphertextBlob", x.ciphertext(), "KeyId", x.symmetric()));
    // The destination key is checked first (before the source's ciphertext is opened).
    key(
        "ReEncrypt",
        "kms:ReEncryptTo",
        Fixture::symmetricArn,
        x -> json("CiphertextBlob", x.ciphertext(), "DestinationKeyId", x.symmetric()));
    key("GenerateDataKey", x -> json("KeyId", x.symmetric(), "KeySpec", "AES_256"));
    key("GenerateDataKeyWithoutPlaintext", x -> json("KeyId", x.symmetric(), "KeySpec", "AES_256"));
    key("GenerateDataKeyPair", x -> json("KeyId", x.symmetric(), "KeyPairSpec", "ECC_NIST_P256"));
    key(
        "GenerateDataKeyPairWithoutPlaintext",
        x -> json("KeyId", x.symmetric(), "KeyPairSpec", "ECC_NIST_P256"));
    key("GetPublicKey", "kms:GetPublicKey", Fixture::signingArn, x -> json("KeyId", x.signing()));
    key(
        "Sign",
        "kms:Sign",
        Fixture::signingArn,
        x -> json("KeyId", x.signing(), "Message", b64, "SigningAlgorithm", "ECDSA_SHA_256"));
    key(
        "Verify",
        "kms:Verify",
        Fixture::signingArn,
        x ->
            json(
                "KeyId",
                x.signing(),
                "Message",
                b64,
                "Signature",
                b64sig,
                "SigningAlgorithm",
                "ECDSA_SHA_256"));
    key(
        "DeriveSharedSecret",
        "kms:DeriveSharedSecret",
        Fixture::agreementArn,
        x ->
            json(
                "KeyId",
                x.agreement(),
                "KeyAgreementAlgorithm",
                "ECDH",
                "PublicKey",
                x.agreementPublicKey()));
    key(
        "GenerateMac",
        "kms:GenerateMac",
        Fixture::hmacArn,
        x -> json("KeyId", x.hmac(), "Message", b64, "MacAlgorithm", "HMAC_SHA_256"));
    key(
        "VerifyMac",
        "kms:VerifyMac",
        Fixture::hmacArn,
        x ->
            json("KeyId", x.hmac(), "Message", b64, "Mac", b64mac, "MacAlgorithm", "HMAC_SHA_256"));
    // Key rotation, should it be served.
    key("EnableKeyRotation", x -> json("KeyId", x.symmetric()));
    key("DisableKeyRotation", x -> json("KeyId", x.symmetric()));
    key("GetKeyRotationStatus", x -> json("KeyId", x.symmetric()));
    key("ListKeyRotations", x -> json("KeyId", x.symmetric()));
    key("RotateKeyOnDemand", x -> json("KeyId", x.symmetric()));
    // GetKeyLastUsage (issue 14, item 5).
    key("GetKeyLastUsage", x -> json("KeyId", x.symmetric()));
    // Imported key material (issue 14): the key is authorized before its origin is looked at.
    key(
        "GetParametersForImport",
        x ->
            json(
                "KeyId",
                x.symmetric(),
                "WrappingAlgorithm",
                "RSAES_OAEP_SHA_1",
                "WrappingKeySpec",
                "RSA_2048"));
    key(
        "ImportKeyMaterial",
        x ->
            json(
                "KeyId",
                x.symmetric(),
                "ImportToken",
                b64,
                "EncryptedKeyMaterial",
                b64,
                "ExpirationModel",
                "KEY_MATERIAL_DOES_NOT_EXPIRE"));
    key("DeleteImportedKeyMaterial", x -> json("KeyId", x.symmetric()));
    // Grants (issue 13, item 5). A grant id or token that does not exist is refused before it is
    // looked up: the caller may not do the action on the key at all.
    key(
        "CreateGrant",
        x ->
            json(
                "KeyId",
                x.symmetric(),
                "GranteePrincipal",
                stranger.arn(),
                "Operations",
                List.of("Encrypt", "Decrypt")));
    key("ListGrants", x -> json("KeyId", x.symmetric()));
    key("RevokeGrant", x -> json("KeyId", x.symmetric(), "GrantId", "0".repeat(64)));
    several("RetireGrant", x -> json("KeyId", x.symmetricArn(), "GrantId", "0".repeat(64)));
    // An alias and its key(s): CreateAlias, UpdateAlias and DeleteAlias need the action on both.
    several(
        "CreateAlias",
        x -> json("AliasName", "alias/stranger-" + x.symmetric(), "TargetKeyId", x.symmetric()));
    several("UpdateAlias", x -> json("AliasName", x.alias(), "TargetKeyId", x.otherSymmetric()));
    several("DeleteAlias", x -> json("AliasName", x.alias()));
    // ReplicateKey: kms:CreateKey (identity policy) is decided first, before the primary's key
    // policy is asked for kms:ReplicateKey.
    TABLE.put(
        "ReplicateKey",
        new Probe(
            "ReplicateKey",
            "kms:CreateKey",
            Resource.ACCOUNT,
            x -> "*",
            x -> json("KeyId", x.symmetric(), "ReplicaRegion", "eu-west-1")));
    key("UpdatePrimaryRegion", x -> json("KeyId", x.symmetric(), "PrimaryRegion", "eu-west-1"));
  }

  @BeforeAll
  static void start() {
    server = TestServer.start(TestServer.newDataDir());
    TestPrincipals principals = new TestPrincipals(server);
    principals.makeTestPrincipalsAdmins();
    stranger = principals.user(TestServer.ACCOUNT, "stranger", null);
  }

  /**
   * New keys for each operation, so that an operation wrongly served cannot change what another
   * operation's request finds (a deleted alias, a key pending deletion).
   */
  private static Fixture newFixture() {
    KmsClient admin = server.client();
    var sym = admin.createKey(b -> {}).keyMetadata();
    var other = admin.createKey(b -> {}).keyMetadata();
    var pending = admin.createKey(b -> {}).keyMetadata();
    admin.scheduleKeyDeletion(b -> b.keyId(pending.keyId()).pendingWindowInDays(7));
    var signing =
        admin
            .createKey(b -> b.keySpec(KeySpec.ECC_NIST_P256).keyUsage(KeyUsageType.SIGN_VERIFY))
            .keyMetadata();
    var agreement =
        admin
            .createKey(b -> b.keySpec(KeySpec.ECC_NIST_P256).keyUsage(KeyUsageType.KEY_AGREEMENT))
            .keyMetadata();
    var hmac =
        admin
            .createKey(b -> b.keySpec(KeySpec.HMAC_256).keyUsage(KeyUsageType.GENERATE_VERIFY_MAC))
            .keyMetadata();
    String alias = "alias/every-op-" + sym.keyId();
    admin.createAlias(b -> b.aliasName(alias).targetKeyId(sym.keyId()));
    SdkBytes blob =
        admin
            .encrypt(b -> b.keyId(sym.keyId()).plaintext(SdkBytes.fromUtf8String("x")))
            .ciphertextBlob();
    SdkBytes publicKey = admin.getPublicKey(b -> b.keyId(agreement.keyId())).publicKey();
    return new Fixture(
        sym.keyId(),
        sym.arn(),
        other.keyId(),
        Base64.getEncoder().encodeToString(blob.asByteArray()),
        alias,
        pending.keyId(),
        pending.arn(),
        signing.keyId(),
        signing.arn(),
        agreement.keyId(),
        agreement.arn(),
        Base64.getEncoder().encodeToString(publicKey.asByteArray()),
        hmac.keyId(),
        hmac.arn());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** The operations the service has a handler for, as the API's dispatch knows them. */
  static Stream<String> handledOperations() throws ReflectiveOperationException {
    KmsApi api =
        new KmsApi(null, null, null, null, new KeyPairServices(null, null, null), null, null);
    Method names = KmsApi.class.getDeclaredMethod("operationNames");
    names.setAccessible(true);
    @SuppressWarnings("unchecked")
    Set<String> handled = (Set<String>) names.invoke(api);
    return new TreeSet<>(handled).stream();
  }

  @Test
  void everyHandledOperation_hasARowInThisTable() throws ReflectiveOperationException {
    Set<String> missing = new TreeSet<>(handledOperations().toList());
    missing.removeAll(TABLE.keySet());

    assertEquals(Set.of(), missing);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("handledOperations")
  void principalWithoutIdentityPolicyNotInTheKeyPolicy_isAccessDenied(String operation) {
    Probe p = TABLE.get(operation);
    if (p == null) {
      throw new AssertionError("no request in the table for " + operation);
    }

    Fixture f = newFixture();

    RawResponse r = stranger.post(operation, p.body().apply(f));

    switch (p.resource()) {
      case ACCOUNT -> assertDenied(accountLevel(stranger.arn(), p.action()), r);
      case KEY ->
          assertDenied(noIdentityPolicyAllows(stranger.arn(), p.action(), p.keyArn().apply(f)), r);
      case SEVERAL -> assertDeniedAction(stranger.arn(), p.action(), r);
    }
  }

  /** A JSON object of name, value pairs (strings, numbers, booleans, lists, maps). */
  private static String json(Object... pairs) {
    ObjectNode o = JSON.createObjectNode();
    for (int i = 0; i < pairs.length; i += 2) {
      o.set((String) pairs[i], JSON.valueToTree(pairs[i + 1]));
    }
    return o.toString();
  }
}
