package org.hsmkms.authz;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One request as the policies see it: who asks, for what action, on which resource, and the
 * request's condition keys.
 *
 * <p>Condition key names are compared case-insensitively, as AWS does, except the {@code <k>} of
 * {@code kms:EncryptionContext:<k>}, which keeps its case. A key absent from the map is absent from
 * the request; the constructor stores the map under canonical names once, so that evaluation only
 * looks keys up.
 *
 * @param principalArn the caller's principal ARN, e.g. {@code arn:aws:iam::111122223333:user/alice}
 * @param principalAccount the caller's 12-digit account id
 * @param action the action, e.g. {@code kms:Decrypt}
 * @param resource the key ARN, or {@link #ACCOUNT_LEVEL} for an action that names no key
 * @param conditionKeys the request's condition keys and their values
 */
public record AuthzRequest(
    String principalArn,
    String principalAccount,
    String action,
    String resource,
    Map<String, List<String>> conditionKeys) {

  /** The resource of an account-level action (CreateKey, ListKeys, GenerateRandom, ...). */
  public static final String ACCOUNT_LEVEL = "*";

  /** Checks the fields and stores the condition keys under their canonical names. */
  public AuthzRequest {
    Objects.requireNonNull(principalArn, "principalArn");
    Objects.requireNonNull(principalAccount, "principalAccount");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(resource, "resource");
    // Once per request: a ConditionKeyMap is kept as it is.
    conditionKeys = ConditionKeyMap.of(conditionKeys);
  }

  /** A request without condition keys. */
  public static AuthzRequest of(
      String principalArn, String principalAccount, String action, String resource) {
    return new AuthzRequest(principalArn, principalAccount, action, resource, Map.of());
  }

  /** Whether the action names no key, so that only the identity policy decides. */
  public boolean isAccountLevel() {
    return ACCOUNT_LEVEL.equals(resource);
  }

  /**
   * The request's encryption context, read back from its {@code kms:EncryptionContext:<k>}
   * condition keys: each {@code <k>} with its (first) value, case kept. Empty when the request has
   * none. For grant constraints, which compare the request's context with the grant's.
   */
  public Map<String, String> encryptionContext() {
    String prefix = ConditionKeys.canonical("kms:EncryptionContext:");
    Map<String, String> context = new HashMap<>();
    for (Map.Entry<String, List<String>> entry : conditionKeys.entrySet()) {
      if (entry.getKey().startsWith(prefix) && !entry.getValue().isEmpty()) {
        context.put(entry.getKey().substring(prefix.length()), entry.getValue().get(0));
      }
    }
    return Map.copyOf(context);
  }

  /** The values of one condition key (by canonical name), or null when the request lacks it. */
  List<String> values(String canonicalKey) {
    return conditionKeys.get(canonicalKey);
  }
}
