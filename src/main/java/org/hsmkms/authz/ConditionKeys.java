package org.hsmkms.authz;

import java.util.Locale;

/** Condition key names: AWS compares them case-insensitively, but not an encryption context key. */
final class ConditionKeys {
  private static final String ENCRYPTION_CONTEXT = "kms:EncryptionContext:";

  private ConditionKeys() {}

  /** The name under which a key is stored and looked up. */
  static String canonical(String name) {
    // kms:EncryptionContext:<k>: the prefix is a condition key name, <k> is the caller's data.
    if (name.regionMatches(true, 0, ENCRYPTION_CONTEXT, 0, ENCRYPTION_CONTEXT.length())) {
      return ENCRYPTION_CONTEXT.toLowerCase(Locale.ROOT)
          + name.substring(ENCRYPTION_CONTEXT.length());
    }
    return name.toLowerCase(Locale.ROOT);
  }
}
