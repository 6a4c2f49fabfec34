package org.hsmkms.authz;

/**
 * Principals, key policies and identity policies taken from the examples in AWS's key policy
 * documentation, compiled once for the authorization tests.
 */
final class AwsPolicyExamples {
  private AwsPolicyExamples() {}

  static final String ACCOUNT = "111122223333";
  static final String OTHER = "444455556666";
  static final String KEY = "arn:aws:kms:us-east-1:" + ACCOUNT + ":key/1234abcd";
  static final String OTHER_KEY = "arn:aws:kms:us-east-1:" + ACCOUNT + ":key/9999ffff";
  static final String ALICE = "arn:aws:iam::" + ACCOUNT + ":user/alice";
  static final String KEY_ADMIN = "arn:aws:iam::" + ACCOUNT + ":role/KeyAdmin";
  static final String KEY_USER = "arn:aws:iam::" + ACCOUNT + ":role/KeyUser";
  static final String BOB = "arn:aws:iam::" + OTHER + ":user/bob";
  static final String CAROL = "arn:aws:iam::777788889999:user/carol";

  static final PolicyDocument DEFAULT = key(DefaultKeyPolicy.forAccount(ACCOUNT));

  /** AWS console's key policy: the root statement, key administrators, key users, grants. */
  static final PolicyDocument CONSOLE =
      key(
          """
          {"Version": "2012-10-17", "Id": "key-consolepolicy-3", "Statement": [
            {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "Allow access for Key Administrators", "Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::111122223333:role/KeyAdmin"},
             "Action": ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*",
                        "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*",
                        "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
                        "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand"],
             "Resource": "*"},
            {"Sid": "Allow use of the key", "Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::111122223333:role/KeyUser"},
             "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                        "kms:DescribeKey"],
             "Resource": "*"},
            {"Sid": "Allow attachment of persistent resources", "Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::111122223333:role/KeyUser"},
             "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
             "Resource": "*",
             "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}
          ]}
          """);

  /** The same administrators and users, without the statement that delegates to the account. */
  static final PolicyDocument NO_ROOT =
      key(
          """
          {"Statement": [
            {"Sid": "Allow access for Key Administrators", "Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::111122223333:role/KeyAdmin"},
             "Action": ["kms:Describe*", "kms:Put*", "kms:ScheduleKeyDeletion"], "Resource": "*"},
            {"Sid": "Allow use of the key", "Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::111122223333:role/KeyUser"},
             "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
             "Condition": {"StringEquals": {"kms:EncryptionContext:Department": "IT"}}}
          ]}
          """);

  /** The default policy plus a Deny of deletion and of decryption without TLS. */
  static final PolicyDocument WITH_DENY =
      key(
          """
          {"Statement": [
            {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
             "Principal": {"AWS": "111122223333"}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "Allow alice", "Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "Nobody deletes", "Effect": "Deny", "Principal": "*",
             "Action": "kms:ScheduleKeyDeletion", "Resource": "*"},
            {"Sid": "TLS only", "Effect": "Deny", "Principal": {"AWS": "111122223333"},
             "Action": "kms:Decrypt", "Resource": "*",
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
          ]}
          """);

  /** A key shared with account 444455556666 for cryptographic use, as AWS documents it. */
  static final PolicyDocument CROSS_ACCOUNT =
      key(
          """
          {"Statement": [
            {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "Allow an external account to use this KMS key", "Effect": "Allow",
             "Principal": {"AWS": ["arn:aws:iam::444455556666:root"]},
             "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                        "kms:DescribeKey"],
             "Resource": "*"}
          ]}
          """);

  static final PolicyDocument ADMIN =
      identity(
          """
          {"Version": "2012-10-17", "Statement": {"Sid": "Admin", "Effect": "Allow",
           "Action": "kms:*", "Resource": "*"}}
          """);

  static final PolicyDocument ENCRYPT_ONLY_THIS_KEY =
      identity(
          """
          {"Statement": {"Sid": "EncryptThisKey", "Effect": "Allow",
           "Action": ["kms:Encrypt", "kms:GenerateDataKey"],
           "Resource": "arn:aws:kms:us-east-1:111122223333:key/1234abcd"}}
          """);

  static final PolicyDocument TAG_ABAC =
      identity(
          """
          {"Statement": {"Sid": "ProjectAlphaKeys", "Effect": "Allow",
           "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
           "Resource": "arn:aws:kms:*:111122223333:key/*",
           "Condition": {"StringEquals": {"aws:ResourceTag/Project": "Alpha"}}}}
          """);

  static final PolicyDocument ALIAS_ABAC =
      identity(
          """
          {"Statement": {"Sid": "FinanceAliases", "Effect": "Allow", "Action": "kms:Decrypt",
           "Resource": "arn:aws:kms:*:111122223333:key/*",
           "Condition": {"ForAnyValue:StringLike": {"kms:ResourceAliases": "alias/finance-*"}}}}
          """);

  static final PolicyDocument DENY_DECRYPT =
      identity(
          """
          {"Statement": [
            {"Sid": "Admin", "Effect": "Allow", "Action": "kms:*", "Resource": "*"},
            {"Sid": "NoDecrypt", "Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}]}
          """);

  static final PolicyDocument BOB_USES_SHARED_KEY =
      identity(
          """
          {"Statement": {"Sid": "UseSharedKey", "Effect": "Allow", "Action": "kms:Decrypt",
           "Resource": "arn:aws:kms:us-east-1:111122223333:key/1234abcd"}}
          """);

  // From "AWS KMS condition keys" (conditions-kms.html) and "ABAC for AWS KMS" (abac.html).

  /** conditions-kms, kms:RequestAlias: GenerateDataKey only when the request names the alias. */
  static final PolicyDocument REQUEST_ALIAS =
      key(
          """
          {"Version": "2012-10-17", "Statement": [
            {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "Key policy using a request alias condition", "Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::111122223333:role/developer"},
             "Action": "kms:GenerateDataKey", "Resource": "*",
             "Condition": {"StringEquals": {"kms:RequestAlias": "alias/finance-key"}}}
          ]}
          """);

  /** conditions-kms, kms:ResourceAliases: every alias and at least one alias contains "Test". */
  static final PolicyDocument ALL_ALIASES_TEST =
      identity(
          """
          {"Version": "2012-10-17", "Statement": {"Sid": "AliasBasedIAMPolicy", "Effect": "Allow",
           "Action": ["kms:EnableKey", "kms:DisableKey"],
           "Resource": "arn:aws:kms:*:111122223333:key/*",
           "Condition": {
             "ForAllValues:StringLike": {"kms:ResourceAliases": ["alias/*Test*"]},
             "ForAnyValue:StringLike": {"kms:ResourceAliases": ["alias/*Test*"]}}}}
          """);

  /**
   * conditions-kms, kms:EncryptionContextKeys: only the context keys Department and Project, and a
   * context required (the Null condition; ForAllValues alone also allows an empty context).
   */
  static final PolicyDocument CONTEXT_KEYS_ONLY =
      identity(
          """
          {"Version": "2012-10-17", "Statement": {"Sid": "OnlyKnownContextKeys", "Effect": "Allow",
           "Action": ["kms:Encrypt", "kms:GenerateDataKey*"],
           "Resource": "arn:aws:kms:*:111122223333:key/*",
           "Condition": {
             "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["Department", "Project"]},
             "Null": {"kms:EncryptionContextKeys": "false"}}}}
          """);

  /**
   * conditions-kms, kms:ViaService and kms:CallerAccount, as in AWS managed keys' policies: any
   * principal of the account, but only through the service; and a Deny of direct use. Nothing here
   * calls through an AWS service, so the Allow never applies and the Deny always does.
   */
  static final PolicyDocument VIA_SERVICE =
      key(
          """
          {"Version": "2012-10-17", "Statement": [
            {"Sid": "Allow access through EBS for all principals in the account", "Effect": "Allow",
             "Principal": {"AWS": "*"},
             "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
             "Condition": {"StringEquals": {
               "kms:CallerAccount": "111122223333",
               "kms:ViaService": "ec2.us-east-1.amazonaws.com"}}},
            {"Sid": "Deny direct use", "Effect": "Deny",
             "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",
             "Condition": {"StringNotEquals": {"kms:ViaService": "ec2.us-east-1.amazonaws.com"}}}
          ]}
          """);

  /**
   * abac.html: use keys tagged for the caller's project, never a key tagged Production; create keys
   * only with an allowed set of tag keys.
   */
  static final PolicyDocument TAG_ABAC_WITH_DENY =
      identity(
          """
          {"Version": "2012-10-17", "Statement": [
            {"Sid": "UseProjectKeys", "Effect": "Allow",
             "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
             "Resource": "arn:aws:kms:*:111122223333:key/*",
             "Condition": {"StringEquals": {"aws:ResourceTag/Project": "Alpha"}}},
            {"Sid": "NeverProduction", "Effect": "Deny", "Action": "kms:*", "Resource": "*",
             "Condition": {"StringEqualsIgnoreCase": {"aws:ResourceTag/Environment": "Production"}}},
            {"Sid": "CreateTaggedKeys", "Effect": "Allow",
             "Action": ["kms:CreateKey", "kms:TagResource"], "Resource": "*",
             "Condition": {
               "ForAllValues:StringEquals": {"aws:TagKeys": ["Project", "Environment"]},
               "StringEquals": {"aws:RequestTag/Project": "Alpha"}}}
          ]}
          """);

  /** IAM policy variables: keys whose Owner tag is the caller's user name. */
  static final PolicyDocument OWNER_IS_CALLER =
      identity(
          """
          {"Version": "2012-10-17", "Statement": {"Sid": "OwnKeys", "Effect": "Allow",
           "Action": "kms:*", "Resource": "arn:aws:kms:*:111122223333:key/*",
           "Condition": {"StringEquals": {"aws:ResourceTag/Owner": "${aws:username}"}}}}
          """);

  /** IAM's aws:SourceIp example: no use of KMS from outside the office ranges. */
  static final PolicyDocument OFFICE_ONLY =
      identity(
          """
          {"Version": "2012-10-17", "Statement": [
            {"Sid": "Admin", "Effect": "Allow", "Action": "kms:*", "Resource": "*"},
            {"Sid": "OfficeOnly", "Effect": "Deny", "Action": "kms:*", "Resource": "*",
             "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}}}
          ]}
          """);

  static PolicyDocument key(String json) {
    return PolicyDocument.parse(json, PolicyKind.KEY_POLICY);
  }

  static PolicyDocument identity(String json) {
    return PolicyDocument.parse(json, PolicyKind.IDENTITY_POLICY);
  }
}
