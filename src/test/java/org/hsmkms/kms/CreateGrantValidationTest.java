package org.hsmkms.kms;

import static org.hsmkms.kms.GrantsTest.ALICE;
import static org.hsmkms.kms.GrantsTest.request;
import static org.hsmkms.kms.StoredKeys.ACCOUNT;
import static org.hsmkms.kms.StoredKeys.REGION;
import static org.hsmkms.kms.StoredKeys.caller;
import static org.hsmkms.kms.TokenServices.refusal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MetadataStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CreateGrant's validation, as AWS's: principals, operations (and those the key's spec and usage
 * support), encryption context constraints. A refused request stores no grant.
 */
class CreateGrantValidationTest {
  @RegisterExtension static final TokenFixture TOKEN = TokenFixture.perTest();

  private TokenServices services;
  private MetadataStore store;
  private Grants grants;
  private final RequestContext ctx = caller();

  @BeforeEach
  void open() {
    services = TOKEN.services();
    store = services.stored.store;
    grants = new Grants(store, services.keys, TOKEN.hsm().random(), services.clock);
  }

  private List<GrantListEntry> listed(KeyRecord key) {
    return grants.listGrants(ctx, key.keyId(), null, null, 100, null).items();
  }

  // --- Validation --------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(
      strings = {
        "alice",
        "111122223333",
        "*",
        "arn:aws:iam::1111:user/short-account",
        "arn:aws:s3:::a-bucket",
        "arn:aws:kms:us-east-1:111122223333:key/1234",
        "arn:aws:iam::111122223333:group/admins"
      })
  void createGrant_withAGranteeThatIsNoPrincipal_isValidationException(String grantee) {
    KeyRecord key = services.stored.add(KeyState.ENABLED);

    assertEquals(
        ErrorCode.VALIDATION,
        refusal(() -> grants.createGrant(ctx, request(key.keyId(), grantee, "Decrypt"))));
    assertEquals(List.of(), listed(key));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "arn:aws:iam::111122223333:root",
        "arn:aws:iam::444455556666:user/alice",
        "arn:aws:iam::111122223333:role/path/to/role",
        "arn:aws:iam::111122223333:federated-user/bob",
        "arn:aws:sts::111122223333:assumed-role/role/session",
        "dynamodb.amazonaws.com"
      })
  void createGrant_withEachFormOfPrincipal_isAccepted(String principal) {
    KeyRecord key = services.stored.add(KeyState.ENABLED);

    grants.createGrant(
        ctx,
        new CreateGrantRequest(
            key.keyId(), principal, principal, List.of("Decrypt"), null, null, false));

    assertEquals(principal, listed(key).get(0).granteePrincipal());
  }

  @Test
  void createGrant_withAnInvalidRetiringPrincipal_isValidationException() {
    KeyRecord key = services.stored.add(KeyState.ENABLED);
    CreateGrantRequest r =
        new CreateGrantRequest(key.keyId(), ALICE, "bob", List.of("Decrypt"), null, null, false);

    assertEquals(ErrorCode.VALIDATION, refusal(() -> grants.createGrant(ctx, r)));
  }

  @Test
  void createGrant_withoutOperationsOrWithAnUnknownOne_isValidationException() {
    KeyRecord key = services.stored.add(KeyState.ENABLED);

    assertEquals(
        ErrorCode.VALIDATION, refusal(() -> grants.createGrant(ctx, request(key.keyId(), ALICE))));
    assertEquals(
        ErrorCode.VALIDATION,
        refusal(
            () -> grants.createGrant(ctx, request(key.keyId(), ALICE, "Decrypt", "PutKeyPolicy"))));
    assertEquals(List.of(), listed(key));
  }

  @ParameterizedTest(name = "{0} {1}: {2}")
  @CsvSource({
    "SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT, Sign",
    "SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT, GetPublicKey",
    "SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT, GenerateMac",
    "RSA_2048, ENCRYPT_DECRYPT, GenerateDataKey",
    "RSA_2048, ENCRYPT_DECRYPT, Sign",
    "RSA_2048, SIGN_VERIFY, Decrypt",
    "ECC_NIST_P256, SIGN_VERIFY, GenerateDataKeyPair",
    "ECC_NIST_P256, KEY_AGREEMENT, Sign",
    "HMAC_256, GENERATE_VERIFY_MAC, Encrypt",
    "HMAC_256, GENERATE_VERIFY_MAC, GetPublicKey"
  })
  void createGrant_forAnOperationTheKeyDoesNotSupport_isValidationException(
      String spec, String usage, String operation) {
    KeyRecord key = services.stored.add(ACCOUNT, REGION, KeyState.ENABLED, spec, usage);

    assertEquals(
        ErrorCode.VALIDATION,
        refusal(
            () -> grants.createGrant(ctx, request(key.keyId(), ALICE, "DescribeKey", operation))));
  }

  @ParameterizedTest(name = "{0} {1}: {2}")
  @CsvSource({
    "SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT, Decrypt Encrypt GenerateDataKey GenerateDataKeyWithoutPlaintext ReEncryptFrom ReEncryptTo GenerateDataKeyPair GenerateDataKeyPairWithoutPlaintext",
    "RSA_2048, ENCRYPT_DECRYPT, Encrypt Decrypt ReEncryptFrom ReEncryptTo GetPublicKey",
    "RSA_2048, SIGN_VERIFY, Sign Verify GetPublicKey",
    "ECC_NIST_P256, KEY_AGREEMENT, DeriveSharedSecret GetPublicKey",
    "HMAC_256, GENERATE_VERIFY_MAC, GenerateMac VerifyMac"
  })
  void createGrant_forTheOperationsOfTheKeysSpecAndUsage_isAccepted(
      String spec, String usage, String operations) {
    KeyRecord key = services.stored.add(ACCOUNT, REGION, KeyState.ENABLED, spec, usage);
    List<String> ops = new ArrayList<>(List.of(operations.split(" ")));
    ops.addAll(List.of("CreateGrant", "RetireGrant", "DescribeKey"));

    grants.createGrant(
        ctx, new CreateGrantRequest(key.keyId(), ALICE, null, ops, null, null, false));

    assertEquals(ops, listed(key).get(0).operations());
  }

  @ParameterizedTest
  @CsvSource({"RSA_2048, ENCRYPT_DECRYPT", "HMAC_256, GENERATE_VERIFY_MAC"})
  void createGrant_withConstraintsOnAnAsymmetricOrHmacKey_isValidationException(
      String spec, String usage) {
    KeyRecord key = services.stored.add(ACCOUNT, REGION, KeyState.ENABLED, spec, usage);
    CreateGrantRequest r =
        new CreateGrantRequest(
            key.keyId(),
            ALICE,
            null,
            List.of("DescribeKey"),
            new GrantConstraints(null, Map.of("a", "b")),
            null,
            false);

    assertEquals(ErrorCode.VALIDATION, refusal(() -> grants.createGrant(ctx, r)));
  }

  @Test
  void createGrant_withMoreThan8PairsOrALongValue_isValidationExceptionNotEchoingTheValue() {
    KeyRecord key = services.stored.add(KeyState.ENABLED);
    Map<String, String> nine = new java.util.TreeMap<>();
    IntStream.range(0, 9).forEach(i -> nine.put("k" + i, "v"));
    String secret = "s".repeat(385);

    assertEquals(
        ErrorCode.VALIDATION,
        refusal(
            () ->
                grants.createGrant(
                    ctx,
                    new CreateGrantRequest(
                        key.keyId(),
                        ALICE,
                        null,
                        List.of("Decrypt"),
                        new GrantConstraints(nine, null),
                        null,
                        false))));
    KmsException e =
        assertThrows(
            KmsException.class,
            () ->
                grants.createGrant(
                    ctx,
                    new CreateGrantRequest(
                        key.keyId(),
                        ALICE,
                        null,
                        List.of("Decrypt"),
                        new GrantConstraints(null, Map.of("k", secret)),
                        null,
                        false)));
    assertEquals(ErrorCode.VALIDATION, e.code());
    assertFalse(e.getMessage().contains(secret));
    // 8 pairs and 384 characters are within the limits.
    nine.remove("k8");
    grants.createGrant(
        ctx,
        new CreateGrantRequest(
            key.keyId(),
            ALICE,
            null,
            List.of("Decrypt"),
            new GrantConstraints(nine, Map.of("k", "s".repeat(384))),
            null,
            false));
    assertEquals(1, listed(key).size());
  }
}
