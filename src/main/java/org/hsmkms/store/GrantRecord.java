package org.hsmkms.store;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One grant's row: who may use which key for which operations, under which encryption context
 * constraints. Its tokens are stored apart (only their SHA-256), since a grant may have several.
 *
 * @param grantId 64 hex characters
 * @param keyId the key the grant is for
 * @param account the key's account
 * @param region the key's region
 * @param name the grant's Name, or null
 * @param granteePrincipal the principal ARN the grant gives permissions to
 * @param retiringPrincipal the principal that may retire the grant, or null
 * @param operations the grant operations, e.g. {@code Decrypt}, in the order given
 * @param encryptionContextEquals the EncryptionContextEquals constraint, or null when absent
 * @param encryptionContextSubset the EncryptionContextSubset constraint, or null when absent
 * @param issuingAccount the account that issued the grant (the key's account)
 * @param creationDate when the grant was created
 */
public record GrantRecord(
    String grantId,
    String keyId,
    String account,
    String region,
    String name,
    String granteePrincipal,
    String retiringPrincipal,
    List<String> operations,
    Map<String, String> encryptionContextEquals,
    Map<String, String> encryptionContextSubset,
    String issuingAccount,
    Instant creationDate) {

  /** Checks the required fields and copies the lists and maps (constraints sorted by key). */
  public GrantRecord {
    Objects.requireNonNull(grantId, "grantId");
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(granteePrincipal, "granteePrincipal");
    Objects.requireNonNull(issuingAccount, "issuingAccount");
    Objects.requireNonNull(creationDate, "creationDate");
    operations = List.copyOf(operations);
    encryptionContextEquals = sorted(encryptionContextEquals);
    encryptionContextSubset = sorted(encryptionContextSubset);
  }

  /** Whether the grant has an encryption context constraint. */
  public boolean constrained() {
    return encryptionContextEquals != null || encryptionContextSubset != null;
  }

  private static Map<String, String> sorted(Map<String, String> map) {
    return map == null ? null : Collections.unmodifiableMap(new TreeMap<>(map));
  }
}
