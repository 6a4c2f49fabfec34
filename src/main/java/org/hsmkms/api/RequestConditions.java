package org.hsmkms.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The condition keys a request gives by itself, before any key is looked at: the caller's ({@code
 * aws:PrincipalArn}, {@code aws:PrincipalAccount}, {@code kms:CallerAccount}, {@code
 * aws:username}), the connection's ({@code aws:SourceIp}, {@code aws:SecureTransport}), the time
 * ({@code aws:CurrentTime}, {@code aws:EpochTime}), and those AWS KMS takes from the request's
 * fields (AWS "AWS KMS condition keys"): {@code kms:EncryptionContext:<k>}, {@code
 * kms:EncryptionContextKeys}, the algorithms, {@code kms:RequestAlias}, the grant's fields, tags,
 * and CreateKey's properties. A field the request leaves out is given its AWS default where AWS
 * evaluates one (e.g. {@code kms:EncryptionAlgorithm} SYMMETRIC_DEFAULT), otherwise the key is
 * absent.
 *
 * <p>Security: condition keys carry the request's encryption context values, which are not secret
 * (AWS logs them in CloudTrail), but never a plaintext; this class reads no other field.
 */
final class RequestConditions {
  private static final String SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT";

  private final Map<String, List<String>> keys = new HashMap<>();

  private RequestConditions() {}

  /**
   * The condition keys of one request.
   *
   * @param operation the AWS operation name
   * @param request the validated request
   * @param secureTransport whether the request came over TLS
   */
  static Map<String, List<String>> of(
      String principalArn,
      String principalAccount,
      String sourceAddress,
      boolean secureTransport,
      Instant now,
      String operation,
      JsonNode request) {
    RequestConditions c = new RequestConditions();
    c.put("aws:PrincipalArn", principalArn);
    c.put("aws:PrincipalAccount", principalAccount);
    c.put("kms:CallerAccount", principalAccount);
    c.put("aws:PrincipalType", principalType(principalArn));
    String user = userName(principalArn);
    if (user != null) {
      c.put("aws:username", user);
    }
    if (sourceAddress != null) {
      c.put("aws:SourceIp", sourceAddress);
    }
    c.put("aws:SecureTransport", Boolean.toString(secureTransport));
    c.put("aws:CurrentTime", now.toString());
    c.put("aws:EpochTime", Long.toString(now.getEpochSecond()));
    c.fromRequest(operation, request);
    return c.keys;
  }

  private void fromRequest(String operation, JsonNode r) {
    requestAlias(text(r, "KeyId"));
    requestAlias(text(r, "SourceKeyId"));
    requestAlias(text(r, "DestinationKeyId"));
    switch (operation) {
      case "Encrypt", "Decrypt" -> {
        context(r.get("EncryptionContext"));
        put("kms:EncryptionAlgorithm", orDefault(text(r, "EncryptionAlgorithm")));
      }
      case "GenerateDataKey", "GenerateDataKeyWithoutPlaintext" -> {
        context(r.get("EncryptionContext"));
        put("kms:EncryptionAlgorithm", SYMMETRIC_DEFAULT);
      }
      case "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext" -> {
        context(r.get("EncryptionContext"));
        put("kms:EncryptionAlgorithm", SYMMETRIC_DEFAULT);
        put("kms:DataKeyPairSpec", text(r, "KeyPairSpec"));
      }
      case "ReEncrypt" -> {
        // One request, two contexts and two algorithms: a condition sees both.
        context(r.get("SourceEncryptionContext"));
        context(r.get("DestinationEncryptionContext"));
        put("kms:EncryptionAlgorithm", orDefault(text(r, "SourceEncryptionAlgorithm")));
        add("kms:EncryptionAlgorithm", orDefault(text(r, "DestinationEncryptionAlgorithm")));
      }
      case "Sign", "Verify" -> {
        put("kms:SigningAlgorithm", text(r, "SigningAlgorithm"));
        String type = text(r, "MessageType");
        put("kms:MessageType", type == null ? "RAW" : type);
      }
      case "GenerateMac", "VerifyMac" -> put("kms:MacAlgorithm", text(r, "MacAlgorithm"));
      case "DeriveSharedSecret" ->
          put("kms:KeyAgreementAlgorithm", text(r, "KeyAgreementAlgorithm"));
      case "CreateKey" -> createKey(r);
      case "PutKeyPolicy" -> bypass(r);
      case "TagResource" -> tags(r.get("Tags"));
      case "UntagResource" -> tagKeys(r.get("TagKeys"));
      case "EnableKeyRotation" ->
          put("kms:RotationPeriodInDays", number(r, "RotationPeriodInDays", 365));
      case "ScheduleKeyDeletion" ->
          put("kms:ScheduleKeyDeletionPendingWindowInDays", number(r, "PendingWindowInDays", 30));
      case "CreateGrant" -> createGrant(r);
      case "ListGrants", "RevokeGrant" -> put("kms:GrantIsForAWSResource", "false");
      default -> {}
    }
  }

  private void createKey(JsonNode r) {
    String spec = text(r, "KeySpec");
    if (spec == null) {
      spec = text(r, "CustomerMasterKeySpec");
    }
    put("kms:KeySpec", spec == null ? SYMMETRIC_DEFAULT : spec);
    String usage = text(r, "KeyUsage");
    put("kms:KeyUsage", usage == null ? "ENCRYPT_DECRYPT" : usage);
    String origin = text(r, "Origin");
    put("kms:KeyOrigin", origin == null ? "AWS_KMS" : origin);
    JsonNode multi = r.get("MultiRegion");
    put("kms:MultiRegion", Boolean.toString(multi != null && multi.asBoolean()));
    bypass(r);
    tags(r.get("Tags"));
  }

  private void createGrant(JsonNode r) {
    JsonNode constraints = r.get("Constraints");
    if (constraints != null && constraints.isObject()) {
      for (String type : List.of("EncryptionContextEquals", "EncryptionContextSubset")) {
        JsonNode c = constraints.get(type);
        if (c != null && !c.isNull()) {
          add("kms:GrantConstraintType", type);
          context(c);
        }
      }
    }
    JsonNode ops = r.get("Operations");
    if (ops != null && ops.isArray()) {
      for (JsonNode op : ops) {
        add("kms:GrantOperations", op.asText());
      }
    }
    put("kms:GranteePrincipal", text(r, "GranteePrincipal"));
    put("kms:RetiringPrincipal", text(r, "RetiringPrincipal"));
    put("kms:GrantIsForAWSResource", "false");
  }

  private void bypass(JsonNode r) {
    JsonNode b = r.get("BypassPolicyLockoutSafetyCheck");
    put("kms:BypassPolicyLockoutSafetyCheck", Boolean.toString(b != null && b.asBoolean()));
  }

  private void context(JsonNode context) {
    if (context == null || !context.isObject()) {
      return;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = context.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      add("kms:EncryptionContext:" + f.getKey(), f.getValue().asText());
      add("kms:EncryptionContextKeys", f.getKey());
    }
  }

  private void tags(JsonNode tags) {
    if (tags == null || !tags.isArray()) {
      return;
    }
    for (JsonNode tag : tags) {
      String key = text(tag, "TagKey");
      if (key != null) {
        put("aws:RequestTag/" + key, text(tag, "TagValue"));
        add("aws:TagKeys", key);
      }
    }
  }

  private void tagKeys(JsonNode keys) {
    if (keys != null && keys.isArray()) {
      for (JsonNode k : keys) {
        add("aws:TagKeys", k.asText());
      }
    }
  }

  /** kms:RequestAlias: the alias name when the request names its key by alias or alias ARN. */
  private void requestAlias(String keyId) {
    if (keyId == null) {
      return;
    }
    if (keyId.startsWith("alias/")) {
      add("kms:RequestAlias", keyId);
    } else if (keyId.startsWith("arn:") && keyId.contains(":alias/")) {
      add("kms:RequestAlias", keyId.substring(keyId.indexOf(":alias/") + 1));
    }
  }

  private void put(String key, String value) {
    if (value != null) {
      keys.put(key, List.of(value));
    }
  }

  private void add(String key, String value) {
    if (value == null) {
      return;
    }
    List<String> old = keys.get(key);
    if (old == null) {
      keys.put(key, List.of(value));
      return;
    }
    Set<String> all = new LinkedHashSet<>(old);
    all.add(value);
    keys.put(key, new ArrayList<>(all));
  }

  private static String text(JsonNode r, String field) {
    JsonNode n = r.get(field);
    return n == null || n.isNull() ? null : n.asText();
  }

  private static String orDefault(String algorithm) {
    return algorithm == null ? SYMMETRIC_DEFAULT : algorithm;
  }

  private static String number(JsonNode r, String field, int absent) {
    JsonNode n = r.get(field);
    return Long.toString(n == null || n.isNull() ? absent : n.asLong());
  }

  /** aws:PrincipalType: Account for the root, AssumedRole for an STS session, else User. */
  private static String principalType(String arn) {
    if (arn.endsWith(":root")) {
      return "Account";
    }
    return arn.contains(":assumed-role/") ? "AssumedRole" : "User";
  }

  /** aws:username: the friendly name of an IAM user (the last segment of its ARN's path). */
  static String userName(String arn) {
    int user = arn.indexOf(":user/");
    if (user < 0 || !arn.startsWith("arn:aws:iam::")) {
      return null;
    }
    return arn.substring(arn.lastIndexOf('/') + 1);
  }
}
