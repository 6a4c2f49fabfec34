package org.hsmkms.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code --policies} puts in place: a key policy of the shape AWS's console writes for a key
 * with separate administrators and users (its documentation's "default key policy" sections), made
 * a little stricter with an encryption-context and a tag condition, and the narrow identity policy
 * of the bench's own non-admin principal.
 *
 * <p>Every request the bench sends in this mode carries {@link #ENCRYPTION_CONTEXT}, and every key
 * it creates carries {@link #TAG}, so that the key-user statement allows them; the Deny statement
 * and the grant statement are there to be evaluated, never to decide a bench request.
 *
 * <p>Security: the documents name principals and conditions only; no secret is in them.
 */
final class BenchPolicy {
  /** First: the constants below are written with it. */
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The bench principal's name: {@code arn:aws:iam::ACCOUNT:user/bench-app}. */
  static final String USER_NAME = "bench-app";

  /**
   * The bench principal's access key id: one per data directory, replaced (with a new secret) by
   * every run and removed when it ends.
   */
  static final String ACCESS_KEY_ID = "AKIDHSMKMSBENCHAPP";

  static final String CONTEXT_KEY = "application";
  static final String CONTEXT_VALUE = "hsm-kms-bench";

  /** Sent with every request that takes an encryption context; the key-user statement asks it. */
  static final Map<String, String> ENCRYPTION_CONTEXT = Map.of(CONTEXT_KEY, CONTEXT_VALUE);

  /** The tag every bench key carries; the key-user statements ask it of {@code aws:ResourceTag}. */
  static final String TAG_KEY = "environment";

  static final String TAG_VALUE = "bench";

  /** How many statements {@link #keyPolicy} has. */
  static final int STATEMENTS = 6;

  /**
   * The encryption context key the Deny statement refuses for Decrypt (the bench never sends it).
   */
  static final String FORBIDDEN_CONTEXT_KEY = "forbidden";

  /**
   * The bench principal's identity policy: kms:GenerateRandom only, the one account-level action
   * the bench measures, which no key policy can allow (the identity policy alone decides an
   * account-level action). Every key action must come from the key policy.
   */
  static final String IDENTITY_POLICY =
      json(
          Map.of(
              "Version",
              "2012-10-17",
              "Statement",
              List.of(
                  statement(
                      "AllowRandomBytes", "Allow", null, List.of("kms:GenerateRandom"), null))));

  private BenchPolicy() {}

  /** The bench principal of an account. */
  static String principal(String account) {
    return "arn:aws:iam::" + account + ":user/" + USER_NAME;
  }

  /**
   * The key policy of a bench key, six statements.
   *
   * @param account the key's account: its root gets {@code kms:*}, so that identity policies (those
   *     of the administrators the bench signs its set-up with) keep working
   * @param keyAdministrator who manages the key but may not use it
   * @param keyUser who uses the key with {@link #ENCRYPTION_CONTEXT}: the bench principal
   */
  static String keyPolicy(String account, String keyAdministrator, String keyUser) {
    // The key-user conditions: both must hold (condition operators and keys are ANDed).
    Map<String, Object> onlyTheBenchContextAndTag =
        Map.of(
            "StringEquals",
            Map.of(
                "kms:EncryptionContext:" + CONTEXT_KEY,
                CONTEXT_VALUE,
                "aws:ResourceTag/" + TAG_KEY,
                TAG_VALUE));
    return json(
        Map.of(
            "Version",
            "2012-10-17",
            "Id",
            "hsm-kms-bench-key-policy",
            "Statement",
            List.of(
                statement(
                    "Enable IAM User Permissions",
                    "Allow",
                    "arn:aws:iam::" + account + ":root",
                    List.of("kms:*"),
                    null),
                statement(
                    "Allow access for Key Administrators",
                    "Allow",
                    keyAdministrator,
                    List.of(
                        "kms:Create*",
                        "kms:Describe*",
                        "kms:Enable*",
                        "kms:List*",
                        "kms:Put*",
                        "kms:Update*",
                        "kms:Revoke*",
                        "kms:Disable*",
                        "kms:Get*",
                        "kms:Delete*",
                        "kms:TagResource",
                        "kms:UntagResource",
                        "kms:ScheduleKeyDeletion",
                        "kms:CancelKeyDeletion"),
                    null),
                statement(
                    "Allow use of the key",
                    "Allow",
                    keyUser,
                    List.of("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"),
                    onlyTheBenchContextAndTag),
                // DescribeKey carries no encryption context, so under the key-user condition it
                // would never be allowed (an absent condition key never matches StringEquals).
                statement(
                    "Allow key users to describe the key",
                    "Allow",
                    keyUser,
                    List.of("kms:DescribeKey"),
                    Map.of("StringEquals", Map.of("aws:ResourceTag/" + TAG_KEY, TAG_VALUE))),
                statement(
                    "Allow attachment of persistent resources",
                    "Allow",
                    keyUser,
                    List.of("kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"),
                    Map.of("Bool", Map.of("kms:GrantIsForAWSResource", "true"))),
                statement(
                    "Deny decryption under a forbidden context key",
                    "Deny",
                    "*",
                    List.of("kms:Decrypt"),
                    Map.of(
                        "ForAnyValue:StringEquals",
                        Map.of("kms:EncryptionContextKeys", FORBIDDEN_CONTEXT_KEY))))));
  }

  /** The CreateKey request of a bench key: its description, policy and tag. */
  static byte[] createKeyRequest(String policy) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("Description", ServerRun.KEY_DESCRIPTION);
    body.put("Policy", policy);
    body.put("Tags", List.of(Map.of("TagKey", TAG_KEY, "TagValue", TAG_VALUE)));
    return Operations.json(body);
  }

  /**
   * One statement; {@code principal} "*" is anyone, another value an ARN, null none (an identity
   * policy's statement).
   */
  private static Map<String, Object> statement(
      String sid,
      String effect,
      String principal,
      List<String> actions,
      Map<String, Object> condition) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("Sid", sid);
    s.put("Effect", effect);
    if (principal != null) {
      s.put("Principal", principal.equals("*") ? "*" : Map.of("AWS", principal));
    }
    s.put("Action", actions.size() == 1 ? actions.get(0) : actions);
    s.put("Resource", "*");
    if (condition != null) {
      s.put("Condition", condition);
    }
    return s;
  }

  private static String json(Map<String, Object> document) {
    // The top-level names in AWS's order (Version first), whatever Map.of's order.
    Map<String, Object> ordered = new LinkedHashMap<>();
    for (String name : List.of("Version", "Id", "Statement")) {
      if (document.containsKey(name)) {
        ordered.put(name, document.get(name));
      }
    }
    try {
      return JSON.writeValueAsString(ordered);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
