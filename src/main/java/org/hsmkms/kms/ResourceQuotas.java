package org.hsmkms.kms;

/**
 * AWS KMS's resource quotas ("Resource quotas" in the AWS KMS Developer Guide): beyond them, the
 * request that would create one more resource is refused with LimitExceededException.
 *
 * <p>The key count is read from the store before a key is inserted, so keys created at the same
 * moment on several workers or nodes may pass the quota by a few; the others are checked under the
 * lock that orders the changes of a key, or in the transaction that writes them.
 *
 * @param keysPerAccount keys of one account in one region, in any state but being created or
 *     deleted (AWS: "AWS KMS keys", 100,000)
 * @param aliasesPerKey aliases that may name one key (AWS: "Aliases per KMS key", 50)
 * @param grantsPerKey grants of one key (AWS: "Grants per KMS key", 50,000)
 * @param tagsPerKey tags of one key (AWS: 50)
 * @param keyPolicyBytes the largest key policy, in bytes of UTF-8 (AWS: 32 KB, 32,768 bytes)
 */
public record ResourceQuotas(
    long keysPerAccount, int aliasesPerKey, int grantsPerKey, int tagsPerKey, int keyPolicyBytes) {
  /** AWS's defaults. */
  public static final ResourceQuotas AWS = new ResourceQuotas(100_000, 50, 50_000, 50, 32_768);

  public ResourceQuotas {
    if (keysPerAccount < 1
        || aliasesPerKey < 1
        || grantsPerKey < 1
        || tagsPerKey < 1
        || keyPolicyBytes < 1) {
      throw new IllegalArgumentException("every resource quota must be at least 1");
    }
  }
}
