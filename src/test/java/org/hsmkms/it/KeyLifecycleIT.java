package org.hsmkms.it;

import static org.hsmkms.it.KmsTesting.assertAwsError;
import static org.hsmkms.it.KmsTesting.keyArn;
import static org.hsmkms.it.KmsTesting.newKey;
import static org.hsmkms.it.KmsTesting.newKeyWithAlias;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.hsmkms.it.KmsTesting.KeyIdForm;
import org.hsmkms.it.KmsTesting.TestKey;
import org.hsmkms.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.CancelKeyDeletionResponse;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.EncryptionAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.InvalidMarkerException;
import software.amazon.awssdk.services.kms.model.KeyListEntry;
import software.amazon.awssdk.services.kms.model.KeyManagerType;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kms.model.ListKeysResponse;
import software.amazon.awssdk.services.kms.model.MalformedPolicyDocumentException;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.kms.model.OriginType;
import software.amazon.awssdk.services.kms.model.ScheduleKeyDeletionResponse;
import software.amazon.awssdk.services.kms.model.Tag;
import software.amazon.awssdk.services.kms.model.UnsupportedOperationException;

/** CreateKey, DescribeKey, ListKeys, Enable/DisableKey, key deletion and descriptions. */
class KeyLifecycleIT {
  private static final SdkBytes ONE_BYTE = SdkBytes.fromByteArray(new byte[] {42});

  private final TestServer server = TestServer.shared();
  private final KmsClient kms = server.client();

  // --- CreateKey ---------------------------------------------------------------------------------

  @Test
  void createKey_withoutParameters_hasAwsDefaults() {
    KeyMetadata md = kms.createKey(b -> {}).keyMetadata();

    assertAll(
        () ->
            assertTrue(
                md.keyId()
                    .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}" + "-[0-9a-f]{12}"),
                md.keyId()),
        () -> assertEquals(keyArn(md.keyId()), md.arn()),
        () -> assertEquals(KmsTesting.ACCOUNT, md.awsAccountId()),
        () -> assertEquals(KeySpec.SYMMETRIC_DEFAULT, md.keySpec()),
        () -> assertEquals(KeyUsageType.ENCRYPT_DECRYPT, md.keyUsage()),
        () -> assertEquals(KeyState.ENABLED, md.keyState()),
        () -> assertTrue(md.enabled()),
        () -> assertEquals(OriginType.AWS_KMS, md.origin()),
        () -> assertEquals(KeyManagerType.CUSTOMER, md.keyManager()),
        () ->
            assertEquals(
                List.of(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT), md.encryptionAlgorithms()),
        () -> assertFalse(md.multiRegion()),
        () -> assertNotNull(md.creationDate()),
        () -> assertNull(md.deletionDate()));
  }

  @Test
  void createKey_withDescription_describesItBack() {
    String keyId = kms.createKey(b -> b.description("payroll key, team A")).keyMetadata().keyId();

    assertEquals(
        "payroll key, team A", kms.describeKey(b -> b.keyId(keyId)).keyMetadata().description());
  }

  @Test
  void createKey_withTags_storesThem() {
    String keyId =
        kms.createKey(
                b ->
                    b.tags(
                        Tag.builder().tagKey("team").tagValue("payments").build(),
                        Tag.builder().tagKey("env").tagValue("").build()))
            .keyMetadata()
            .keyId();

    Map<String, String> tags =
        kms.listResourceTags(b -> b.keyId(keyId)).tags().stream()
            .collect(Collectors.toMap(Tag::tagKey, Tag::tagValue));
    assertEquals(Map.of("team", "payments", "env", ""), tags);
  }

  @Test
  void createKey_withPolicy_isAccepted() {
    String policy =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Enable IAM\","
            + "\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},"
            + "\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";

    KeyMetadata md = kms.createKey(b -> b.policy(policy)).keyMetadata();

    assertEquals(KeyState.ENABLED, md.keyState());
  }

  @ParameterizedTest
  @ValueSource(strings = {"not a policy", "{\"Version\":", "[]", "\"a string\"", "42"})
  void createKey_withMalformedPolicy_isMalformedPolicyDocumentException(String policy) {
    assertThrows(
        MalformedPolicyDocumentException.class, () -> kms.createKey(b -> b.policy(policy)));
  }

  /** Key specs of the model that no HSM here offers (asymmetric and HMAC: AsymmetricKeysIT). */
  static Stream<Arguments> unsupportedKeySpecs() {
    return Stream.of(
        Arguments.of(KeySpec.SM2, KeyUsageType.SIGN_VERIFY),
        Arguments.of(KeySpec.SM2, KeyUsageType.ENCRYPT_DECRYPT),
        Arguments.of(KeySpec.ML_DSA_44, KeyUsageType.SIGN_VERIFY),
        Arguments.of(KeySpec.ML_DSA_65, KeyUsageType.SIGN_VERIFY),
        Arguments.of(KeySpec.ML_DSA_87, KeyUsageType.SIGN_VERIFY));
  }

  @ParameterizedTest
  @MethodSource("unsupportedKeySpecs")
  void createKey_withAKeySpecNoHsmOffers_isUnsupportedOperationException(
      KeySpec spec, KeyUsageType usage) {
    assertThrows(
        UnsupportedOperationException.class,
        () -> kms.createKey(b -> b.keySpec(spec).keyUsage(usage)));
  }

  @Test
  void createKey_unsupported_createsNoKey() {
    // A region of its own, so that the listing counts only what this test does.
    KmsClient isolated = server.client(Region.of("ap-south-2"));
    Set<String> before = new HashSet<>(KmsTesting.allKeyIds(isolated));

    assertThrows(
        UnsupportedOperationException.class,
        () -> isolated.createKey(b -> b.keySpec(KeySpec.SM2).keyUsage(KeyUsageType.SIGN_VERIFY)));
    assertThrows(
        MalformedPolicyDocumentException.class, () -> isolated.createKey(b -> b.policy("nope")));

    assertEquals(before, new HashSet<>(KmsTesting.allKeyIds(isolated)));
  }

  @Test
  void createKey_withSignVerifyUsageAndSymmetricDefault_isValidationException() {
    assertAwsError(
        "ValidationException",
        () ->
            kms.createKey(
                b -> b.keySpec(KeySpec.SYMMETRIC_DEFAULT).keyUsage(KeyUsageType.SIGN_VERIFY)));
  }

  // --- DescribeKey -------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(KeyIdForm.class)
  void describeKey_byEachKeyIdForm_returnsTheSameMetadataWithArn(KeyIdForm form) {
    TestKey key = newKeyWithAlias(kms);
    KeyMetadata byId = kms.describeKey(b -> b.keyId(key.keyId())).keyMetadata();

    KeyMetadata md = kms.describeKey(b -> b.keyId(form.of(key))).keyMetadata();

    assertEquals(byId, md);
    assertEquals(key.keyId(), md.keyId());
    assertEquals(key.arn(), md.arn());
  }

  static Stream<String> unknownKeyIds() {
    String random = UUID.randomUUID().toString();
    return Stream.of(
        random,
        keyArn(random),
        "alias/it-missing-" + random,
        KmsTesting.aliasArn(KmsTesting.REGION, "alias/it-missing-" + random),
        "not-a-key-id",
        "1234abcd",
        random.toUpperCase(Locale.ROOT),
        "arn:aws:kms:us-east-1:111122223333:key/not-a-uuid");
  }

  @ParameterizedTest
  @MethodSource("unknownKeyIds")
  void describeKey_unknownOrMalformedKeyId_isNotFoundException(String keyId) {
    assertThrows(NotFoundException.class, () -> kms.describeKey(b -> b.keyId(keyId)));
  }

  @ParameterizedTest
  @MethodSource("unknownKeyIds")
  void encrypt_unknownOrMalformedKeyId_isNotFoundException(String keyId) {
    assertThrows(
        NotFoundException.class, () -> kms.encrypt(b -> b.keyId(keyId).plaintext(ONE_BYTE)));
  }

  // --- ListKeys ----------------------------------------------------------------------------------

  @Test
  void listKeys_containsNewKeyWithItsArn() {
    String keyId = newKey(kms);

    List<KeyListEntry> mine = new ArrayList<>();
    String marker = null;
    do {
      String m = marker;
      ListKeysResponse page = kms.listKeys(b -> b.marker(m));
      page.keys().stream().filter(k -> k.keyId().equals(keyId)).forEach(mine::add);
      marker = page.truncated() ? page.nextMarker() : null;
    } while (marker != null);

    assertEquals(1, mine.size());
    assertEquals(keyArn(keyId), mine.get(0).keyArn());
  }

  @Test
  void listKeys_pagedWithLimit_returnsEachKeyExactlyOnce() {
    // A region of its own keeps the number of pages small; assertions still only concern the
    // keys made here and the shape of the pages.
    KmsClient regional = server.client(Region.of("ap-southeast-3"));
    Set<String> mine = new HashSet<>();
    for (int i = 0; i < 7; i++) {
      mine.add(newKey(regional));
    }

    List<String> seen = new ArrayList<>();
    String marker = null;
    int pages = 0;
    do {
      String m = marker;
      ListKeysResponse page = regional.listKeys(b -> b.limit(3).marker(m));
      pages++;
      assertTrue(page.keys().size() <= 3, "page larger than Limit");
      if (page.truncated()) {
        assertEquals(3, page.keys().size(), "a truncated page is full");
        assertNotNull(page.nextMarker());
      } else {
        assertNull(page.nextMarker(), "the last page has no NextMarker");
      }
      page.keys().forEach(k -> seen.add(k.keyId()));
      marker = page.truncated() ? page.nextMarker() : null;
    } while (marker != null && pages < 1000);

    assertTrue(pages >= 3, "7 keys in pages of 3 need at least 3 pages");
    assertEquals(new HashSet<>(seen).size(), seen.size(), "a key appeared on two pages");
    for (String id : mine) {
      assertEquals(1, seen.stream().filter(id::equals).count(), id);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"bogus", "AAAAAAAA", "a2V5", "YWxpYXM6YWxpYXMveA"})
  void listKeys_withBogusMarker_isInvalidMarkerException(String marker) {
    // "a2V5" is base64 of "key" and "YWxpYXM6YWxpYXMveA" of "alias:alias/x" (another listing's).
    assertThrows(InvalidMarkerException.class, () -> kms.listKeys(b -> b.marker(marker)));
  }

  @Test
  void listKeys_includesKeysPendingDeletionAndDisabled() {
    String disabled = newKey(kms);
    kms.disableKey(b -> b.keyId(disabled));
    String pending = newKey(kms);
    kms.scheduleKeyDeletion(b -> b.keyId(pending));

    List<String> all = KmsTesting.allKeyIds(kms);

    assertTrue(all.contains(disabled));
    assertTrue(all.contains(pending));
  }

  // --- EnableKey / DisableKey --------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(KeyIdForm.class)
  void disableKey_byEachKeyIdForm_describesDisabled(KeyIdForm form) {
    TestKey key = newKeyWithAlias(kms);

    kms.disableKey(b -> b.keyId(form.of(key)));

    KeyMetadata md = kms.describeKey(b -> b.keyId(key.keyId())).keyMetadata();
    assertFalse(md.enabled());
    assertEquals(KeyState.DISABLED, md.keyState());
  }

  @Test
  void enableKey_afterDisable_describesEnabledAndEncryptsAgain() {
    String keyId = newKey(kms);
    kms.disableKey(b -> b.keyId(keyId));

    kms.enableKey(b -> b.keyId(keyId));

    KeyMetadata md = kms.describeKey(b -> b.keyId(keyId)).keyMetadata();
    assertTrue(md.enabled());
    assertEquals(KeyState.ENABLED, md.keyState());
    assertNotNull(kms.encrypt(b -> b.keyId(keyId).plaintext(ONE_BYTE)).ciphertextBlob());
  }

  @Test
  void enableKey_andDisableKey_areIdempotent() {
    String keyId = newKey(kms);

    kms.enableKey(b -> b.keyId(keyId));
    kms.disableKey(b -> b.keyId(keyId));
    kms.disableKey(b -> b.keyId(keyId));

    assertEquals(KeyState.DISABLED, kms.describeKey(b -> b.keyId(keyId)).keyMetadata().keyState());
  }

  @Test
  void encrypt_onDisabledKey_isDisabledException() {
    String keyId = newKey(kms);
    kms.disableKey(b -> b.keyId(keyId));

    DisabledException e =
        assertThrows(
            DisabledException.class, () -> kms.encrypt(b -> b.keyId(keyId).plaintext(ONE_BYTE)));

    // AWS's key state table: "DisabledException: <key ARN> is disabled."
    assertEquals(keyArn(keyId) + " is disabled.", e.awsErrorDetails().errorMessage());
  }

  @Test
  void dataPlane_onDisabledKey_isDisabledException() {
    TestKey key = newKeyWithAlias(kms);
    SdkBytes blob = kms.encrypt(b -> b.keyId(key.keyId()).plaintext(ONE_BYTE)).ciphertextBlob();
    kms.disableKey(b -> b.keyId(key.keyId()));

    assertAll(
        () ->
            assertThrows(
                DisabledException.class,
                () -> kms.encrypt(b -> b.keyId(key.aliasName()).plaintext(ONE_BYTE))),
        () -> assertThrows(DisabledException.class, () -> kms.decrypt(b -> b.ciphertextBlob(blob))),
        () ->
            assertThrows(
                DisabledException.class,
                () -> kms.generateDataKey(b -> b.keyId(key.keyId()).keySpec(DataKeySpec.AES_256))),
        () ->
            assertThrows(
                DisabledException.class,
                () ->
                    kms.generateDataKeyWithoutPlaintext(
                        b -> b.keyId(key.keyId()).numberOfBytes(32))));
  }

  // --- ScheduleKeyDeletion / CancelKeyDeletion ---------------------------------------------------

  @Test
  void scheduleKeyDeletion_withoutWindow_defaultsTo30Days() {
    String keyId = newKey(kms);
    Instant now = server.clock().instant();

    ScheduleKeyDeletionResponse r = kms.scheduleKeyDeletion(b -> b.keyId(keyId));

    assertEquals(keyArn(keyId), r.keyId());
    assertEquals(KeyState.PENDING_DELETION, r.keyState());
    assertEquals(30, r.pendingWindowInDays());
    assertAbout(now.plus(Duration.ofDays(30)), r.deletionDate());
  }

  @ParameterizedTest
  @ValueSource(ints = {7, 30})
  void scheduleKeyDeletion_withWindowAtTheBounds_isAccepted(int days) {
    String keyId = newKey(kms);
    Instant now = server.clock().instant();

    ScheduleKeyDeletionResponse r =
        kms.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(days));

    assertEquals(keyArn(keyId), r.keyId());
    assertEquals(KeyState.PENDING_DELETION, r.keyState());
    assertEquals(days, r.pendingWindowInDays());
    assertAbout(now.plus(Duration.ofDays(days)), r.deletionDate());
    KeyMetadata md = kms.describeKey(b -> b.keyId(keyId)).keyMetadata();
    assertEquals(KeyState.PENDING_DELETION, md.keyState());
    assertFalse(md.enabled());
    assertAbout(now.plus(Duration.ofDays(days)), md.deletionDate());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 6, 31, 365, 366})
  void scheduleKeyDeletion_withWindowOutside7To30_isValidationExceptionAndKeepsKey(int days) {
    String keyId = newKey(kms);

    KmsException e =
        assertAwsError(
            "ValidationException",
            () -> kms.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(days)));

    String message = e.awsErrorDetails().errorMessage();
    assertTrue(message.contains("'pendingWindowInDays'"), message);
    assertTrue(message.contains("'" + days + "'"), message);
    assertEquals(KeyState.ENABLED, kms.describeKey(b -> b.keyId(keyId)).keyMetadata().keyState());
  }

  @Test
  void scheduleKeyDeletion_ofDisabledKey_isAccepted() {
    String keyId = newKey(kms);
    kms.disableKey(b -> b.keyId(keyId));

    assertEquals(
        KeyState.PENDING_DELETION,
        kms.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7)).keyState());
  }

  static Stream<Arguments> operationsOnPendingKey() {
    return Stream.of(
        op("Encrypt", (kms, key) -> kms.encrypt(b -> b.keyId(key.keyId()).plaintext(ONE_BYTE))),
        op(
            "Encrypt via alias",
            (kms, key) -> kms.encrypt(b -> b.keyId(key.aliasName()).plaintext(ONE_BYTE))),
        op(
            "GenerateDataKey",
            (kms, key) ->
                kms.generateDataKey(b -> b.keyId(key.keyId()).keySpec(DataKeySpec.AES_256))),
        op(
            "GenerateDataKeyWithoutPlaintext",
            (kms, key) ->
                kms.generateDataKeyWithoutPlaintext(
                    b -> b.keyId(key.keyId()).keySpec(DataKeySpec.AES_128))),
        op("EnableKey", (kms, key) -> kms.enableKey(b -> b.keyId(key.keyId()))),
        op("DisableKey", (kms, key) -> kms.disableKey(b -> b.keyId(key.keyId()))),
        op(
            "ScheduleKeyDeletion again",
            (kms, key) -> kms.scheduleKeyDeletion(b -> b.keyId(key.keyId()))),
        op(
            "UpdateKeyDescription",
            (kms, key) -> kms.updateKeyDescription(b -> b.keyId(key.keyId()).description("x"))),
        op(
            "TagResource",
            (kms, key) ->
                kms.tagResource(
                    b ->
                        b.keyId(key.keyId())
                            .tags(Tag.builder().tagKey("a").tagValue("b").build()))),
        op(
            "UntagResource",
            (kms, key) -> kms.untagResource(b -> b.keyId(key.keyId()).tagKeys("a"))),
        op(
            "CreateAlias",
            (kms, key) ->
                kms.createAlias(
                    b -> b.aliasName(KmsTesting.uniqueAliasName()).targetKeyId(key.keyId()))),
        op(
            "UpdateAlias",
            (kms, key) ->
                kms.updateAlias(b -> b.aliasName(key.aliasName()).targetKeyId(key.keyId()))));
  }

  private static Arguments op(String name, KeyOperation op) {
    return Arguments.of(name, op);
  }

  /** An operation on a key, for parameterised state checks. */
  @FunctionalInterface
  interface KeyOperation {
    void apply(KmsClient kms, TestKey key);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("operationsOnPendingKey")
  void operation_onKeyPendingDeletion_isKmsInvalidStateException(String name, KeyOperation op) {
    TestKey key = newKeyWithAlias(kms);
    kms.scheduleKeyDeletion(b -> b.keyId(key.keyId()).pendingWindowInDays(7));

    KmsInvalidStateException e =
        assertThrows(KmsInvalidStateException.class, () -> op.apply(kms, key));

    // AWS's key state table: "KMSInvalidStateException: <key ARN> is pending deletion."
    assertEquals(key.arn() + " is pending deletion.", e.awsErrorDetails().errorMessage());
    assertEquals(
        KeyState.PENDING_DELETION,
        kms.describeKey(b -> b.keyId(key.keyId())).keyMetadata().keyState());
  }

  @Test
  void decrypt_ofBlobUnderKeyPendingDeletion_isKmsInvalidStateException() {
    String keyId = newKey(kms);
    SdkBytes blob = kms.encrypt(b -> b.keyId(keyId).plaintext(ONE_BYTE)).ciphertextBlob();
    kms.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7));

    assertThrows(KmsInvalidStateException.class, () -> kms.decrypt(b -> b.ciphertextBlob(blob)));
  }

  @Test
  void cancelKeyDeletion_ofPendingKey_answersArnAndLeavesKeyDisabled() {
    String keyId = newKey(kms);
    SdkBytes blob = kms.encrypt(b -> b.keyId(keyId).plaintext(ONE_BYTE)).ciphertextBlob();
    kms.scheduleKeyDeletion(b -> b.keyId(keyId).pendingWindowInDays(7));

    CancelKeyDeletionResponse r = kms.cancelKeyDeletion(b -> b.keyId(keyId));

    assertEquals(keyArn(keyId), r.keyId());
    KeyMetadata md = kms.describeKey(b -> b.keyId(keyId)).keyMetadata();
    assertEquals(KeyState.DISABLED, md.keyState());
    assertFalse(md.enabled());
    assertNull(md.deletionDate());
    kms.enableKey(b -> b.keyId(keyId));
    assertEquals(1, kms.decrypt(b -> b.ciphertextBlob(blob)).plaintext().asByteArray().length);
  }

  @Test
  void cancelKeyDeletion_ofKeyNotPendingDeletion_isKmsInvalidStateException() {
    String enabled = newKey(kms);
    String disabled = newKey(kms);
    kms.disableKey(b -> b.keyId(disabled));

    KmsInvalidStateException e =
        assertThrows(
            KmsInvalidStateException.class, () -> kms.cancelKeyDeletion(b -> b.keyId(enabled)));
    assertThrows(
        KmsInvalidStateException.class, () -> kms.cancelKeyDeletion(b -> b.keyId(disabled)));

    // AWS's key state table: "KMSInvalidStateException: <key ARN> is not pending deletion."
    assertEquals(keyArn(enabled) + " is not pending deletion.", e.awsErrorDetails().errorMessage());
  }

  @ParameterizedTest
  @MethodSource("unknownKeyIds")
  void keyLifecycleOperations_onUnknownKey_areNotFoundException(String keyId) {
    List<Consumer<KmsClient>> calls =
        List.of(
            c -> c.enableKey(b -> b.keyId(keyId)),
            c -> c.disableKey(b -> b.keyId(keyId)),
            c -> c.scheduleKeyDeletion(b -> b.keyId(keyId)),
            c -> c.cancelKeyDeletion(b -> b.keyId(keyId)),
            c -> c.updateKeyDescription(b -> b.keyId(keyId).description("x")));
    assertAll(
        calls.stream()
            .map(call -> () -> assertThrows(NotFoundException.class, () -> call.accept(kms))));
  }

  // --- UpdateKeyDescription ----------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(KeyIdForm.class)
  void updateKeyDescription_byEachKeyIdForm_replacesDescription(KeyIdForm form) {
    TestKey key = newKeyWithAlias(kms);

    kms.updateKeyDescription(b -> b.keyId(form.of(key)).description("rotated quarterly"));

    assertEquals(
        "rotated quarterly",
        kms.describeKey(b -> b.keyId(key.keyId())).keyMetadata().description());
  }

  @Test
  void updateKeyDescription_toEmptyString_clearsDescription() {
    String keyId = kms.createKey(b -> b.description("old")).keyMetadata().keyId();

    kms.updateKeyDescription(b -> b.keyId(keyId).description(""));

    assertEquals("", kms.describeKey(b -> b.keyId(keyId)).keyMetadata().description());
  }

  private static void assertAbout(Instant expected, Instant actual) {
    assertNotNull(actual);
    long skew = Math.abs(Duration.between(expected, actual).toSeconds());
    assertTrue(skew <= 60, () -> "expected about " + expected + " but was " + actual);
  }
}
