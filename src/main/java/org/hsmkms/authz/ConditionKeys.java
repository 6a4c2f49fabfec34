package org.hsmkms.authz;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Condition key names: AWS compares them case-insensitively, but not an encryption context key. */
final class ConditionKeys {
  private static final String ENCRYPTION_CONTEXT = "kms:EncryptionContext:";
  private static final String ENCRYPTION_CONTEXT_CANONICAL =
      ENCRYPTION_CONTEXT.toLowerCase(Locale.ROOT);

  /**
   * The canonical names of the keys every request gives ({@code RequestConditions}), computed once:
   * a request's names are these literals, found here by their cached hash instead of lower-cased.
   */
  private static final Map<String, String> KNOWN = known();

  private ConditionKeys() {}

  private static Map<String, String> known() {
    Map<String, String> m = new HashMap<>();
    for (String name :
        List.of(
            "aws:PrincipalArn",
            "aws:PrincipalAccount",
            "kms:CallerAccount",
            "aws:PrincipalType",
            "aws:SourceIp",
            "aws:SecureTransport",
            "aws:CurrentTime",
            "aws:EpochTime",
            "kms:EncryptionContextKeys",
            "kms:EncryptionAlgorithm",
            "kms:RequestAlias",
            "kms:DataKeyPairSpec",
            "kms:SigningAlgorithm",
            "kms:MessageType",
            "kms:MacAlgorithm",
            "kms:GrantIsForAWSResource")) {
      m.put(name, name.toLowerCase(Locale.ROOT));
    }
    return Map.copyOf(m);
  }

  /**
   * The name under which a key is stored and looked up. Every request canonicalizes its condition
   * keys (a dozen names), so a name that is canonical already is returned as it is, without a copy.
   */
  static String canonical(String name) {
    // kms:EncryptionContext:<k>: the prefix is a condition key name, <k> is the caller's data.
    String known = KNOWN.get(name);
    if (known != null) {
      return known;
    }
    if (name.startsWith(ENCRYPTION_CONTEXT_CANONICAL)) {
      return name;
    }
    if (name.regionMatches(true, 0, ENCRYPTION_CONTEXT, 0, ENCRYPTION_CONTEXT.length())) {
      return ENCRYPTION_CONTEXT_CANONICAL + name.substring(ENCRYPTION_CONTEXT.length());
    }
    return name.toLowerCase(Locale.ROOT);
  }
}
