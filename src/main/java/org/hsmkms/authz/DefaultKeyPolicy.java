package org.hsmkms.authz;

import java.util.regex.Pattern;

/**
 * AWS's default key policy, which a key created without a policy gets: one statement giving the
 * account's root principal {@code kms:*} on the key, so that the account's identity policies decide
 * who may use and manage it.
 */
public final class DefaultKeyPolicy {
  private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");

  private DefaultKeyPolicy() {}

  /** The default key policy's text for an account, as AWS writes it. */
  public static String forAccount(String account) {
    if (!ACCOUNT_ID.matcher(account).matches()) {
      throw new IllegalArgumentException("an account id has 12 digits");
    }
    // As GetKeyPolicy returns it from AWS KMS, spacing included.
    return "{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n"
        + "  \"Statement\" : [ {\n    \"Sid\" : \"Enable IAM User Permissions\",\n"
        + "    \"Effect\" : \"Allow\",\n    \"Principal\" : {\n      \"AWS\" : \"arn:aws:iam::"
        + account
        + ":root\"\n    },\n    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n"
        + "  } ]\n}";
  }
}
