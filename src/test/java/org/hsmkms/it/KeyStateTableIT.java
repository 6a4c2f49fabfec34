package org.hsmkms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.hsmkms.kms.KeyState;
import org.hsmkms.kms.KeyStateTable;
import org.hsmkms.kms.KeyStateTable.Outcome;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Walks AWS's key state table as {@link KeyStateTable} holds it, cell by cell, through the real
 * HTTP server and the real token: for every operation that takes a key and every key state, a new
 * key of a kind the operation takes is made Enabled, the request is prepared while it is (a
 * ciphertext, a signature, a grant, an import token ...), the key is put in the state, and the
 * operation's answer must be the cell: HTTP 200, or the cell's error type and message.
 *
 * <p>States come through the API where the API makes them: Disabled (DisableKey), PendingDeletion
 * (ScheduleKeyDeletion), PendingReplicaDeletion (ScheduleKeyDeletion of a multi-Region primary with
 * a replica), PendingImport (DeleteImportedKeyMaterial of a key of imported material). The others
 * (Unavailable, Updating, the internal Creating and Deleting, and the states a key of that kind
 * cannot reach through the API) are written to the store, as the reconciler writes Unavailable.
 */
class KeyStateTableIT {
  private static final String REPLICA_REGION = "eu-west-1";
  private static final AtomicInteger NAMES = new AtomicInteger();

  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(TestServer.newDataDir());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** The kind of key an operation takes. */
  enum Kind {
    SYMMETRIC,
    IMPORTED,
    RSA_SIGN,
    HMAC,
    ECDH,
    MULTI_REGION
  }

  /** A row: the operation, the kind of key, and its request prepared on an Enabled key. */
  record Row(String operation, Kind kind, Prepare prepare) {
    @Override
    public String toString() {
      return operation;
    }
  }

  interface Prepare {
    Map<String, Object> request(Key key) throws Exception;
  }

  /** A key under test: its id (as a client names it), ARN and store row id. */
  record Key(String keyId, String arn, String rowId, Kind kind, byte[] material) {}

  static List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    for (String op :
        List.of(
            "DescribeKey",
            "GetKeyPolicy",
            "ListKeyPolicies",
            "ListResourceTags",
            "ListGrants",
            "GetKeyLastUsage",
            "GetKeyRotationStatus",
            "ListKeyRotations",
            "EnableKey",
            "DisableKey",
            "CancelKeyDeletion",
            "EnableKeyRotation",
            "DisableKeyRotation",
            "RotateKeyOnDemand")) {
      rows.add(new Row(op, Kind.SYMMETRIC, k -> body("KeyId", k.keyId())));
    }
    rows.add(new Row("Encrypt", Kind.SYMMETRIC, k -> body("KeyId", k.keyId(), "Plaintext", B64)));
    rows.add(
        new Row(
            "Decrypt",
            Kind.SYMMETRIC,
            k -> body("KeyId", k.keyId(), "CiphertextBlob", encrypt(k))));
    rows.add(
        new Row(
            "ReEncrypt",
            Kind.SYMMETRIC,
            k -> body("CiphertextBlob", encrypt(k), "DestinationKeyId", k.keyId())));
    for (String op : List.of("GenerateDataKey", "GenerateDataKeyWithoutPlaintext")) {
      rows.add(new Row(op, Kind.SYMMETRIC, k -> body("KeyId", k.keyId(), "KeySpec", "AES_256")));
    }
    for (String op : List.of("GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext")) {
      rows.add(
          new Row(
              op, Kind.SYMMETRIC, k -> body("KeyId", k.keyId(), "KeyPairSpec", "ECC_NIST_P256")));
    }
    rows.add(
        new Row(
            "ScheduleKeyDeletion",
            Kind.SYMMETRIC,
            k -> body("KeyId", k.keyId(), "PendingWindowInDays", 7)));
    rows.add(
        new Row(
            "PutKeyPolicy",
            Kind.SYMMETRIC,
            k ->
                body(
                    "KeyId",
                    k.keyId(),
                    "PolicyName",
                    "default",
                    "Policy",
                    call("GetKeyPolicy", body("KeyId", k.keyId())).get("Policy").asText())));
    rows.add(
        new Row(
            "TagResource",
            Kind.SYMMETRIC,
            k ->
                body("KeyId", k.keyId(), "Tags", List.of(Map.of("TagKey", "a", "TagValue", "b")))));
    rows.add(
        new Row(
            "UntagResource",
            Kind.SYMMETRIC,
            k -> body("KeyId", k.keyId(), "TagKeys", List.of("a"))));
    rows.add(
        new Row(
            "UpdateKeyDescription",
            Kind.SYMMETRIC,
            k -> body("KeyId", k.keyId(), "Description", "changed")));
    rows.add(
        new Row(
            "CreateAlias",
            Kind.SYMMETRIC,
            k -> body("AliasName", newAliasName(), "TargetKeyId", k.keyId())));
    rows.add(
        new Row(
            "UpdateAlias",
            Kind.SYMMETRIC,
            k -> {
              String alias = newAliasName();
              call("CreateAlias", body("AliasName", alias, "TargetKeyId", newKey(Kind.SYMMETRIC)));
              return body("AliasName", alias, "TargetKeyId", k.keyId());
            }));
    rows.add(
        new Row(
            "DeleteAlias",
            Kind.SYMMETRIC,
            k -> {
              String alias = newAliasName();
              call("CreateAlias", body("AliasName", alias, "TargetKeyId", k.keyId()));
              return body("AliasName", alias);
            }));
    rows.add(new Row("CreateGrant", Kind.SYMMETRIC, KeyStateTableIT::grantRequest));
    for (String op : List.of("RetireGrant", "RevokeGrant")) {
      rows.add(
          new Row(
              op,
              Kind.SYMMETRIC,
              k ->
                  body(
                      "KeyId",
                      k.keyId(),
                      "GrantId",
                      call("CreateGrant", grantRequest(k)).get("GrantId").asText())));
    }
    rows.add(new Row("GetPublicKey", Kind.RSA_SIGN, k -> body("KeyId", k.keyId())));
    rows.add(new Row("Sign", Kind.RSA_SIGN, KeyStateTableIT::signRequest));
    rows.add(
        new Row(
            "Verify",
            Kind.RSA_SIGN,
            k -> {
              Map<String, Object> req = signRequest(k);
              req.put("Signature", call("Sign", signRequest(k)).get("Signature").asText());
              return req;
            }));
    rows.add(new Row("GenerateMac", Kind.HMAC, KeyStateTableIT::macRequest));
    rows.add(
        new Row(
            "VerifyMac",
            Kind.HMAC,
            k -> {
              Map<String, Object> req = macRequest(k);
              req.put("Mac", call("GenerateMac", macRequest(k)).get("Mac").asText());
              return req;
            }));
    rows.add(
        new Row(
            "DeriveSharedSecret",
            Kind.ECDH,
            k ->
                body(
                    "KeyId",
                    k.keyId(),
                    "KeyAgreementAlgorithm",
                    "ECDH",
                    "PublicKey",
                    call("GetPublicKey", body("KeyId", k.keyId())).get("PublicKey").asText())));
    rows.add(new Row("GetParametersForImport", Kind.IMPORTED, KeyStateTableIT::parametersRequest));
    rows.add(
        new Row(
            "ImportKeyMaterial",
            Kind.IMPORTED,
            k -> {
              JsonNode p = call("GetParametersForImport", parametersRequest(k));
              byte[] wrapped =
                  ImportWrapping.jdk(
                      "RSAES_OAEP_SHA_1",
                      Base64.getDecoder().decode(p.get("PublicKey").asText()),
                      k.material());
              return body(
                  "KeyId",
                  k.keyId(),
                  "ImportToken",
                  p.get("ImportToken").asText(),
                  "EncryptedKeyMaterial",
                  Base64.getEncoder().encodeToString(wrapped),
                  "ExpirationModel",
                  "KEY_MATERIAL_DOES_NOT_EXPIRE");
            }));
    rows.add(new Row("DeleteImportedKeyMaterial", Kind.IMPORTED, k -> body("KeyId", k.keyId())));
    rows.add(
        new Row(
            "ReplicateKey",
            Kind.MULTI_REGION,
            k -> body("KeyId", k.keyId(), "ReplicaRegion", "ap-southeast-2")));
    rows.add(
        new Row(
            "UpdatePrimaryRegion",
            Kind.MULTI_REGION,
            k -> body("KeyId", k.keyId(), "PrimaryRegion", REPLICA_REGION)));
    return rows;
  }

  static Stream<Arguments> cells() {
    return rows().stream().flatMap(r -> Stream.of(KeyState.values()).map(s -> Arguments.of(r, s)));
  }

  @Test
  void theWalk_coversEveryRowOfTheTable() {
    assertEquals(
        KeyStateTable.operations(),
        new java.util.TreeSet<>(rows().stream().map(Row::operation).toList()));
  }

  @ParameterizedTest(name = "{0} x {1}")
  @MethodSource("cells")
  void operation_onAKeyInThisState_answersTheTablesCell(Row row, KeyState state) throws Exception {
    Key key = key(row.kind(), state);
    Map<String, Object> request = row.prepare().request(key);
    putInState(key, state);

    TestServer.RawResponse answer =
        server.post("TrentService." + row.operation(), KmsTesting.JSON.writeValueAsString(request));

    Outcome cell = KeyStateTable.outcome(row.operation(), state);
    if (cell.allowed()) {
      assertEquals(200, answer.status(), answer.body());
    } else {
      JsonNode error = KmsTesting.parse(answer.body());
      assertEquals(cell.error().httpStatus(), answer.status(), answer.body());
      assertEquals(cell.error().awsType(), error.get("__type").asText(), answer.body());
      assertEquals(cell.message(key.arn()), error.get("message").asText(), answer.body());
    }
  }

  // --- Keys and states ---------------------------------------------------------------------------

  /**
   * A new Enabled key of {@code kind}; for a symmetric operation in PendingImport, a key of
   * imported material (which reaches PendingImport through the API).
   */
  private static Key key(Kind kind, KeyState state) throws Exception {
    if (kind == Kind.SYMMETRIC && state == KeyState.PENDING_IMPORT) {
      kind = Kind.IMPORTED;
    }
    String keyId = newKey(kind);
    String arn = KmsTesting.keyArn(keyId);
    String rowId =
        kind == Kind.MULTI_REGION ? KeyRecord.multiRegionRowId(keyId, KmsTesting.REGION) : keyId;
    byte[] material = null;
    if (kind == Kind.IMPORTED) {
      material = new byte[32];
      new java.security.SecureRandom().nextBytes(material);
      Key k = new Key(keyId, arn, rowId, kind, material);
      call(
          "ImportKeyMaterial",
          rows().stream()
              .filter(r -> r.operation().equals("ImportKeyMaterial"))
              .findFirst()
              .orElseThrow()
              .prepare()
              .request(k));
    }
    if (kind == Kind.MULTI_REGION) {
      call("ReplicateKey", body("KeyId", keyId, "ReplicaRegion", REPLICA_REGION));
    }
    return new Key(keyId, arn, rowId, kind, material);
  }

  private static String newKey(Kind kind) {
    Map<String, Object> req =
        switch (kind) {
          case SYMMETRIC -> body();
          case IMPORTED -> body("Origin", "EXTERNAL");
          case RSA_SIGN -> body("KeySpec", "RSA_2048", "KeyUsage", "SIGN_VERIFY");
          case HMAC -> body("KeySpec", "HMAC_256", "KeyUsage", "GENERATE_VERIFY_MAC");
          case ECDH -> body("KeySpec", "ECC_NIST_P256", "KeyUsage", "KEY_AGREEMENT");
          case MULTI_REGION -> body("MultiRegion", true);
        };
    return call("CreateKey", req).get("KeyMetadata").get("KeyId").asText();
  }

  private static void putInState(Key key, KeyState state) {
    switch (state) {
      case ENABLED -> {}
      case DISABLED -> call("DisableKey", body("KeyId", key.keyId()));
      case PENDING_DELETION -> {
        if (key.kind() == Kind.MULTI_REGION) {
          write(key, state); // a primary with a replica goes to PendingReplicaDeletion
        } else {
          call("ScheduleKeyDeletion", body("KeyId", key.keyId(), "PendingWindowInDays", 7));
        }
      }
      case PENDING_REPLICA_DELETION -> {
        if (key.kind() == Kind.MULTI_REGION) {
          call("ScheduleKeyDeletion", body("KeyId", key.keyId(), "PendingWindowInDays", 7));
        } else {
          write(key, state);
        }
      }
      case PENDING_IMPORT -> {
        if (key.kind() == Kind.IMPORTED) {
          call("DeleteImportedKeyMaterial", body("KeyId", key.keyId()));
        } else {
          write(key, state);
        }
      }
      default -> write(key, state);
    }
    assertEquals(
        state.awsName(), server.app().store().findKey(key.rowId()).orElseThrow().keyState());
  }

  /** Writes the state to the store, as the service's own work does. */
  private static void write(Key key, KeyState state) {
    KeyRecord row = server.app().store().findKey(key.rowId()).orElseThrow();
    boolean pending = state == KeyState.PENDING_DELETION || state == KeyState.DELETING;
    server
        .app()
        .store()
        .updateKey(
            row.withState(
                state.awsName(),
                pending ? Instant.now().plus(Duration.ofDays(7)) : null,
                pending || state == KeyState.PENDING_REPLICA_DELETION ? 7 : null));
  }

  // --- Requests --------------------------------------------------------------------------------

  private static final String B64 = Base64.getEncoder().encodeToString("key states".getBytes());

  private static String encrypt(Key k) {
    return call("Encrypt", body("KeyId", k.keyId(), "Plaintext", B64))
        .get("CiphertextBlob")
        .asText();
  }

  private static Map<String, Object> grantRequest(Key k) {
    return body(
        "KeyId",
        k.keyId(),
        "GranteePrincipal",
        "arn:aws:iam::" + TestServer.ACCOUNT + ":user/grantee",
        "Operations",
        List.of("Decrypt"));
  }

  private static Map<String, Object> signRequest(Key k) {
    return body(
        "KeyId",
        k.keyId(),
        "Message",
        B64,
        "MessageType",
        "RAW",
        "SigningAlgorithm",
        "RSASSA_PSS_SHA_256");
  }

  private static Map<String, Object> macRequest(Key k) {
    return body("KeyId", k.keyId(), "Message", B64, "MacAlgorithm", "HMAC_SHA_256");
  }

  private static Map<String, Object> parametersRequest(Key k) {
    return body(
        "KeyId", k.keyId(), "WrappingAlgorithm", "RSAES_OAEP_SHA_1", "WrappingKeySpec", "RSA_2048");
  }

  private static String newAliasName() {
    return "alias/key-state-" + NAMES.incrementAndGet();
  }

  private static Map<String, Object> body(Object... pairs) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], pairs[i + 1]);
    }
    return m;
  }

  /** A request that must succeed (the preparation of a cell). */
  private static JsonNode call(String operation, Map<String, Object> request) {
    try {
      TestServer.RawResponse r =
          server.post("TrentService." + operation, KmsTesting.JSON.writeValueAsString(request));
      assertEquals(200, r.status(), operation + ": " + r.body());
      return KmsTesting.parse(r.body().isEmpty() ? "{}" : r.body());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
