package org.hsmkms.kms;

import static org.hsmkms.kms.StoredKeys.ACCOUNT;
import static org.hsmkms.kms.StoredKeys.caller;
import static org.hsmkms.kms.TokenServices.ENCRYPT_DECRYPT;
import static org.hsmkms.kms.TokenServices.GENERATE_VERIFY_MAC;
import static org.hsmkms.kms.TokenServices.KEY_AGREEMENT;
import static org.hsmkms.kms.TokenServices.SIGN_VERIFY;
import static org.hsmkms.kms.TokenServices.SYMMETRIC_DEFAULT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.hsmkms.store.KeyRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CreateKey's checks, called on {@link KeyManagement} over the test token: AWS's table of key
 * usages per key spec, the parameters this service does not offer (other origins, custom key
 * stores, Multi-Region keys, specs no HSM here has), the default policy, and the 50-tag limit and
 * reserved {@code aws:} prefix. A refused CreateKey leaves neither a row nor a token object.
 */
class CreateKeyTest {
  @RegisterExtension static final TokenFixture TOKEN = TokenFixture.perTest();

  private TokenServices services;
  private final RequestContext ctx = caller();

  @BeforeEach
  void open() {
    services = TOKEN.services();
  }

  private static CreateKeyRequest request(String keySpec, String keyUsage) {
    return new CreateKeyRequest(keySpec, null, keyUsage, null, null, null, null, null, null, false);
  }

  private static CreateKeyRequest tagged(List<Tag> tags) {
    return new CreateKeyRequest(null, null, null, null, null, null, tags, null, null, false);
  }

  private KeyRecord created(CreateKeyRequest req) {
    return services.row(services.management.createKey(ctx, req).keyId());
  }

  /**
   * CreateKey's refusal of {@code req}, having checked it wrote no row and made no token object.
   */
  private KmsException refusedWithNothingCreated(CreateKeyRequest req) {
    int tokenObjects = TOKEN.hsm().inventory().listKeyIds().size();

    KmsException e =
        assertThrows(KmsException.class, () -> services.management.createKey(ctx, req));

    assertEquals(List.of(), services.stored.store.allKeys());
    assertEquals(tokenObjects, TOKEN.hsm().inventory().listKeyIds().size());
    return e;
  }

  private static List<Tag> tags(int n) {
    List<Tag> tags = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      tags.add(new Tag("key-" + i, "value-" + i));
    }
    return tags;
  }

  // --- Key specs and usages ----------------------------------------------------------------

  /** AWS's CreateKey table: the key usages each key spec allows. */
  private static final Map<String, Set<String>> USAGES =
      Map.ofEntries(
          Map.entry(SYMMETRIC_DEFAULT, Set.of(ENCRYPT_DECRYPT)),
          Map.entry("RSA_2048", Set.of(ENCRYPT_DECRYPT, SIGN_VERIFY)),
          Map.entry("RSA_3072", Set.of(ENCRYPT_DECRYPT, SIGN_VERIFY)),
          Map.entry("RSA_4096", Set.of(ENCRYPT_DECRYPT, SIGN_VERIFY)),
          Map.entry("ECC_NIST_P256", Set.of(SIGN_VERIFY, KEY_AGREEMENT)),
          Map.entry("ECC_NIST_P384", Set.of(SIGN_VERIFY, KEY_AGREEMENT)),
          Map.entry("ECC_NIST_P521", Set.of(SIGN_VERIFY, KEY_AGREEMENT)),
          Map.entry("ECC_SECG_P256K1", Set.of(SIGN_VERIFY)),
          Map.entry("ECC_NIST_EDWARDS25519", Set.of(SIGN_VERIFY)),
          Map.entry("HMAC_224", Set.of(GENERATE_VERIFY_MAC)),
          Map.entry("HMAC_256", Set.of(GENERATE_VERIFY_MAC)),
          Map.entry("HMAC_384", Set.of(GENERATE_VERIFY_MAC)),
          Map.entry("HMAC_512", Set.of(GENERATE_VERIFY_MAC)));

  private static final List<String> ALL_USAGES =
      List.of(ENCRYPT_DECRYPT, SIGN_VERIFY, KEY_AGREEMENT, GENERATE_VERIFY_MAC);

  static Stream<Arguments> allowedCombinations() {
    return USAGES.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .flatMap(e -> e.getValue().stream().sorted().map(u -> Arguments.of(e.getKey(), u)));
  }

  static Stream<Arguments> refusedCombinations() {
    return USAGES.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .flatMap(
            e ->
                ALL_USAGES.stream()
                    .filter(u -> !e.getValue().contains(u))
                    .map(u -> Arguments.of(e.getKey(), u)));
  }

  @Test
  void theTableAbove_coversEveryKeySpecOfTheService() {
    assertEquals(
        Stream.of(KeySpec.values()).map(Enum::name).collect(java.util.stream.Collectors.toSet()),
        USAGES.keySet());
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("allowedCombinations")
  void createKey_withAUsageItsSpecAllows_makesAnEnabledKeyWithItsMaterialInTheToken(
      String spec, String usage) {
    KeyMetadata md = services.management.createKey(ctx, request(spec, usage));

    KeyRecord row = services.row(md.keyId());
    assertEquals(spec, md.keySpec());
    assertEquals(usage, md.keyUsage());
    assertEquals("Enabled", md.keyState());
    assertTrue(md.enabled());
    assertEquals("AWS_KMS", md.origin());
    assertEquals(ctx.keyArn(md.keyId()), md.arn());
    assertEquals(ACCOUNT, md.account());
    assertEquals(services.clock.instant(), md.creationDate());
    assertEquals("Enabled", row.keyState());
    assertEquals(32, row.currentMaterialId().length(), "a 16-byte material id, in hex");
    assertTrue(TOKEN.hsm().inventory().keyExists(services.material(row)));
    assertEquals(List.of(md.arn()), ctx.keysUsed().arns());
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("refusedCombinations")
  void createKey_withAUsageItsSpecDoesNotAllow_isValidationException(String spec, String usage) {
    KmsException e = refusedWithNothingCreated(request(spec, usage));

    assertEquals(ErrorCode.VALIDATION, e.code());
    assertEquals("KeyUsage " + usage + " is not compatible with KeySpec " + spec, e.getMessage());
  }

  @Test
  void createKey_withoutSpecOrUsage_isASymmetricEncryptionKey() {
    KeyMetadata md = services.management.createKey(ctx, request(null, null));

    assertEquals(SYMMETRIC_DEFAULT, md.keySpec());
    assertEquals(ENCRYPT_DECRYPT, md.keyUsage());
    assertEquals(List.of(SYMMETRIC_DEFAULT), md.encryptionAlgorithms());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ECC_NIST_P256", "ECC_NIST_EDWARDS25519", "HMAC_256"})
  void createKey_ofASpecThatCannotEncrypt_withoutKeyUsage_isValidationException(String spec) {
    KmsException e = refusedWithNothingCreated(request(spec, null));

    assertEquals(ErrorCode.VALIDATION, e.code());
    assertEquals(
        "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.",
        e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"SM2", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87"})
  void createKey_ofASpecNoHsmHereOffers_isUnsupportedOperationException(String spec) {
    KmsException e = refusedWithNothingCreated(request(spec, SIGN_VERIFY));

    assertEquals(ErrorCode.UNSUPPORTED_OPERATION, e.code());
    assertEquals("KeySpec " + spec + " is not supported by this service.", e.getMessage());
  }

  @Test
  void createKey_withTheDeprecatedCustomerMasterKeySpec_usesIt() {
    KeyRecord key =
        created(
            new CreateKeyRequest(
                null, "ECC_NIST_P256", SIGN_VERIFY, null, null, null, null, null, null, false));

    assertEquals("ECC_NIST_P256", key.keySpec());
  }

  @ParameterizedTest
  @ValueSource(strings = {SYMMETRIC_DEFAULT, "HMAC_256"})
  void createKey_withBothKeySpecAndCustomerMasterKeySpec_isValidationException(String cmkSpec) {
    KmsException e =
        refusedWithNothingCreated(
            new CreateKeyRequest(
                SYMMETRIC_DEFAULT, cmkSpec, null, null, null, null, null, null, null, false));

    assertEquals(ErrorCode.VALIDATION, e.code());
    assertEquals(
        "You cannot specify KeySpec and CustomerMasterKeySpec in the same request.",
        e.getMessage());
  }

  // --- What this service does not offer ----------------------------------------------------

  @Test
  void createKey_withOriginAwsKms_isAccepted() {
    KeyRecord key =
        created(
            new CreateKeyRequest(null, null, null, "AWS_KMS", null, null, null, null, null, false));

    assertEquals("AWS_KMS", key.origin());
  }

  @ParameterizedTest
  @ValueSource(strings = {"AWS_CLOUDHSM"})
  void createKey_withAnotherOrigin_isUnsupportedOperationException(String origin) {
    KmsException e =
        refusedWithNothingCreated(
            new CreateKeyRequest(null, null, null, origin, null, null, null, null, null, false));

    assertEquals(ErrorCode.UNSUPPORTED_OPERATION, e.code());
    assertEquals("Origin " + origin + " is not supported by this service.", e.getMessage());
  }

  @Test
  void createKey_externalKeyStoreWithoutXksKeyId_isValidationException() {
    KmsException e =
        refusedWithNothingCreated(
            new CreateKeyRequest(
                null, null, null, "EXTERNAL_KEY_STORE", null, null, null, null, null, false));

    assertEquals(ErrorCode.VALIDATION, e.code());
  }

  @Test
  void createKey_xksKeyIdOfAnAwsKmsKey_isValidationException_nothingCreated() {
    KmsException e =
        refusedWithNothingCreated(
            new CreateKeyRequest(
                null, null, null, null, null, null, null, null, null, false, "external-key-1"));

    assertEquals(ErrorCode.VALIDATION, e.code());
  }

  @Test
  void createKey_multiRegion_isAPrimaryKeyWithAnMrkId_inARowOfItsRegion() {
    KeyMetadata md =
        services.management.createKey(
            ctx, new CreateKeyRequest(null, null, null, null, null, null, null, true, null, false));

    assertTrue(md.keyId().matches("mrk-[0-9a-f]{32}"), md.keyId());
    assertTrue(md.multiRegion());
    KeyRecord key = services.row(md.keyId() + "/" + ctx.region());
    assertEquals(md.keyId(), key.publicId());
    assertEquals(
        ctx.region(),
        services.stored.store.findMultiRegionKey(md.keyId()).orElseThrow().primaryRegion());
    assertTrue(TOKEN.hsm().inventory().keyExists(services.material(key)));
  }

  @Test
  void createKey_multiRegion_withImportedMaterial_isUnsupportedOperationException() {
    KmsException e =
        refusedWithNothingCreated(
            new CreateKeyRequest(
                null, null, null, "EXTERNAL", null, null, null, true, null, false));

    assertEquals(ErrorCode.UNSUPPORTED_OPERATION, e.code());
  }

  @Test
  void createKey_multiRegionFalse_isASingleRegionKey() {
    KeyRecord key =
        created(new CreateKeyRequest(null, null, null, null, null, null, null, false, null, false));

    assertEquals("Enabled", key.keyState());
  }

  @Test
  void createKey_inACustomKeyStore_isCustomKeyStoreNotFoundException() {
    KmsException e =
        refusedWithNothingCreated(
            new CreateKeyRequest(
                null, null, null, null, null, null, null, null, "cks-1234567890abcdef0", false));

    assertEquals(ErrorCode.CUSTOM_KEY_STORE_NOT_FOUND, e.code());
    assertEquals("Custom key store cks-1234567890abcdef0 does not exist.", e.getMessage());
  }

  // --- Policy and description ----------------------------------------------------------------

  @Test
  void createKey_withoutPolicy_getsTheDefaultPolicyGivingTheAccountFullAccess() {
    String policy = created(request(null, null)).policy();

    assertTrue(policy.contains("\"AWS\" : \"arn:aws:iam::" + ACCOUNT + ":root\""), policy);
    assertTrue(policy.contains("\"Action\" : \"kms:*\""), policy);
    assertTrue(policy.contains("\"Effect\" : \"Allow\""), policy);
  }

  @ParameterizedTest
  @ValueSource(strings = {"nope", "[]", "{\"Version\":", "{} {}"})
  void createKey_withAPolicyThatIsNotAJsonObject_isMalformedPolicyDocument(String policy) {
    KmsException e =
        refusedWithNothingCreated(
            new CreateKeyRequest(null, null, null, null, null, policy, null, null, null, false));

    assertEquals(ErrorCode.MALFORMED_POLICY_DOCUMENT, e.code());
  }

  @Test
  void createKey_checksThePolicyFirst_beforeTheKeySpec() {
    KmsException e =
        refusedWithNothingCreated(
            new CreateKeyRequest(
                "SM2", null, SIGN_VERIFY, null, null, "[]", null, null, null, false));

    assertEquals(ErrorCode.MALFORMED_POLICY_DOCUMENT, e.code());
  }

  @Test
  void createKey_withPolicy_storesItAsGiven() {
    String policy =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"AWS\":\"111122223333\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";

    KeyRecord key =
        created(
            new CreateKeyRequest(null, null, null, null, null, policy, null, null, null, false));

    assertEquals(policy, key.policy());
  }

  @Test
  void createKey_withDescription_describesItBack() {
    KeyMetadata md =
        services.management.createKey(
            ctx,
            new CreateKeyRequest(null, null, null, null, "payroll", null, null, null, null, false));

    assertEquals("payroll", md.description());
    assertEquals("payroll", services.row(md.keyId()).description());
  }

  @Test
  void createKey_withoutDescription_hasAnEmptyOne() {
    assertEquals("", services.management.createKey(ctx, request(null, null)).description());
  }

  // --- Tags ----------------------------------------------------------------------------------

  @Test
  void createKey_with50Tags_storesEveryOne() {
    KeyRecord key = created(tagged(tags(50)));

    Map<String, String> stored = services.stored.store.tags(key.keyId());
    assertEquals(50, stored.size());
    assertEquals("value-49", stored.get("key-49"));
  }

  @Test
  void createKey_with51Tags_isTagException_tooManyTags_asAws() {
    KmsException e = refusedWithNothingCreated(tagged(tags(51)));

    assertEquals(ErrorCode.TAG, e.code());
    assertEquals("Too many tags", e.getMessage());
  }

  @Test
  void createKey_withOneTagKeyTwice_isTagException_andCreatesNothing() {
    List<Tag> tags = tags(3);
    tags.add(new Tag("key-0", "later"));

    KmsException e = refusedWithNothingCreated(tagged(tags));

    assertEquals(ErrorCode.TAG, e.code());
    assertEquals("Duplicate tag keys", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"aws:createdBy", "AWS:x", "Aws:", "aWs:cost"})
  void createKey_withATagKeyBeginningWithAws_isTagException(String tagKey) {
    KmsException e =
        refusedWithNothingCreated(tagged(List.of(new Tag("team", "a"), new Tag(tagKey, "v"))));

    assertEquals(ErrorCode.TAG, e.code());
    assertEquals("Tags beginning with aws: are reserved", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"aws", "awsx:y", "x-aws:y", "aws-cost"})
  void createKey_withATagKeyThatOnlyResemblesTheReservedPrefix_isAccepted(String tagKey) {
    KeyRecord key = created(tagged(List.of(new Tag(tagKey, ""))));

    assertEquals(Map.of(tagKey, ""), services.stored.store.tags(key.keyId()));
  }

  // --- A failure of the HSM ------------------------------------------------------------------

  @Test
  void createKey_whoseGenerationFailsInTheHsm_leavesNoRowAndNoTags(@TempDir Path dir)
      throws Exception {
    FaultyInventory failing =
        new FaultyInventory(TOKEN.hsm().inventory(), FaultyInventory.Fault.GENERATION);
    Path faultyDir = Files.createDirectories(dir.resolve("faulty"));
    try (TokenServices faulty = new TokenServices(TOKEN.hsm(), failing, faultyDir)) {
      failing.watch(faulty.stored.store);
      CreateKeyRequest req = tagged(List.of(new Tag("team", "a")));

      RuntimeException e =
          assertThrows(RuntimeException.class, () -> faulty.management.createKey(ctx, req));

      assertSame(FaultyInventory.FAULT, e);
      assertEquals(List.of(), faulty.stored.store.allKeys());
      assertEquals(1, failing.rowsSeen.size(), "the fault was injected once");
      KeyRecord seen = failing.rowsSeen.get(0);
      assertEquals("Creating", seen.keyState(), "the row came first, as Creating");
      assertEquals(Map.of("team", "a"), failing.tagsSeen.get(0), "with its tags");
      assertEquals(Map.of(), faulty.stored.store.tags(seen.keyId()));
      assertFalse(TOKEN.hsm().inventory().keyExists(failing.failed.get(0)));
    }
  }
}
