package org.hsmkms.kms;

import static org.hsmkms.kms.StoredKeys.ACCOUNT;
import static org.hsmkms.kms.StoredKeys.OTHER_ACCOUNT;
import static org.hsmkms.kms.StoredKeys.OTHER_REGION;
import static org.hsmkms.kms.StoredKeys.REGION;
import static org.hsmkms.kms.StoredKeys.caller;
import static org.hsmkms.kms.TokenServices.refusal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hsmkms.store.KeyRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link KeyPolicies} over a real store: GetKeyPolicy and ListKeyPolicies in every visible state,
 * PutKeyPolicy as a management operation (not pending deletion; caller's account and region only;
 * under the key state lock), the one name {@code default}, and the checks every stored policy
 * passes. No HSM: policies never reach the token.
 */
class KeyPoliciesTest {
  /** A valid key policy: the account root may do everything, so the caller is not locked out. */
  private static final String POLICY =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Root\",\"Effect\":\"Allow\","
          + "\"Principal\":{\"AWS\":\"arn:aws:iam::"
          + StoredKeys.ACCOUNT
          + ":root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";

  @TempDir Path dir;
  private StoredKeys stored;
  private Keys keys;
  private KeyPolicies policies;
  private final RequestContext ctx = caller();

  @BeforeEach
  void open() {
    stored = new StoredKeys(dir);
    keys = new Keys(stored.store);
    policies = new KeyPolicies(stored.store, keys);
  }

  @AfterEach
  void close() {
    stored.close();
  }

  private String storedPolicy(KeyRecord key) {
    return stored.store.findKey(key.keyId()).orElseThrow().policy();
  }

  // --- GetKeyPolicy, ListKeyPolicies
  // ---------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(
      value = KeyState.class,
      names = {"ENABLED", "DISABLED", "PENDING_DELETION", "UNAVAILABLE"})
  void getKeyPolicy_inEachVisibleState_answersTheStoredPolicy(KeyState state) {
    KeyRecord key = stored.add(state);

    assertEquals(key.policy(), policies.getKeyPolicy(ctx, key.keyId(), "default"));
    assertEquals(List.of("default"), policies.listKeyPolicies(ctx, key.keyId(), 100, null).items());
  }

  @Test
  void getKeyPolicy_notesTheKeyForTheAuditRecord() {
    KeyRecord key = stored.add(KeyState.ENABLED);

    policies.getKeyPolicy(ctx, key.keyId(), "default");

    assertEquals(List.of(ctx.keyArn(key.keyId())), ctx.keysUsed().arns());
  }

  @ParameterizedTest
  @ValueSource(strings = {"Default", "other", "default2"})
  void getKeyPolicy_ofAnotherName_isNotFound(String name) {
    KeyRecord key = stored.add(KeyState.ENABLED);

    KmsException e =
        assertThrows(KmsException.class, () -> policies.getKeyPolicy(ctx, key.keyId(), name));

    assertEquals(ErrorCode.NOT_FOUND, e.code());
    assertTrue(e.getMessage().contains(name), e.getMessage());
  }

  @Test
  void listKeyPolicies_limitOne_isNotTruncated_andAMarkerPastDefaultIsTheEnd() {
    KeyRecord key = stored.add(KeyState.ENABLED);

    Page<String> page = policies.listKeyPolicies(ctx, key.keyId(), 1, null);

    assertEquals(List.of("default"), page.items());
    assertFalse(page.truncated());
    assertNull(page.nextMarker());
    Page<String> after =
        policies.listKeyPolicies(ctx, key.keyId(), 1, Markers.encode("policy", "default"));
    assertEquals(List.of(), after.items());
  }

  @Test
  void listKeyPolicies_withAMarkerOfAnotherListing_isInvalidMarker() {
    KeyRecord key = stored.add(KeyState.ENABLED);
    String keysMarker = Markers.encode("key", key.keyId());

    assertEquals(
        ErrorCode.INVALID_MARKER,
        refusal(() -> policies.listKeyPolicies(ctx, key.keyId(), 10, keysMarker)));
  }

  // --- PutKeyPolicy
  // ----------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(
      value = KeyState.class,
      names = {"ENABLED", "DISABLED"})
  void putKeyPolicy_storesThePolicyAsGiven_andChangesNothingElse(KeyState state) {
    KeyRecord key = stored.add(state);

    policies.putKeyPolicy(ctx, key.keyId(), "default", POLICY, false);

    KeyRecord after = stored.store.findKey(key.keyId()).orElseThrow();
    assertEquals(POLICY, after.policy());
    assertEquals(key.withPolicy(POLICY).written(), after);
    assertEquals(POLICY, policies.getKeyPolicy(ctx, ctx.keyArn(key.keyId()), "default"));
  }

  @Test
  void putKeyPolicy_withoutAName_isTheDefaultPolicy() {
    KeyRecord key = stored.add(KeyState.ENABLED);

    policies.putKeyPolicy(ctx, key.keyId(), null, POLICY, true);

    assertEquals(POLICY, storedPolicy(key));
  }

  @Test
  void putKeyPolicy_byAlias_changesTheAliasTarget() {
    KeyRecord key = stored.add(KeyState.ENABLED);
    stored.alias("alias/policies", key);

    policies.putKeyPolicy(ctx, "alias/policies", "default", POLICY, false);

    assertEquals(POLICY, storedPolicy(key));
  }

  @Test
  void putKeyPolicy_onAKeyPendingDeletion_replacesThePolicy_asAwsKeyStateTableSays() {
    // AWS's key state table: PutKeyPolicy succeeds in every key state, PendingDeletion included.
    KeyRecord key = stored.add(KeyState.PENDING_DELETION);

    policies.putKeyPolicy(ctx, key.keyId(), "default", POLICY, false);

    assertEquals(POLICY, storedPolicy(key));
  }

  @Test
  void putKeyPolicy_ofAnotherName_isNotFound_andKeepsThePolicy() {
    KeyRecord key = stored.add(KeyState.ENABLED);

    assertEquals(
        ErrorCode.NOT_FOUND,
        refusal(() -> policies.putKeyPolicy(ctx, key.keyId(), "custom", POLICY, false)));
    assertEquals(key.policy(), storedPolicy(key));
  }

  @Test
  void keysOfAnotherAccountOrRegion_areNotFound_forAllThree() {
    KeyRecord otherAccount = stored.add(OTHER_ACCOUNT, REGION, KeyState.ENABLED);
    KeyRecord otherRegion = stored.add(ACCOUNT, OTHER_REGION, KeyState.ENABLED);

    for (KeyRecord key : List.of(otherAccount, otherRegion)) {
      String arn = "arn:aws:kms:" + key.region() + ":" + key.account() + ":key/" + key.keyId();
      for (String id : List.of(key.keyId(), arn)) {
        assertEquals(ErrorCode.NOT_FOUND, refusal(() -> policies.getKeyPolicy(ctx, id, null)));
        assertEquals(
            ErrorCode.NOT_FOUND, refusal(() -> policies.listKeyPolicies(ctx, id, 10, null)));
        assertEquals(
            ErrorCode.NOT_FOUND,
            refusal(() -> policies.putKeyPolicy(ctx, id, "default", POLICY, false)));
      }
      assertEquals(key.policy(), storedPolicy(key));
    }
  }

  @Test
  void putKeyPolicy_waitsForTheKeyStateLock() throws Exception {
    KeyRecord key = stored.add(KeyState.ENABLED);
    CompletableFuture<Void> put;

    synchronized (keys.lifecycleLock()) {
      put =
          CompletableFuture.runAsync(
              () -> policies.putKeyPolicy(ctx, key.keyId(), "default", POLICY, false));
      // While another state change holds the lock, the write cannot happen.
      assertThrows(
          java.util.concurrent.TimeoutException.class, () -> put.get(200, TimeUnit.MILLISECONDS));
      assertEquals(key.policy(), storedPolicy(key));
    }
    put.get(10, TimeUnit.SECONDS);
    assertEquals(POLICY, storedPolicy(key));
  }

  // --- The checks every stored policy passes
  // --------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"", "nope", "[]", "\"text\"", "42", "null", "{", "{} {}", "{\"a\":1,}"})
  void checkPolicy_notOneJsonObject_isMalformedPolicyDocument(String policy) {
    KmsException e =
        assertThrows(KmsException.class, () -> policies.checkPolicy(ctx, policy, false));

    assertEquals(ErrorCode.MALFORMED_POLICY_DOCUMENT, e.code());
    assertTrue(e.getMessage().startsWith("The policy document is"), e.getMessage());
  }

  @Test
  void checkPolicy_atMost32KiB_countedInUtf8Bytes() {
    String head = "{\"Id\":\"";
    String tail = "\"," + POLICY.substring(1);
    int room = ResourceQuotas.AWS.keyPolicyBytes() - head.length() - tail.length();
    String exactly = head + "x".repeat(room) + tail;
    // The same number of characters, one of them two bytes long.
    String oneByteOver = head + "\u00e9" + "x".repeat(room - 1) + tail;

    policies.checkPolicy(ctx, exactly, false);
    KmsException e =
        assertThrows(KmsException.class, () -> policies.checkPolicy(ctx, oneByteOver, false));
    // A resource quota: LimitExceededException.
    assertEquals(ErrorCode.LIMIT_EXCEEDED, e.code());
    assertEquals("The key policy is larger than 32768 bytes.", e.getMessage());
  }

  @Test
  void checkPolicy_aPutKeyPolicyRefuses_isNotStored() {
    KeyRecord key = stored.add(KeyState.ENABLED);

    assertEquals(
        ErrorCode.MALFORMED_POLICY_DOCUMENT,
        refusal(() -> policies.putKeyPolicy(ctx, key.keyId(), "default", "[]", false)));
    assertEquals(key.policy(), storedPolicy(key));
  }

  @Test
  void defaultPolicy_isAJsonObjectGivingTheAccountRootAllOfKms() {
    String policy = KeyPolicies.defaultPolicy(ACCOUNT);

    policies.checkPolicy(ctx, policy, false);
    assertTrue(policy.contains("\"AWS\" : \"arn:aws:iam::" + ACCOUNT + ":root\""), policy);
    assertTrue(policy.contains("\"Action\" : \"kms:*\""), policy);
  }
}
