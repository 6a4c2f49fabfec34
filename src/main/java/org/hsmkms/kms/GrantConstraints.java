package org.hsmkms.kms;

import java.util.Map;
import org.hsmkms.store.GrantRecord;

/**
 * A grant's encryption context constraints, as AWS's {@code GrantConstraints}: each null when
 * absent.
 *
 * <p>GrantConstraints: "in a grant constraint, the key in each key-value pair is not case
 * sensitive, but the value is case sensitive" (unlike a cryptographic operation, where both are).
 *
 * <p>Security: a constraint only narrows a grant; a request that does not fit is not allowed by it.
 *
 * @param encryptionContextEquals the request's context must be exactly these pairs
 * @param encryptionContextSubset the request's context must include these pairs
 */
public record GrantConstraints(
    Map<String, String> encryptionContextEquals, Map<String, String> encryptionContextSubset) {

  /** The constraints of a stored grant, or null when it has none. */
  static GrantConstraints of(GrantRecord grant) {
    return grant.constrained()
        ? new GrantConstraints(grant.encryptionContextEquals(), grant.encryptionContextSubset())
        : null;
  }

  /** Whether a request with encryption context {@code context} fits both constraints. */
  public boolean allows(Map<String, String> context) {
    if (encryptionContextSubset != null && !includes(context, encryptionContextSubset)) {
      return false;
    }
    // EncryptionContextEquals: as many pairs, and every pair of each side is a pair of the other.
    return encryptionContextEquals == null
        || (context.size() == encryptionContextEquals.size()
            && includes(context, encryptionContextEquals)
            && includes(encryptionContextEquals, context));
  }

  // Whether every pair of `pairs` is in `context`: key ignoring case, value exactly.
  private static boolean includes(Map<String, String> context, Map<String, String> pairs) {
    for (Map.Entry<String, String> pair : pairs.entrySet()) {
      boolean found = false;
      for (Map.Entry<String, String> c : context.entrySet()) {
        if (c.getKey().equalsIgnoreCase(pair.getKey()) && c.getValue().equals(pair.getValue())) {
          found = true;
          break;
        }
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }
}
