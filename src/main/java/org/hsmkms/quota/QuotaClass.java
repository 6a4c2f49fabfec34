package org.hsmkms.quota;

/**
 * One of AWS KMS's request quotas: the requests that share one token bucket per account, and AWS's
 * default rate for it (requests a second).
 *
 * <p>Names: {@code symmetric}, {@code rsa}, {@code ecc} and {@code ml-dsa} for the shared
 * cryptographic quotas, {@code GenerateDataKeyPair:<KeyPairSpec>} for data key pairs, and the
 * operation's own name (e.g. {@code CreateKey}) for every other operation. The names are what
 * {@code quotas.accounts} overrides name, and the label of the throttling metric.
 *
 * @param name the class's name, as above
 * @param awsDefault AWS's default quota, requests a second
 * @param index this class's place in {@link QuotaClasses#all()}, for array-indexed buckets
 */
public record QuotaClass(String name, double awsDefault, int index) {
  @Override
  public String toString() {
    return name;
  }
}
