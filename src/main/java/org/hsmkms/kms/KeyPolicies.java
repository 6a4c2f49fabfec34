package org.hsmkms.kms;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.hsmkms.kms.Keys.Use;
import org.hsmkms.store.KeyRecord;
import org.hsmkms.store.MetadataStore;

/**
 * Key policy documents: GetKeyPolicy, ListKeyPolicies and PutKeyPolicy, the default policy of a key
 * created without one, and the one check every policy passes before it is stored ({@link
 * #checkPolicy}), for CreateKey and PutKeyPolicy alike.
 *
 * <p>Security: policies are stored and returned as given; no request is authorized by them yet.
 * Each key has one policy, named {@value #DEFAULT_NAME}, as in AWS KMS.
 */
public final class KeyPolicies {
  /** The only policy name AWS KMS knows. */
  public static final String DEFAULT_NAME = "default";

  // PutKeyPolicy, CreateKey: "The key policy size quota is 32 kilobytes (32768 bytes)."
  static final int MAX_POLICY_BYTES = 32 * 1024;

  private final MetadataStore store;
  private final Keys keys;

  public KeyPolicies(MetadataStore store, Keys keys) {
    this.store = store;
    this.keys = keys;
  }

  /**
   * The checks a key policy passes before CreateKey or PutKeyPolicy stores it.
   *
   * <p>Today: the document is one JSON object of at most 32 KiB. The policy grammar (Version,
   * Statement, Effect, Principal, Action, Resource, Condition) and the lockout safety check (the
   * policy must let the caller call PutKeyPolicy later, unless {@code bypassLockoutSafetyCheck})
   * belong here too, and are not made yet: nothing is refused for them.
   *
   * @throws KmsException MalformedPolicyDocumentException, saying what is wrong
   */
  public void checkPolicy(RequestContext ctx, String policy, boolean bypassLockoutSafetyCheck) {
    if (policy.getBytes(StandardCharsets.UTF_8).length > MAX_POLICY_BYTES) {
      throw new KmsException(
          ErrorCode.MALFORMED_POLICY_DOCUMENT,
          "The key policy is larger than " + MAX_POLICY_BYTES + " bytes.");
    }
    if (!JsonSyntax.isObject(policy)) {
      throw new KmsException(
          ErrorCode.MALFORMED_POLICY_DOCUMENT, "The policy document is not a valid JSON object.");
    }
  }

  /** GetKeyPolicy: the policy exactly as stored. PolicyName defaults to {@value #DEFAULT_NAME}. */
  public String getKeyPolicy(RequestContext ctx, String keyId, String policyName) {
    KeyRecord key = keys.resolve(ctx, keyId, Use.READ);
    checkName(ctx, key, policyName);
    return key.policy();
  }

  /** ListKeyPolicies: the one name {@value #DEFAULT_NAME}, paged as AWS pages (Limit 1..1000). */
  public Page<String> listKeyPolicies(RequestContext ctx, String keyId, int limit, String marker) {
    keys.resolve(ctx, keyId, Use.READ);
    String after = Markers.decode("policy", marker);
    List<String> names = new ArrayList<>();
    for (String name : List.of(DEFAULT_NAME)) {
      if (after == null || name.compareTo(after) > 0) {
        names.add(name);
      }
    }
    if (names.size() > limit) {
      List<String> page = names.subList(0, limit);
      return new Page<>(page, Markers.encode("policy", page.get(limit - 1)));
    }
    return new Page<>(names, null);
  }

  /**
   * PutKeyPolicy: replaces the key's policy. A management operation: keys of the caller's account
   * only, not while the key is pending deletion (KMSInvalidStateException).
   */
  public void putKeyPolicy(
      RequestContext ctx,
      String keyId,
      String policyName,
      String policy,
      boolean bypassLockoutSafetyCheck) {
    synchronized (keys.lifecycleLock()) {
      KeyRecord key = keys.resolve(ctx, keyId, Use.MANAGE);
      checkName(ctx, key, policyName);
      checkPolicy(ctx, policy, bypassLockoutSafetyCheck);
      store.updateKey(key.withPolicy(policy));
    }
  }

  /** The policy a key created without one gets: the account (its root principal) may do all. */
  static String defaultPolicy(String account) {
    return "{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n"
        + "  \"Statement\" : [ {\n    \"Sid\" : \"Enable IAM User Permissions\",\n"
        + "    \"Effect\" : \"Allow\",\n    \"Principal\" : {\n      \"AWS\" : \"arn:aws:iam::"
        + account
        + ":root\"\n    },\n    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n"
        + "  } ]\n}";
  }

  private static void checkName(RequestContext ctx, KeyRecord key, String policyName) {
    // GetKeyPolicy, PutKeyPolicy: "The only valid name is default."
    if (policyName != null && !DEFAULT_NAME.equals(policyName)) {
      throw new KmsException(
          ErrorCode.NOT_FOUND,
          "Policy '" + policyName + "' does not exist on key '" + ctx.keyArn(key.keyId()) + "'");
    }
  }
}
